"""The CircleCI config ``init`` writes, or merges into the one already there.

Two deploy jobs, each with its own role in its own context: ``deploy-staging`` on every
branch but main (STAGING, <prefix>-staging), ``deploy-prod`` on main only (PROD,
<prefix>-prod, by canary), then a rollback of production behind an approval, on main
only, in a restricted context. Merged into a team's config, the jobs join the workflow
that runs the team's jobs and require them. Every byte outside what is added is kept; a
config that cannot take the jobs safely (not 2.1, a setup config, unreadable, several
workflows) is refused with the snippet to paste.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_release.errors import UsageError
from lambda_release.fix.document import Document, splice
from lambda_release.onboard.app_shape import AppShape

ORB = "lambda-release/lambda-release@1"
AWS_CLI_ORB = "circleci/aws-cli@5"
WORKFLOW = "release"
DEPLOY_JOB = "lambda-release/deploy"
ROLLBACK_JOB = "lambda-release/rollback"
PRODUCTION_BRANCH = "main"


@dataclass(frozen=True)
class Role:
    """One CircleCI context and the role variable it holds."""

    context: str
    variable: str


STAGING = Role("aws-deploy-staging", "AWS_STAGING_ROLE_ARN")
PROD = Role("aws-deploy-prod", "AWS_PROD_ROLE_ARN")
ROLLBACK = Role("aws-prod-rollback", "AWS_PROD_ROLLBACK_ROLE_ARN")
JOB_NAMES = ("deploy-staging", "deploy-prod", "hold-rollback", "rollback-prod")


@dataclass(frozen=True)
class Plan:
    """What to do with .circleci/config.yml: write ``text``, nothing, or refuse."""

    text: str | None  # the new file content; None when nothing changes or refused
    refused: str | None = None  # why the existing file cannot be merged into
    snippet: str = ""  # what to paste by hand when refused
    workflow: str = WORKFLOW  # the workflow the release jobs are in
    requires: tuple[str, ...] = ()  # the app's jobs every release waits for


def _executor(shape: AppShape) -> str | dict[str, Any]:
    if shape.mixed:
        return "lambda-release/machine"  # Docker: `sam build --use-container` per runtime
    return {"name": "lambda-release/default", "image": shape.image}


def _deploy(name: str, env: str, role: Role, prefix: str, shape: AppShape) -> dict[str, Any]:
    only = {"only": PRODUCTION_BRANCH} if env == "prod" else {"ignore": PRODUCTION_BRANCH}
    job: dict[str, Any] = {
        "name": name,
        "stack_prefix": prefix,
        "target_environment": env,  # the job can release only there, whatever the filters
        "executor": _executor(shape),
        "serial-group": f"<< pipeline.project.slug >>/{prefix}-{env}",
        "pipeline_number": "<< pipeline.number >>",  # recorded: CircleCI exports none
        "auth": [{"aws-cli/setup": {"role_arn": f"${{{role.variable}}}"}}],
        "context": role.context,
        "filters": {"branches": only},
    }
    if shape.mixed:
        job["extra_build_args"] = "--use-container"
    if shape.images:
        job["setup_remote_docker"] = True
        job["resolve_image_repos"] = True
    return job


def jobs(prefix: str, shape: AppShape, requires: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The release jobs: staging from any other branch, PROD from main, a rollback behind
    an approval on main only (the rollback role trusts main only). The hold follows the
    deploy whether it succeeded or failed: a release that went out and then failed (in
    `post_deploy`, say) is the one most worth undoing."""
    staging = _deploy("deploy-staging", "staging", STAGING, prefix, shape)
    prod = _deploy("deploy-prod", "prod", PROD, prefix, shape)
    if requires:
        staging["requires"] = list(requires)
        prod["requires"] = list(requires)
    return [
        {DEPLOY_JOB: staging},
        {DEPLOY_JOB: prod},
        {
            "hold-rollback": {
                "type": "approval",
                "requires": [{"deploy-prod": ["success", "failed"]}],
                "filters": {"branches": {"only": PRODUCTION_BRANCH}},
            }
        },
        {
            ROLLBACK_JOB: {
                "name": "rollback-prod",
                "requires": ["hold-rollback"],
                "stack_prefix": prefix,
                "target_environment": "prod",
                "executor": _executor(shape),
                "serial-group": f"<< pipeline.project.slug >>/{prefix}-prod",
                "pipeline_number": "<< pipeline.number >>",
                "auth": [{"aws-cli/setup": {"role_arn": f"${{{ROLLBACK.variable}}}"}}],
                "context": ROLLBACK.context,
                "filters": {"branches": {"only": PRODUCTION_BRANCH}},
            }
        },
    ]


def workflow(prefix: str, shape: AppShape | None = None) -> dict[str, Any]:
    return {"jobs": jobs(prefix, shape or AppShape())}


def new_config(prefix: str, shape: AppShape | None = None) -> dict[str, Any]:
    return {
        "version": 2.1,
        "orbs": {"lambda-release": ORB, "aws-cli": AWS_CLI_ORB},
        "workflows": {WORKFLOW: workflow(prefix, shape)},
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


def _job_names(jobs: Any) -> list[str]:
    """The names a workflow's jobs are required by: ``name`` when given, else the job."""
    names = []
    for job in jobs if isinstance(jobs, list) else []:
        if isinstance(job, str):
            names.append(job)
        elif isinstance(job, dict) and len(job) == 1:
            ref, args = next(iter(job.items()))
            if isinstance(args, dict) and args.get("type") == "approval":
                continue  # a person's click is not a test
            given = args.get("name") if isinstance(args, dict) else None
            names.append(str(given or ref))
    return names


def _test_workflows(config: Any) -> list[str]:
    """The workflows that run on push (no schedule trigger) and have jobs."""
    workflows = config.get("workflows")
    return [
        str(name)
        for name, wf in (workflows.items() if isinstance(workflows, dict) else [])
        if isinstance(wf, dict) and isinstance(wf.get("jobs"), list) and "triggers" not in wf
    ]


def plan(existing: str | None, stack_prefix: str, shape: AppShape | None = None) -> Plan:
    """The config to write given the current file's text (None: there is none). Merged into
    an existing config, the release jobs join the workflow that runs the app's jobs and
    require each of them, so nothing releases when tests fail."""
    app = shape or AppShape()
    if existing is None or not existing.strip():
        return Plan(HEADER + render(new_config(stack_prefix, app)))
    path = Path(".circleci/config.yml")
    snippet = _paste(render({"workflows": {WORKFLOW: workflow(stack_prefix, app)}}))
    try:
        doc = Document.parse(path, existing)
    except UsageError as exc:
        return Plan(None, f"it cannot be read ({exc})", snippet)
    config = doc.data
    if isinstance(config, dict) and _uses_deploy(config):
        return Plan(None)  # already wired: nothing to do (init is idempotent)
    refused = _refusal(config)
    candidates = _test_workflows(config) if not refused else []
    if not refused and len(candidates) > 1:
        refused = (
            f"it has several workflows ({', '.join(candidates)}) and init cannot tell which "
            "one tests the app; paste the jobs below into that one and list its test jobs "
            "under each deploy job's requires"
        )
    target = candidates[0] if candidates else WORKFLOW
    requires = tuple(_job_names(config["workflows"][target]["jobs"])) if candidates else ()
    clash = sorted(set(requires) & set(JOB_NAMES))
    if not refused and clash:
        refused = f"its workflow {target!r} already has jobs named {', '.join(clash)}"
    if refused:
        return Plan(None, refused, snippet)
    _merge(config, stack_prefix, app, target, requires)
    baseline = doc.serialise(Document.parse(path, existing).data)
    return Plan(splice(existing, baseline, doc.serialise(config)), None, "", target, requires)


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
        ("orbs" in config and not isinstance(config["orbs"], dict), "its orbs are not a mapping"),
    ]
    return next((why for bad, why in reasons if bad), None)


def _merge(config: Any, prefix: str, shape: AppShape, target: str, requires: Sequence[str]) -> None:
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
    fresh = Document.parse(Path("workflow.yml"), render({"w": jobs(prefix, shape, requires)})).data[
        "w"
    ]
    if not isinstance(config.get("workflows"), dict):
        put(config, "workflows", CommentedMap())
    if target in config["workflows"]:
        existing = config["workflows"][target]["jobs"]
        if hasattr(existing, "fa"):
            existing.fa.set_block_style()  # `jobs: [test]` grows one job per line
        existing.extend(fresh)
    else:
        put(config["workflows"], target, CommentedMap({"jobs": fresh}))


def _paste(snippet: str) -> str:
    return f"orbs:\n  lambda-release: {ORB}\n  aws-cli: {AWS_CLI_ORB}\n" + snippet


def prefix_in_use(existing: str | None) -> tuple[str, str] | None:
    """(prefix, where) when the config already runs our deploy job with a ``stack_prefix``."""
    if not existing:
        return None
    try:
        config = Document.parse(Path(".circleci/config.yml"), existing).data
    except UsageError:
        return None
    workflows = config.get("workflows") if isinstance(config, dict) else None
    for wf in workflows.values() if isinstance(workflows, dict) else []:
        for job in wf.get("jobs") or [] if isinstance(wf, dict) else []:
            if not isinstance(job, dict) or len(job) != 1:
                continue
            ref, args = next(iter(job.items()))
            prefix = args.get("stack_prefix") if isinstance(args, dict) else None
            if str(ref).endswith("/deploy") and isinstance(prefix, str) and prefix:
                return prefix, f".circleci/config.yml ({ref} stack_prefix: {prefix})"
    return None
