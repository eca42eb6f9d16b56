"""A workflow's `requires`, in both of CircleCI's forms, and a workflow run by the runner.

`requires: [deploy]` waits for deploy to succeed; `requires: [{deploy: [success, failed]}]`
(or `{deploy: failed}`, or `terminal`) runs after deploy ended in one of those statuses:
CircleCI's job status requirements, with the statuses its schema lists. A rollback held
behind an approval needs this form, or a deploy that released and then failed (in
post_deploy, say) never gets one.

``run_workflow`` runs a workflow's jobs in `requires` order on a LocalRun's settings: a
job runs when each job it requires ended in an allowed status, else it is not run; an
approval job is approved when it is named in ``approve`` (else it stays on hold and what
requires it is not run). Each job persists into a workspace layer of its own and attaches
the layers of the jobs upstream of it (through `requires`), as CircleCI's workspaces do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orbtools.compiler import workflow_invocations
from orbtools.params import CompileError

if TYPE_CHECKING:
    from orbtools.runner import LocalRun

STATUSES = frozenset({"success", "failed", "canceled", "not_run", "unauthorized"})
TERMINAL = "terminal"  # shorthand for every status above


@dataclass(frozen=True)
class Requirement:
    job: str
    statuses: frozenset[str]


def requirements(entries: Any, where: str) -> list[Requirement]:
    """The entries of a `requires` list; CompileError naming ``where`` for a bad one."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise CompileError(f"{where}: requires must be a list, not {entries!r}")
    found = []
    for entry in entries:
        if isinstance(entry, str):
            found.append(Requirement(entry, frozenset({"success"})))
            continue
        if not (isinstance(entry, dict) and len(entry) == 1):
            raise CompileError(
                f"{where}: a requires entry is a job name or {{job: status}}, not {entry!r}"
            )
        ((job, wanted),) = entry.items()
        listed = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(listed, list) or not listed:
            raise CompileError(f"{where}: requires {job!r}: give a status or a list of them")
        statuses: set[str] = set()
        for status in listed:
            if status == TERMINAL and isinstance(wanted, str):
                statuses |= STATUSES
            elif status in STATUSES:
                statuses.add(status)
            else:
                raise CompileError(
                    f"{where}: requires {job!r}: unknown status {status!r} (one of "
                    f"{', '.join(sorted(STATUSES))}, or {TERMINAL} alone)"
                )
        found.append(Requirement(str(job), frozenset(statuses)))
    return found


@dataclass
class WorkflowRun:
    """What each job of a workflow ended as: success, failed, on_hold or not_run."""

    statuses: dict[str, str] = dataclasses.field(default_factory=dict)
    results: dict[str, Any] = dataclasses.field(default_factory=dict)


def run_workflow(
    local: LocalRun,
    workflow: str,
    workspace_root: Path,
    approve: Collection[str] = (),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> WorkflowRun:
    """Run ``workflow``'s jobs in `requires` order (see the module's docstring)."""
    entries = [
        (ref, args)
        for name, ref, args in workflow_invocations(local.config, local.pipeline())
        if name == workflow
    ]
    if not entries:
        raise CompileError(f"no workflow named {workflow!r}")
    done = WorkflowRun()
    upstream: dict[str, list[str]] = {}
    for ref, args in _in_order(entries, workflow):
        name = str(args.get("name", ref))
        needs = requirements(args.get("requires"), f"workflow {workflow} job {name}")
        upstream[name] = _ancestors(needs, upstream)
        if not all(done.statuses.get(r.job, "not_run") in r.statuses for r in needs):
            done.statuses[name] = "not_run"
            continue
        if args.get("type") == "approval":
            done.statuses[name] = "success" if name in approve else "on_hold"
            continue
        job_args = {**args, **(overrides or {}).get(name, {})}
        run = dataclasses.replace(
            local,
            home=local.home / _safe(name),
            artifacts=(local.artifacts / _safe(name)) if local.artifacts else None,
            workspace=workspace_root / _safe(name),
            attach_from=[workspace_root / _safe(u) for u in upstream[name]],
        )
        result = run.run(ref, job_args)
        done.results[name] = result
        done.statuses[name] = result.status
    return done


def _ancestors(needs: Sequence[Requirement], upstream: Mapping[str, list[str]]) -> list[str]:
    found: list[str] = []
    for need in needs:
        for name in [*upstream.get(need.job, []), need.job]:
            if name not in found:
                found.append(name)
    return found


def _in_order(
    entries: list[tuple[str, dict[str, Any]]], workflow: str
) -> list[tuple[str, dict[str, Any]]]:
    """The entries with each after every job it requires (CompileError on a cycle)."""
    pending = list(entries)
    ordered: list[tuple[str, dict[str, Any]]] = []
    placed: set[str] = set()
    while pending:
        ready = [
            e
            for e in pending
            if all(
                r.job in placed for r in requirements(e[1].get("requires"), f"workflow {workflow}")
            )
        ]
        if not ready:
            names = [str(a.get("name", r)) for r, a in pending]
            raise CompileError(f"workflow {workflow}: requires never met for {names}")
        for entry in ready:
            pending.remove(entry)
            ordered.append(entry)
            placed.add(str(entry[1].get("name", entry[0])))
    return ordered


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
