"""``group deploy``: build once per template, release wave by wave, bake between waves,
stop on the first failure or alarm, and undo every member released when told to.

1. every template built once (``sam build``), before anything is released;
2. the group release written to the group's log (its members planned);
3. per wave, its targets ``concurrency`` at once, each through ``deploy``'s path (lease,
   pre-flight, entry naming the group, ``sam deploy``, settlement); each member's outcome
   recorded in the group's log as it settles;
4. the wave succeeded: its members baked side by side (``bake/``), if the wave says so; an
   alarm rolls that member back by itself, and stops the others' bakes;
5. a failure or an alarm: no further wave begins; ``on_failure: rollback`` undoes every
   member released, newest wave first (``group/undo.py``); the end recorded last.

Killed anywhere, ``group rollback`` finishes the job from the logs: the group's names the
group release, each member's own log names its release (``group: {name, id, wave}``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_release.bake.run import BakePlan, Clock, bake
from lambda_release.ci_metadata import ci_metadata
from lambda_release.errors import LambdaReleaseError, OperationError
from lambda_release.group import plan as P
from lambda_release.group.build_lock import building
from lambda_release.group.members import Hooks, Released, release_member, said
from lambda_release.group.model import GroupFile
from lambda_release.group.status import GroupResult, group_status
from lambda_release.group.undo import undo_group
from lambda_release.log.group_schema import GroupRef
from lambda_release.log.group_store import GroupLog
from lambda_release.log.ids import iso, new_id, now
from lambda_release.template import sam

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    """What the command checked: the alias, the clock of bakes, sam for the builds."""

    alias: str
    dry_run: bool = False
    minute: float = 60.0  # real seconds per bake minute (an emulator's compressed clock)
    poll: float = 5.0
    sam_path: str = "sam"
    sam_env: dict[str, str] | None = None


class _Stopped(Exception):
    """Another member's bake saw an alarm: this one's bake ends here."""


def group_deploy(
    gf: GroupFile, hooks: Hooks, glog: GroupLog, opts: Options, progress: Progress
) -> GroupResult:
    members = P.members(gf, opts.alias)
    if opts.dry_run:
        return dry_run(gf, hooks, members, opts, progress)
    templates = P.templates(gf, members)
    with building([P.build_dir(t).parent for t in templates], progress):
        built = build_templates(templates, opts, progress)
        return _release(_Run(gf, hooks, glog, opts, members, built, progress, new_id()))


@dataclass
class _Run:
    """One group release under way: what every step of it reads, and each member's release
    as its wave ends (``released``)."""

    gf: GroupFile
    hooks: Hooks
    glog: GroupLog
    opts: Options
    members: list[P.Member]
    built: dict[Path, Path]
    progress: Progress
    gid: str
    released: list[Released] = field(default_factory=list)


def _release(run: _Run) -> GroupResult:
    """The group release, once its templates are built: recorded, waves, end."""
    gf, ci = run.gf, ci_metadata()
    run.glog.write_release(
        {
            "id": run.gid,
            "group": gf.group,
            "alias": run.opts.alias,
            "time": iso(now()),
            "on_failure": gf.on_failure,
            "file": str(gf.path),
            "members": [
                {"wave": m.wave, "stack": m.stack, "region": m.region} for m in run.members
            ],
            "ci": ci,
            "who": str(ci.get("triggered_by", "")),
        }
    )
    run.progress(f"group release {run.gid} of {gf.group} begun in {run.glog.uri}")
    stopped_at, reason = _waves(run)
    return _end(run, stopped_at, reason)


def _waves(run: _Run) -> tuple[int | None, str]:
    """Each wave in turn; (the wave it stopped at, why) or (None, ""). Each member's
    release is added to ``run.released`` as its wave ends."""
    gf, progress = run.gf, run.progress
    waves = P.by_wave(run.members)
    for n, wave in enumerate(gf.waves, start=1):
        ms = waves[n]
        progress(
            f"wave {n}/{len(gf.waves)} ({wave.name}): {len(ms)} target(s), "
            f"{min(wave.concurrency, len(ms))} at once"
        )

        def one(m: P.Member) -> Released:
            ref: GroupRef = {"name": gf.group, "id": run.gid, "wave": m.wave}
            built = run.built[gf.template_path(m.target)]
            got = release_member(run.hooks, m, built, ref, False, progress)
            _record(run.glog, run.gid, got)
            return got

        results = _concurrently(one, ms, wave.concurrency)
        run.released.extend(results)
        failed = [r for r in results if not r.ok]
        if failed:
            names = ", ".join(f"{r.member.name}: {r.outcome}" for r in failed)
            return n, f"wave {n} failed: {names}"
        if wave.bake_seconds:
            alarmed = bake_wave(results, wave.bake_seconds / 60, run.opts, progress)
            if alarmed:
                return n, f"wave {n}'s bake: {'; '.join(alarmed)}"
        progress(f"wave {n}/{len(gf.waves)} ({wave.name}) succeeded")
    return None, ""


def _record(glog: GroupLog, gid: str, got: Released) -> None:
    m = got.member
    body: Any = {
        "id": gid,
        "wave": m.wave,
        "stack": m.stack,
        "region": m.region,
        "release": got.release_id,
        "outcome": got.outcome,
    }
    if got.log is not None:
        body["log"] = got.log.location.uri
    if got.problems:
        body["problems"] = got.problems[:20]
    glog.write_member(body)


def _end(run: _Run, stopped_at: int | None, reason: str) -> GroupResult:
    gf, gid, alias, progress = run.gf, run.gid, run.opts.alias, run.progress
    if stopped_at is None:
        run.glog.write_end(
            {"id": gid, "outcome": P.SUCCEEDED, "stopped_at_wave": None, "time": iso(now())}
        )
        progress(f"group release {gid}: every wave succeeded")
        return GroupResult(0, succeeded(gf.group, gid, alias, run.members, run.released))
    progress(f"group release {gid} stopped: {reason}")
    if gf.on_failure == "rollback":
        progress("on_failure: rollback: undoing every member released, newest wave first")
        result = undo_group(
            run.hooks, run.glog, gf.group, gid, alias, run.members, False, progress, reason
        )
        outcome = P.ROLLED_BACK if result.exit_code == 0 else P.STOPPED
    else:
        outcome = P.STOPPED
    run.glog.write_end(
        {
            "id": gid,
            "outcome": outcome,
            "stopped_at_wave": stopped_at,
            "time": iso(now()),
            "reason": reason,
        }
    )
    # The group release as the logs now tell it (each member read from its own log).
    status = group_status(run.hooks, run.glog, gf.group, gid, alias, run.members)
    return GroupResult(1, status.data)


def succeeded(
    group: str, gid: str, alias: str, members: list[P.Member], released: list[Released]
) -> dict[str, Any]:
    """The group release every wave of which succeeded, from the settlements its members
    wrote just now: what ``group status`` reads back from each member's log (its rows),
    without reading every member's log again (issue 33: for 60 members, 12 s of the 15 s
    no ``sam`` hid). Stopped, the group is read back from the logs (``_end``): the
    undoing told its story there."""
    by_member = {(r.member.stack, r.member.region): r for r in released}
    rows = []
    for m in members:
        r = by_member[m.stack, m.region]
        assert r.release is not None  # every wave succeeded: each member settled
        row = P.member_row(
            m,
            r.release.id,
            P.member_outcome(r.release.outcome, r.release.undone),
            release_outcome=r.release.outcome,
            in_effect=r.release.in_effect,
            released_since=None,
        )
        if r.problems:
            row["problems"] = r.problems[:20]
        rows.append(row)
    return P.summary(group, gid, alias, P.SUCCEEDED, None, rows)


def bake_wave(
    results: Sequence[Released], minutes: float, opts: Options, progress: Progress
) -> list[str]:
    """Bake every member that moved an alias, side by side; what tripped ([]: none). The
    first alarm stops the other bakes (their members are undone with the group)."""
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise _Stopped

    plan = BakePlan(minutes=minutes, minute=opts.minute, poll=opts.poll)

    def one(r: Released) -> str | None:
        if r.engine is None or r.log is None or r.release is None or r.outcome != P.SUCCEEDED:
            return None
        try:
            got = bake(
                r.engine,
                r.log,
                plan,
                progress=said(r.member, progress),
                release=r.release,
                clock=Clock(sleep=sleep),
            )
        except _Stopped:
            return None
        except LambdaReleaseError as exc:
            stop.set()
            return f"{r.member.name}: {exc}"
        if got.exit_code != 0:
            stop.set()
            return f"{r.member.name}: {got.data.get('bake', {}).get('outcome', 'failed')}"
        return None

    return [p for p in _concurrently(one, list(results), len(results)) if p is not None]


def _concurrently(fn: Callable[[Any], Any], items: Sequence[Any], at_once: int) -> list[Any]:
    """``fn`` over ``items``, ``at_once`` at a time, order kept. Interrupted (SIGTERM, a
    cancelled job), no member not yet begun begins: the queue is dropped; the members under
    way run on to their settlement (a kill leaves them pending, for ``group rollback``)."""
    if at_once <= 1 or len(items) <= 1:
        return [fn(i) for i in items]
    pool = ThreadPoolExecutor(max_workers=min(at_once, len(items)))
    try:
        futures = [pool.submit(fn, i) for i in items]
        return [f.result() for f in futures]
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def build_templates(
    templates: Sequence[Path], opts: Options, progress: Progress
) -> dict[Path, Path]:
    """``sam build`` once per distinct template; the built template each one deploys."""
    out: dict[Path, Path] = {}
    for template in templates:
        folder = P.build_dir(template)
        cmd = sam.build_command(
            opts.sam_path,
            template=str(template),
            cached=True,
            parallel=True,
            use_container=False,
            build_dir=str(folder),
            extra=[],
        )
        progress("running: " + sam.quoted(cmd))
        code = sam.run_streaming(cmd, env=opts.sam_env)
        if code != 0:
            raise OperationError(
                f"sam build of {template} failed with exit code {code} (see its output above): "
                "nothing was released"
            )
        out[template] = folder / "template.yaml"
    return out


def dry_run(
    gf: GroupFile, hooks: Hooks, members: list[P.Member], opts: Options, progress: Progress
) -> GroupResult:
    """Each member's pre-flight, as ``deploy --dry-run`` runs it; nothing built or written."""
    rows = []
    code = 0
    for wave in P.by_wave(members).values():

        def one(m: P.Member) -> Released:
            return release_member(hooks, m, None, None, True, progress)

        for r in _concurrently(one, wave, gf.waves[wave[0].wave - 1].concurrency):
            code = code or (0 if r.ok else 1)
            rows.append(
                P.member_row(
                    r.member, None, "would release" if r.ok else "would refuse", problems=r.problems
                )
            )
    return GroupResult(code, P.summary(gf.group, "", opts.alias, "dry run", None, rows))
