"""Compile one job of a config the way CircleCI does: orbs, commands, executors, parameters.

The result is a flat list of concrete steps (``run``, ``checkout``,
``store_artifacts``, ..., or a step of an orb that is not inlined, kept as an
``external`` step) with every parameter expanded and ``when``/``unless``
decided. Names resolve in the scope that defines them (an orb's job finds the
orb's commands) and then in the config's own scope (a user's ``steps``
parameter finds the user's orbs).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from orbtools.params import CompileError, bind, check_declarations, expand, truthy, unescape

BUILTIN_STEPS = frozenset(
    {
        "run",
        "checkout",
        "setup_remote_docker",
        "save_cache",
        "restore_cache",
        "store_artifacts",
        "store_test_results",
        "persist_to_workspace",
        "attach_workspace",
        "add_ssh_keys",
    }
)
# Keys of a job invocation that belong to the workflow, not to the job's parameters.
WORKFLOW_JOB_KEYS = frozenset(
    {
        "name",
        "requires",
        "context",
        "filters",
        "matrix",
        "type",
        "serial-group",
        "pre-steps",
        "post-steps",
        "override-with",
    }
)
CONFIG_KEYS = frozenset(
    {"version", "setup", "orbs", "jobs", "commands", "executors", "workflows", "parameters"}
)
ORB_KEYS = frozenset(
    {"version", "description", "display", "orbs", "jobs", "commands", "executors", "examples"}
)


@dataclass
class Scope:
    """A config or an orb: what its names refer to."""

    name: str
    data: Mapping[str, Any]
    orbs: dict[str, Scope | str] = field(default_factory=dict)
    parent: Scope | None = None

    @classmethod
    def of(
        cls,
        name: str,
        data: Mapping[str, Any],
        inline: Mapping[str, Mapping[str, Any]],
        parent: Scope | None = None,
    ) -> Scope:
        """``inline`` maps an orb reference's alias to a packed orb to use instead."""
        scope = cls(name, data, parent=parent)
        for alias, ref in (data.get("orbs") or {}).items():
            if alias in inline:
                scope.orbs[alias] = cls.of(alias, inline[alias], {}, parent=scope)
            elif isinstance(ref, dict):
                scope.orbs[alias] = cls.of(alias, ref, {}, parent=scope)
            else:
                scope.orbs[alias] = str(ref)  # an orb we do not have: steps become no-ops
        return scope

    def root(self) -> Scope:
        return self if self.parent is None else self.parent.root()

    def find(self, kind: str, ref: str) -> tuple[Any, Scope] | str | None:
        """The definition and its scope, an external orb's reference, or None."""
        for scope in (self, self.root()):
            found = scope._find_here(kind, ref)
            if found is not None:
                return found
        return None

    def _find_here(self, kind: str, ref: str) -> tuple[Any, Scope] | str | None:
        if "/" in ref:
            alias, rest = ref.split("/", 1)
            orb = self.orbs.get(alias)
            if isinstance(orb, str):
                return orb
            if orb is None:
                return None
            return orb._find_here(kind, rest)
        table = self.data.get(kind) or {}
        if ref in table:
            return table[ref], self
        return None


@dataclass
class Step:
    """One concrete step: its kind (``run``, ``checkout``, ..., ``external``) and its map."""

    kind: str
    spec: dict[str, Any]
    when: str = "on_success"


@dataclass
class Job:
    name: str
    executor: dict[str, Any]
    working_directory: str
    environment: dict[str, str]
    steps: list[Step]


@dataclass
class Compiler:
    scope: Scope
    pipeline: Mapping[str, Any]
    depth: int = 0

    def job(self, ref: str, args: Mapping[str, Any]) -> Job:
        found = self.scope.find("jobs", ref)
        if found is None:
            raise CompileError(f"job {ref!r} is not defined")
        if isinstance(found, str):
            raise CompileError(f"job {ref!r} comes from orb {found}, which is not inlined here")
        definition, scope = found
        where = f"job {ref}"
        values = bind(definition.get("parameters"), args, where, ignore=WORKFLOW_JOB_KEYS)
        body = {k: v for k, v in definition.items() if k != "parameters"}
        body = expand(body, values, self.pipeline, where)
        sub = Compiler(scope, self.pipeline, self.depth)
        steps = list(sub.steps(body.get("steps") or [], where))
        pre = args.get("pre-steps") or []
        post = args.get("post-steps") or []
        steps = list(self.steps(pre, where)) + steps + list(self.steps(post, where))
        executor = sub.executor(body, where)
        environment = {**executor.pop("environment", {}), **_env(body.get("environment"))}
        return Job(
            name=str(args.get("name", ref)),
            executor=executor,
            working_directory=str(body.get("working_directory") or "~/project"),
            environment=environment,
            steps=steps,
        )

    def executor(self, body: Mapping[str, Any], where: str) -> dict[str, Any]:
        for kind in ("docker", "machine", "macos"):
            if kind in body:
                return {kind: body[kind], "environment": {}}
        ref = body.get("executor")
        if ref is None:
            raise CompileError(f"{where}: no executor, docker, machine or macos")
        args: dict[str, Any] = {}
        if isinstance(ref, dict):
            args = {k: v for k, v in ref.items() if k != "name"}
            ref = ref["name"]
        found = self.scope.find("executors", str(ref))
        if found is None:
            raise CompileError(f"{where}: executor {ref!r} is not defined")
        if isinstance(found, str):
            return {"external": found, "environment": {}}
        definition, _scope = found
        ewhere = f"executor {ref}"
        values = bind(definition.get("parameters"), args, ewhere)
        resolved = expand(
            {k: v for k, v in definition.items() if k != "parameters"},
            values,
            self.pipeline,
            ewhere,
        )
        result = self.executor(resolved, ewhere) if "executor" in resolved else dict(resolved)
        result["environment"] = _env(resolved.get("environment"))
        return result

    def steps(self, steps: Any, where: str) -> Iterator[Step]:
        if not isinstance(steps, list):
            raise CompileError(f"{where}: steps must be a list")
        for raw in steps:
            yield from self.step(raw, where)

    def step(self, raw: Any, where: str) -> Iterator[Step]:
        args: Any
        if isinstance(raw, str):
            name, args = raw, {}
        elif isinstance(raw, dict) and len(raw) == 1:
            name, args = next(iter(raw.items()))
            args = {} if args is None else args
        else:
            raise CompileError(f"{where}: a step must be a name or a map with one key: {raw!r}")
        if name == "steps":  # a steps parameter spliced in
            yield from self.steps(args, where)
        elif name in ("when", "unless"):
            if "condition" not in args or "steps" not in args:
                raise CompileError(f"{where}: {name} needs condition and steps")
            decided = _condition(args["condition"])
            if decided == (name == "when"):
                yield from self.steps(args["steps"], where)
        elif name == "run":
            spec = {"command": args} if isinstance(args, str) else dict(args)
            if "command" not in spec:
                raise CompileError(f"{where}: run step without a command")
            spec["command"] = unescape(str(spec["command"]))
            yield Step("run", spec, str(spec.get("when", "on_success")))
        elif name in BUILTIN_STEPS:
            if not isinstance(args, dict):
                raise CompileError(f"{where}: {name} takes a map")
            yield Step(name, dict(args), "always" if name == "store_artifacts" else "on_success")
        else:
            yield from self.command(str(name), args, where)

    def command(self, ref: str, args: Any, where: str) -> Iterator[Step]:
        if self.depth > 50:
            raise CompileError(f"{where}: commands nest too deeply (a loop?)")
        found = self.scope.find("commands", ref)
        if found is None:
            raise CompileError(f"{where}: command {ref!r} is not defined")
        if isinstance(found, str):
            yield Step("external", {"step": ref, "orb": found, "args": args})
            return
        definition, scope = found
        cwhere = f"command {ref}"
        if not isinstance(args, dict):
            raise CompileError(f"{where}: arguments of {ref} must be a map")
        values = bind(definition.get("parameters"), args, cwhere)
        body = expand(definition.get("steps") or [], values, self.pipeline, cwhere)
        yield from Compiler(scope, self.pipeline, self.depth + 1).steps(body, cwhere)


def _env(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, list):
        pairs = (str(item).split("=", 1) for item in value)
        return {k: v for k, v in pairs}
    return {str(k): env_text(v) for k, v in value.items()}


def env_text(value: Any) -> str:
    """An ``environment:`` value as the script sees it: CircleCI writes booleans as 1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _condition(cond: Any) -> bool:
    """A ``when`` condition: a value, or a logic statement (equal, and, or, not)."""
    if isinstance(cond, dict) and len(cond) == 1:
        op, operand = next(iter(cond.items()))
        if op == "equal":
            return all(item == operand[0] for item in operand)
        if op == "and":
            return all(_condition(c) for c in operand)
        if op == "or":
            return any(_condition(c) for c in operand)
        if op == "not":
            return not _condition(operand)
        if op == "matches":
            return re.fullmatch(str(operand["pattern"]), str(operand["value"])) is not None
    return truthy(cond)


def workflow_runs(workflow: Mapping[str, Any], pipeline: Mapping[str, Any], where: str) -> bool:
    """Whether CircleCI runs ``workflow`` in a pipeline with these values (its when/unless)."""
    for key, runs_if in (("when", True), ("unless", False)):
        if key in workflow:
            condition = expand(workflow[key], {}, pipeline, f"{where} {key}")
            if _condition(condition) != runs_if:
                return False
    return True


def workflow_invocations(
    config: Mapping[str, Any], pipeline: Mapping[str, Any]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(workflow, job reference, arguments) for every job of every workflow, matrices expanded."""
    for wname, workflow in (config.get("workflows") or {}).items():
        if not isinstance(workflow, dict):
            continue
        for entry in workflow.get("jobs") or []:
            ref, args = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
            args = dict(args or {})
            for combo in _matrix(args.pop("matrix", None)):
                merged = {**args, **combo}
                params = {f"matrix.{k}": v for k, v in combo.items()}
                yield wname, ref, expand(merged, params, pipeline, f"workflow {wname} job {ref}")


def _matrix(matrix: Any) -> Iterator[dict[str, Any]]:
    if not matrix:
        yield {}
        return
    axes = matrix.get("parameters") or {}
    names = list(axes)
    excluded = matrix.get("exclude") or []
    for values in itertools.product(*(axes[n] for n in names)):
        combo = dict(zip(names, values, strict=True))
        if combo not in excluded:
            yield combo


def declaration_problems(data: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for kind in ("jobs", "commands", "executors"):
        for name, definition in (data.get(kind) or {}).items():
            if isinstance(definition, dict):
                problems += check_declarations(
                    definition.get("parameters"), f"{where} {kind[:-1]} {name}"
                )
    return problems
