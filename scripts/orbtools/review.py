"""orb-tools' review rules, offline: RC001-RC005 and RC008-RC012.

RC006/RC007 (the display URLs answer) need the network and are left to the
project's CircleCI pipeline, where orb-tools runs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orbtools import yamlio
from orbtools.pack import INCLUDE_EXACT, YAML_SUFFIXES, pack

# The major version the examples pin (orb references end in @<major>). Bump it
# deliberately with a breaking release; scripts/orbtools/release.py checks it.
ORB_MAJOR = 1
ORB_NAME = "lambda-release"
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
GENERIC_EXAMPLE = re.compile(r"^(example|examples|usage|sample|demo|test|basic|simple)[_0-9]*$")
MIN_DESCRIPTION = 64
MAX_INLINE_COMMAND = 64
COMPONENTS = ("commands", "jobs", "executors")


@dataclass(frozen=True)
class Finding:
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule} {self.where}: {self.message}"


def review(orb_dir: Path) -> list[Finding]:
    packed = pack(orb_dir)
    findings = list(review_packed(packed))
    findings += list(review_source(orb_dir))
    return findings


def review_packed(orb: Mapping[str, Any]) -> Iterator[Finding]:  # noqa: PLR0912 - one rule each
    display = orb.get("display") or {}
    if not (isinstance(display, dict) and display.get("source_url")):
        yield Finding("RC001", "@orb.yml", "display.source_url is not set")
    description = str(orb.get("description") or "")
    if len(description.strip()) < MIN_DESCRIPTION:
        yield Finding(
            "RC005",
            "@orb.yml",
            f"the orb's description has {len(description.strip())} characters; "
            f"write at least {MIN_DESCRIPTION}",
        )
    for kind in COMPONENTS:
        for name, component in (orb.get(kind) or {}).items():
            where = f"{kind}/{name}"
            if not isinstance(component, dict) or not component.get("description"):
                yield Finding("RC002", where, "has no description")
            if not isinstance(component, dict):
                continue
            for pname, decl in (component.get("parameters") or {}).items():
                if not isinstance(decl, dict) or not decl.get("description"):
                    yield Finding("RC002", f"{where} parameter {pname}", "has no description")
                if not SNAKE.match(str(pname)):
                    yield Finding("RC010", f"{where} parameter {pname}", "is not snake_case")
                if isinstance(decl, dict):
                    yield from _rc012(where, str(pname), decl)
    examples = orb.get("examples") or {}
    if not examples:
        yield Finding("RC003", "examples/", "the orb has no example")
    jobs = set(orb.get("jobs") or {})
    for name, example in examples.items():
        where = f"examples/{name}"
        if GENERIC_EXAMPLE.match(str(name)) or str(name) in jobs or "_" not in str(name):
            yield Finding(
                "RC004",
                where,
                "name examples by use case in words (deploy_on_branch_push), not "
                "'example', a job's name or one word",
            )
        if not isinstance(example, dict) or not example.get("description"):
            yield Finding("RC002", where, "has no description")
        usage = example.get("usage") if isinstance(example, dict) else None
        yield from _rc011(where, usage)


def _rc011(where: str, usage: Any) -> Iterator[Finding]:
    orbs = (usage or {}).get("orbs") if isinstance(usage, dict) else None
    refs = [str(r) for r in (orbs or {}).values() if str(r).split("@")[0].endswith("/" + ORB_NAME)]
    if not refs:
        yield Finding("RC011", where, f"the usage does not import {ORB_NAME}")
    for ref in refs:
        version = ref.partition("@")[2]
        if version.split(".")[0] != str(ORB_MAJOR):
            yield Finding("RC011", where, f"uses {ref}; pin the current major version @{ORB_MAJOR}")


def _rc012(where: str, name: str, decl: Mapping[str, Any]) -> Iterator[Finding]:
    default = decl.get("default")
    if decl.get("type") in ("string", "enum") and isinstance(default, str) and "$" in default:
        yield Finding(
            "RC012",
            f"{where} parameter {name}",
            f"default {default!r} names an environment variable in a literal parameter; "
            "use type env_var_name and read the variable in the script",
        )


def review_source(orb_dir: Path) -> Iterator[Finding]:
    """Rules about the source files themselves: names, run steps and includes."""
    for path in sorted(orb_dir.rglob("*")):
        rel = path.relative_to(orb_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        is_component_file = path.suffix in YAML_SUFFIXES and not path.name.startswith("@")
        if is_component_file and not SNAKE.match(path.stem):
            yield Finding("RC010", str(rel), "file name is not snake_case")
        if path.suffix not in YAML_SUFFIXES or rel.parts[0] not in COMPONENTS:
            continue
        data = yamlio.load(path.read_text(encoding="utf-8")) or {}
        steps = data.get("steps") if isinstance(data, dict) else None
        for step in _run_steps(steps or []):
            yield from _run_rules(str(rel), step)


def _run_steps(steps: Any) -> Iterator[Any]:
    if not isinstance(steps, list):
        return
    for step in steps:
        if not isinstance(step, dict) or len(step) != 1:
            continue
        key, value = next(iter(step.items()))
        if key == "run":
            yield value
        elif key in ("when", "unless") and isinstance(value, dict):
            yield from _run_steps(value.get("steps"))


def _run_rules(where: str, run: Any) -> Iterator[Finding]:
    spec = {"command": run} if isinstance(run, str) else run
    if not isinstance(spec, dict):
        return
    command = str(spec.get("command", ""))
    label = command.strip().splitlines()[0][:40] if command.strip() else "(empty)"
    if not spec.get("name"):
        yield Finding("RC008", where, f"run step {label!r} has no name")
    if len(command) > MAX_INLINE_COMMAND and not INCLUDE_EXACT.match(command):
        yield Finding(
            "RC009",
            where,
            f"run command {label!r} is {len(command)} characters; move it to scripts/ "
            "and <<include(...)>> it",
        )
