"""The CircleCI config ``init`` writes, or merges into the one already there.

The workflow is the product's own shape (README, orb examples): deploy on every push
(main -> PROD, other branches -> STAGING), then a rollback behind an approval in a
restricted context, both in one serial group so that releases of the app never
overlap. An existing config keeps every byte outside what is added; a config that
cannot take the workflow safely (not 2.1, a setup config, unreadable) is refused
with the snippet to paste.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_release.errors import UsageError
from lambda_release.fix.document import Document, splice

ORB = "lambda-release/lambda-release@1"
AWS_CLI_ORB = "circleci/aws-cli@5"
WORKFLOW = "release"
DEPLOY_JOB = "lambda-release/deploy"


@dataclass(frozen=True)
class Plan:
    """What to do with .circleci/config.yml: write ``text``, nothing, or refuse."""

    text: str | None  # the new file content; None when nothing changes or refused
    refused: str | None = None  # why the existing file cannot be merged into
    snippet: str = ""  # what to paste by hand when refused


def workflow(stack_prefix: str) -> dict[str, Any]:
    group = f"<< pipeline.project.slug >>/{stack_prefix}-release"
    return {
        "jobs": [
            {
                DEPLOY_JOB: {
                    "stack_prefix": stack_prefix,
                    "serial-group": group,
                    "auth": [{"aws-cli/setup": {"role_arn": "${AWS_ROLE_ARN}"}}],
                    "context": "aws-deploy",
                }
            },
            {"hold-rollback": {"type": "approval", "requires": [DEPLOY_JOB]}},
            {
                "lambda-release/rollback": {
                    "requires": ["hold-rollback"],
                    "stack_prefix": stack_prefix,
                    "serial-group": group,
                    "auth": [{"aws-cli/setup": {"role_arn": "${AWS_ROLLBACK_ROLE_ARN}"}}],
                    "context": "aws-prod-rollback",
                }
            },
        ]
    }


def new_config(stack_prefix: str) -> dict[str, Any]:
    return {
        "version": 2.1,
        "orbs": {"lambda-release": ORB, "aws-cli": AWS_CLI_ORB},
        "workflows": {WORKFLOW: workflow(stack_prefix)},
    }


HEADER = (
    "# Written by `lambda-release init`: deploy on push (main -> PROD, other branches ->\n"
    "# STAGING) by canary with alarms; roll back with one approval (restricted context).\n"
)


def render(data: Any) -> str:
    from ruamel.yaml import YAML  # noqa: PLC0415 - optional dependency (the check extra)

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 16
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def _uses_deploy(config: Any) -> bool:
    """Whether a workflow already runs our deploy job, under whatever name the orb has."""
    orbs = config.get("orbs")
    names = {"lambda-release"} | {
        str(name)
        for name, ref in (orbs.items() if isinstance(orbs, dict) else [])
        if isinstance(ref, str) and ref.split("@")[0].endswith("/lambda-release")
    }
    deploys = {f"{name}/deploy" for name in names}
    workflows = config.get("workflows")
    if not isinstance(workflows, dict):
        return False
    for wf in workflows.values():
        jobs = wf.get("jobs") if isinstance(wf, dict) else None
        for job in jobs if isinstance(jobs, list) else []:
            name = next(iter(job)) if isinstance(job, dict) and job else job
            if name in deploys:
                return True
    return False


def plan(existing: str | None, stack_prefix: str) -> Plan:
    """The config to write given the current file's text (None: there is none)."""
    if existing is None or not existing.strip():
        return Plan(HEADER + render(new_config(stack_prefix)))
    snippet = _paste(render({"workflows": {WORKFLOW: workflow(stack_prefix)}}))
    path = Path(".circleci/config.yml")
    try:
        doc = Document.parse(path, existing)
    except UsageError as exc:
        return Plan(None, f"it cannot be read ({exc})", snippet)
    config = doc.data
    if isinstance(config, dict) and _uses_deploy(config):
        return Plan(None)  # already wired: nothing to do (init is idempotent)
    refused = _refusal(config)
    if refused:
        return Plan(None, refused, snippet)
    _merge(config, stack_prefix)
    baseline = doc.serialise(Document.parse(path, existing).data)
    return Plan(splice(existing, baseline, doc.serialise(config)))


def _refusal(config: Any) -> str | None:
    """Why the workflow cannot be merged into ``config`` safely, or None."""
    if not isinstance(config, dict):
        return "it is not a mapping"
    workflows = config.get("workflows")
    reasons = [
        (str(config.get("version")) != "2.1", "orbs need version: 2.1"),
        (config.get("setup") is True, "it is a dynamic-config setup file"),
        (
            workflows is not None and not isinstance(workflows, dict),
            "its workflows are not a mapping",
        ),
        (
            isinstance(workflows, dict) and WORKFLOW in workflows,
            f"it already has a workflow named {WORKFLOW!r}",
        ),
        ("orbs" in config and not isinstance(config["orbs"], dict), "its orbs are not a mapping"),
    ]
    return next((why for bad, why in reasons if bad), None)


def _merge(config: Any, stack_prefix: str) -> None:
    from ruamel.yaml.comments import CommentedMap  # noqa: PLC0415

    from lambda_release.fix.edits import put, put_after  # noqa: PLC0415

    orbs = config.get("orbs")
    if not isinstance(orbs, dict):
        put_after(config, "version", "orbs", CommentedMap())
        orbs = config["orbs"]
    if "lambda-release" not in orbs:
        put(orbs, "lambda-release", ORB)
    if "aws-cli" not in orbs:
        put(orbs, "aws-cli", AWS_CLI_ORB)
    fresh = Document.parse(Path("workflow.yml"), render({"w": workflow(stack_prefix)})).data["w"]
    if not isinstance(config.get("workflows"), dict):
        put(config, "workflows", CommentedMap())
    put(config["workflows"], WORKFLOW, fresh)


def _paste(snippet: str) -> str:
    return f"orbs:\n  lambda-release: {ORB}\n  aws-cli: {AWS_CLI_ORB}\n" + snippet
