"""Validate the packed orb and every example's usage.

First CircleCI's JSON schema (``check-jsonschema --builtin-schema
vendor.circle-ci``, offline), then what that schema misses: unknown
top-level keys, undefined jobs, commands, executors and parameters, parameter
types, enum values and required parameters. The second part compiles every
job the way CircleCI would (``compiler``), so a dangling reference anywhere in
a job's steps is found.

The schema wrongly rejects a reusable command named ``deploy`` (it takes it
for the deprecated built-in step): the orb's release command is therefore
named ``release``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orbtools.compiler import (
    CONFIG_KEYS,
    ORB_KEYS,
    Compiler,
    Scope,
    declaration_problems,
    workflow_invocations,
    workflow_runs,
)
from orbtools.params import EXPRESSION_EXACT, TYPES, CompileError
from orbtools.workflow import requirements

ORB_ALIAS = "lambda-release"
EXAMPLE_PIPELINE: dict[str, Any] = {
    "git.branch": "main",
    "git.tag": "",
    "git.revision": "0" * 40,
    "number": 1,
    "id": "00000000-0000-0000-0000-000000000001",
    "project.slug": "gh/example/project",
    "project.type": "github",
    "project.git_url": "",
    "trigger_source": "webhook",
    # Empty unless a scheduled pipeline started it (then the schedule's name and id).
    "schedule.name": "",
    "schedule.id": "",
}


def schema_problems(documents: Mapping[str, Any]) -> list[str]:
    """Each document (name -> data) against CircleCI's schema, through check-jsonschema."""
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    if not Path(exe).exists():
        return ["check-jsonschema is not installed: pip install 'check-jsonschema<0.38'"]
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in documents.items():
            path = Path(tmp) / f"{name.replace('/', '__')}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            paths.append(str(path))
        proc = subprocess.run(
            [exe, "--builtin-schema", "vendor.circle-ci", "--output-format", "text", *paths],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            problems.append(
                ("schema: " + (proc.stdout + proc.stderr).strip()).replace(tmp + "/", "")
            )
    return problems


def orb_problems(orb: Mapping[str, Any]) -> list[str]:
    """What the schema misses in the orb itself; every job compiled with placeholder arguments."""
    problems = [f"orb: unknown top-level key {k!r}" for k in orb if k not in ORB_KEYS]
    for key in ("version", "description"):
        if key not in orb:
            problems.append(f"orb: missing {key}")
    problems += declaration_problems(orb, "orb")
    config = {"version": 2.1, "orbs": {ORB_ALIAS: orb}}
    scope = Scope.of("config", config, {})
    for name, job in (orb.get("jobs") or {}).items():
        args = _placeholders(job.get("parameters") if isinstance(job, dict) else None)
        try:
            Compiler(scope, EXAMPLE_PIPELINE).job(f"{ORB_ALIAS}/{name}", args)
        except CompileError as exc:
            problems.append(f"orb job {name}: {exc}")
    # Commands no job uses are still compiled once, alone.
    for name, command in (orb.get("commands") or {}).items():
        args = _placeholders(command.get("parameters") if isinstance(command, dict) else None)
        try:
            list(Compiler(scope, EXAMPLE_PIPELINE).command(f"{ORB_ALIAS}/{name}", args, "orb"))
        except CompileError as exc:
            problems.append(f"orb command {name}: {exc}")
    return problems


def config_problems(config: Mapping[str, Any], orb: Mapping[str, Any], where: str) -> list[str]:
    """A config using the orb: every workflow job compiled against the inlined orb."""
    problems = [f"{where}: unknown top-level key {k!r}" for k in config if k not in CONFIG_KEYS]
    problems += declaration_problems(config, where)
    aliases = [
        a
        for a, ref in (config.get("orbs") or {}).items()
        if isinstance(ref, str) and ref.split("@")[0].endswith("/lambda-release")
    ]
    inline = {a: orb for a in aliases}
    scope = Scope.of("config", config, inline)
    for wname, workflow in (config.get("workflows") or {}).items():
        if isinstance(workflow, dict):
            try:  # a when/unless must at least expand (pipeline values spelled right)
                workflow_runs(workflow, EXAMPLE_PIPELINE, f"{where}: workflow {wname}")
            except CompileError as exc:
                problems.append(str(exc))
    names: set[str] = set()
    invocations = []
    try:
        invocations = list(workflow_invocations(config, EXAMPLE_PIPELINE))
    except CompileError as exc:
        problems.append(f"{where}: {exc}")
    for _wname, ref, args in invocations:
        names.add(str(args.get("name", ref)))
    for wname, ref, args in invocations:
        try:
            needs = requirements(args.get("requires"), f"{where}: workflow {wname}: {ref}")
        except CompileError as exc:
            problems.append(str(exc))
            needs = []
        for need in needs:
            required = need.job
            if required not in names and not any(n.startswith(required) for n in names):
                problems.append(
                    f"{where}: workflow {wname}: {ref} requires unknown job {required!r}"
                )
        if args.get("type") == "approval":
            continue
        found = scope.find("jobs", ref)
        if isinstance(found, str):
            continue  # another orb's job: nothing here to check it against
        try:
            Compiler(scope, EXAMPLE_PIPELINE).job(ref, args)
        except CompileError as exc:
            problems.append(f"{where}: workflow {wname}: {exc}")
    return problems


def example_configs(orb: Mapping[str, Any]) -> dict[str, Any]:
    return {
        f"example {name}": (ex.get("usage") if isinstance(ex, dict) else None)
        for name, ex in (orb.get("examples") or {}).items()
    }


def validate(orb: Mapping[str, Any], schema: bool = True) -> list[str]:
    """Every problem found in the orb and its examples (empty: valid)."""
    problems = orb_problems(orb)
    examples = example_configs(orb)
    for where, usage in examples.items():
        if not isinstance(usage, dict):
            problems.append(f"{where}: no usage map")
            continue
        problems += config_problems(usage, orb, where)
    if schema:
        docs = {
            "orb": schema_view(orb),
            **{k: v for k, v in examples.items() if isinstance(v, dict)},
        }
        problems += schema_problems(docs)
    return problems


def schema_view(orb: Mapping[str, Any]) -> dict[str, Any]:
    """The orb with each value that is exactly ``<< parameters.x >>`` replaced by x's default.

    The schema cannot know that ``resource_class: << parameters.resource_class >>``
    or ``no_output_timeout: << parameters.no_output_timeout >>`` become valid
    values once CircleCI expands them, and rejects them. Checking the defaults
    in their place is stricter than skipping those fields: a bad default fails.
    """
    view = dict(orb)
    for kind in ("jobs", "commands", "executors"):
        table = {}
        for name, component in (orb.get(kind) or {}).items():
            if isinstance(component, dict):
                defaults = {
                    p: d["default"]
                    for p, d in (component.get("parameters") or {}).items()
                    if isinstance(d, dict) and "default" in d
                }
                table[name] = _substitute(component, defaults)
            else:
                table[name] = component
        if kind in orb:
            view[kind] = table
    return view


def _substitute(value: Any, defaults: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: (v if k == "parameters" else _substitute(v, defaults)) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, defaults) for v in value]
    if isinstance(value, str):
        exact = EXPRESSION_EXACT.match(value)
        if exact and exact.group(1).startswith("parameters."):
            name = exact.group(1).removeprefix("parameters.")
            if name in defaults and not isinstance(defaults[name], list | dict):
                return defaults[name]
    return value


def _placeholders(decls: Any) -> dict[str, Any]:
    """Arguments for required parameters, of the right type, so a job can be compiled."""
    args: dict[str, Any] = {}
    for name, decl in (decls or {}).items():
        if not isinstance(decl, dict) or "default" in decl or decl.get("type") not in TYPES:
            continue
        args[name] = {
            "string": "x",
            "boolean": False,
            "integer": 0,
            "steps": [],
            "executor": "default",
            "env_var_name": "X",
            "enum": (decl.get("enum") or ["x"])[0],
        }[decl["type"]]
    return args
