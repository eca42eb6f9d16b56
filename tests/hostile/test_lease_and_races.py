"""Issue 18's release path attacked: a tampered lease head, a lease's clock, the console
script's fast exit, and releases racing one another on one stack and alias.

Each case ends by checking that the log's story agrees with the aliases: every entry
settled (nothing pending forever), ids in the order the releases held the lock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_release.aws.trace import read_trace
from lambda_release.errors import OperationError
from lambda_release.log import lock
from lambda_release.log.ids import id_time, now
from lambda_release.release import alias_guard
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from lambda_release.sandbox import Sandbox
from lambda_release.sandbox.faultproxy import Call, FaultProxy
from lambda_release.template import sam
from lambda_release.template.cfn import parse_template
from tests.engine.conftest import App, make_app  # noqa: F401 - the fixture
from tests.hostile.lease_object import lease_body, put_lease
from tests.rollback.cli import kit_cli, kit_lr, run_rollback
from tests.rollback.stackkit import Kit, code_key, function_code, template
from tests.support import templates
from tests.support.aws_state import wait_for_stack

END_OF_TIME = "99991231T235959.999999Z-ffffffff"


@pytest.fixture
def kit(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kit]:
    k = Kit.in_env(sandbox, monkeypatch, "atk")
    k.release({"A": "1"})
    yield k


def kit_dir(kit: Kit) -> Path:
    """A directory of the kit's own for commands that write a record file."""
    path = Path("/tmp") / f"{kit.stack}-cwd"
    path.mkdir(exist_ok=True)
    return path


def listed(trace: Path) -> bool:
    return any(c["operation"] == "ListObjectsV2" for c in read_trace(str(trace)))


def story_holds(kit: Kit) -> None:
    """Every entry settled, ids ascending and not in the future, the latest release in
    effect is what the alias shows, and the lease hands over an empty pending list."""
    entries = kit.entries()
    assert [r.id for r in entries] == sorted(r.id for r in entries)
    assert all(r.settlement is not None for r in entries), [r.id for r in entries]
    late = now() + timedelta(minutes=5)
    assert all((id_time(r.id) or late) < late for r in entries)
    latest = next(r for r in reversed(entries) if r.in_effect)
    shown = {f["logical_id"].removesuffix("Function"): f.get("after") for f in latest.functions()}
    live = kit.versions()
    assert {k: v for k, v in shown.items() if v is not None} == {
        k: v for k, v in live.items() if k in shown and shown[k] is not None
    }
    head = lease_body(kit).get("head")
    assert head is None or head["pending"] == []


# -- a tampered head -------------------------------------------------------------------
def test_a_head_at_the_end_of_time_is_not_trusted(kit: Kit, trace: Path) -> None:
    put_lease(kit, {**lease_body(kit), "head": {"newest": END_OF_TIME, "pending": []}})
    trace.unlink(missing_ok=True)
    rid = kit.release({"A": "2"})
    assert listed(trace)  # the head named an id later than the lease itself: listed
    assert rid.startswith(now().strftime("%Y"))
    story_holds(kit)
    assert kit.versions() == {"A": "2"}


def test_a_head_naming_a_future_id_that_does_not_exist_is_not_trusted(
    kit: Kit, trace: Path
) -> None:
    future = "20991231T000000.000000Z-00000000"
    put_lease(kit, {**lease_body(kit), "head": {"newest": future, "pending": []}})
    rid = kit.release({"A": "2"})
    assert rid < future  # ids keep telling when the release held the lock
    story_holds(kit)


def test_a_head_naming_an_id_that_does_not_exist_still_orders_the_next(
    kit: Kit, trace: Path
) -> None:
    first = kit.entries()[-1].id
    t = id_time(first)
    assert t is not None
    ghost = (t + timedelta(seconds=1)).strftime("%Y%m%dT%H%M%S.%fZ") + "-00000000"
    put_lease(kit, {**lease_body(kit), "head": {"newest": ghost, "pending": []}})
    trace.unlink(missing_ok=True)
    rid = kit.release({"A": "2"})
    assert listed(trace)  # every head is checked against the listing (issue 24)...
    assert rid > ghost > first  # ...and the later newest of the two orders the next id
    assert [r.id for r in kit.entries()] == [first, rid]
    story_holds(kit)


def test_an_entry_at_the_end_of_time_is_refused_as_an_operation_error(kit: Kit) -> None:
    log = kit.log()
    log.write_entry({"id": END_OF_TIME, "functions": [], "kind": "release"})
    put_lease(kit, {k: v for k, v in lease_body(kit).items() if k != "head"})  # list the log
    with pytest.raises(OperationError, match=END_OF_TIME):
        begin(kit.engine(), kit.log(), environment="t", mode="deploy", lock_ttl=60, lock_timeout=0)
    assert lease_body(kit)["released"] is True  # the lease was given back


def test_a_head_with_hundreds_of_pending_ids_that_do_not_exist_is_listed_again(
    kit: Kit, trace: Path
) -> None:
    first = kit.entries()[-1].id
    t = id_time(first)
    assert t is not None
    ghosts = [
        (t - timedelta(seconds=i)).strftime("%Y%m%dT%H%M%S.%fZ") + f"-{i:08x}"
        for i in range(1, 501)
    ]
    put_lease(kit, {**lease_body(kit), "head": {"newest": first, "pending": ghosts}})
    trace.unlink(missing_ok=True)
    kit.release({"A": "2"})
    assert listed(trace)
    story_holds(kit)
    assert next(r.id for r in kit.entries()) == first  # no ghost became an entry


def test_a_huge_lease_body_still_releases(kit: Kit) -> None:
    body = lease_body(kit)
    body["padding"] = "x" * (8 * 1024 * 1024)
    put_lease(kit, body)
    kit.release({"A": "2"})
    story_holds(kit)
    assert "padding" not in lease_body(kit)


@pytest.mark.parametrize(
    "raw",
    [
        '"expires_epoch": NaN',
        '"expires_epoch": Infinity',
        '"head": {"newest": NaN, "pending": []}',
        '"head": {"newest": null, "pending": null}',
        '"head": null',
    ],
)
def test_null_and_nan_in_the_lease_are_refused_naming_it(kit: Kit, raw: str) -> None:
    body = {k: v for k, v in lease_body(kit).items() if k not in ("expires_epoch", "head")}
    text = json.dumps(body)[:-1] + ", " + raw + ("" if "expires_epoch" in raw else ", ")
    if "expires_epoch" not in raw:
        text += '"expires_epoch": 1'
    put_lease(kit, text + "}")
    before = kit.entries()
    with pytest.raises(OperationError, match=r"lock\.json"):
        begin(kit.engine(), kit.log(), environment="t", mode="deploy", lock_ttl=60, lock_timeout=0)
    assert [r.id for r in kit.entries()] == [r.id for r in before]


def test_a_head_on_a_lapsed_unreleased_lease_is_not_adopted(kit: Kit, trace: Path) -> None:
    # A deploy that began (its entry pending) and was killed: its lease lapses. A head
    # planted in it saying nothing is pending must not hide that release.
    entry, _lease, problems = begin(
        kit.engine(), kit.log(), environment="t", mode="deploy", lock_ttl=60, lock_timeout=0
    )
    assert entry is not None and not problems
    body = {**lease_body(kit), "expires_epoch": time.time() - 1}
    put_lease(kit, {**body, "head": {"newest": entry["id"], "pending": []}})
    trace.unlink(missing_ok=True)
    kit.release({"A": "2"})
    assert listed(trace)
    story_holds(kit)
    assert next(r for r in kit.entries() if r.id == entry["id"]).settlement is not None


def test_a_lease_modified_in_the_future_keeps_no_read(kit: Kit) -> None:
    read_at = datetime.now(UTC)
    ahead = lock.HeldLease(kit.log(), "h", "deploy", {}, "e", read_at + timedelta(seconds=30))
    assert not ahead.quiet_since(read_at)
    assert not ahead.quiet_since(None)
    behind = lock.HeldLease(kit.log(), "h", "deploy", {}, "e", read_at - timedelta(seconds=2))
    assert behind.quiet_since(read_at)


# -- the console script's fast exit -----------------------------------------------------
def shell(kit: Kit, line: str) -> subprocess.CompletedProcess[str]:
    """``line`` in bash, with ``$LR`` the console script and ``$TARGET`` the kit's stack."""
    cli = kit_cli(kit)
    env = {**(cli.env or {}), "LR": cli.argv()[0], "TARGET": " ".join(kit.cli_args())}
    return cli.spawn.bash(line, env=env, timeout=120)


def test_history_piped_to_head_prints_one_line_and_no_complaint(kit: Kit) -> None:
    for v in ("2", "3"):
        kit.release({"A": v})
    p = shell(kit, '"$LR" history $TARGET | head -1; echo "exit=${PIPESTATUS[0]}" >&2')
    assert len(p.stdout.splitlines()) == 1, p.stdout
    assert p.stderr.strip().splitlines()[-1] in ("exit=0", "exit=1"), p.stderr
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr


def test_a_reader_gone_before_the_output_ends_quietly_with_exit_1(kit: Kit) -> None:
    # `true` exits at once: every write of the helper meets a closed pipe.
    p = shell(kit, '"$LR" history $TARGET --output json | true; echo "exit=${PIPESTATUS[0]}" >&2')
    assert p.stderr.strip() == "exit=1", p.stderr


def test_json_output_and_trace_are_whole_when_the_script_exits_at_once(
    kit: Kit, tmp_path: Path
) -> None:
    trace_file, out = tmp_path / "t.jsonl", tmp_path / "out.json"
    p = shell(
        kit,
        f'LAMBDA_RELEASE_TRACE_AWS={trace_file} "$LR" status $TARGET --output json > {out}; '
        f'echo "exit=$?" >&2; cat {out}',
    )
    assert "exit=0" in p.stderr, p.stderr
    assert json.loads(p.stdout)  # valid JSON to the last byte
    calls = read_trace(str(trace_file))  # every line parses
    assert calls and all(c["command"] == "status" for c in calls)


BUGGY = """
import sys
from lambda_release import cli
from lambda_release.commands import target
def broken(ctx):
    raise ZeroDivisionError("a bug")
target.run = broken
sys.argv[0] = "lambda-release"
cli.run()
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["target", "--branch", "main", "--stack-prefix", "x"], 3),  # a bug
        (["status", "--stack", "bad_name!", "--alias", "PROD"], 2),  # bad input
        (["--version"], 0),
        (["no-such-command"], 2),  # argparse's own exit
    ],
)
def test_exit_codes_survive_the_fast_exit(kit: Kit, args: list[str], code: int) -> None:
    cli = kit_cli(kit)
    p = cli.spawn.python(BUGGY, *args, env=cli.env, timeout=60)
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr


def test_a_failed_operation_exits_1_through_the_console_script(kit: Kit) -> None:
    p = shell(kit, f'"$LR" history --stack {kit.stack} --alias PROD --log-bucket no-such-bkt-atk')
    assert p.returncode == 1, p.stderr
    assert "does not exist" in p.stderr and "Traceback" not in p.stderr


# -- releases racing on one stack and alias ---------------------------------------------
def test_a_begin_stalled_past_its_lease_writes_no_entry(kit: Kit, sandbox: Sandbox) -> None:
    # H1 takes the lease, then its pre-flight reads stall longer than the lease lasts; H2
    # takes the lapsed lease over, lists the log, releases and hands over a head saying
    # nothing is pending. Had H1 written its entry late (and then been killed), the entry
    # would be pending forever: every holder after H2 trusts the empty head.
    stalled = threading.Event()
    h2_done = threading.Event()

    def stall(call: Call) -> None:
        # H1 stalls until H2 has released, not for a fixed 4 s: a loaded machine could take
        # longer than the stall's last 1.5 s to take the lease over, and H1 renewed it.
        if call.operation == "ListAliases" and not stalled.is_set():
            stalled.set()
            h2_done.wait(120)

    got: dict[str, Any] = {}

    def h1(url: str) -> None:
        try:
            got["begun"] = begin(
                kit.engine(url),
                kit.log(url),
                environment="t",
                mode="deploy",
                lock_ttl=2,
                lock_timeout=0,
            )
        except OperationError as exc:
            got["refused"] = str(exc)

    with FaultProxy(sandbox.endpoint_url) as proxy:
        proxy.on_call = stall
        first = threading.Thread(target=h1, args=(proxy.url,))
        first.start()
        assert stalled.wait(120)  # bounds a hang: H1's lease and reads come first
        time.sleep(2.5)  # H1's lease has lapsed
        try:
            kit.release({"A": "2"})  # H2
        finally:
            h2_done.set()
        first.join(120)
    assert "refused" in got, got  # H1 found its lease gone and wrote nothing
    assert "taken over" in got["refused"]
    kit.release({"A": "3"})  # adopts H2's head
    story_holds(kit)
    assert kit.versions() == {"A": "3"}


# -- a deploy killed at each phase ------------------------------------------------------
def _at_lock_read(c: Call) -> bool:
    return c.operation == "GetObject" and c.path.split("?")[0].endswith("/lock.json")


def _at_lease_taken(c: Call) -> bool:
    return c.operation == "PutObject" and c.path.split("?")[0].endswith("/lock.json")


def _at_entry(c: Call) -> bool:
    return c.operation == "PutObject" and "/newest/" in c.path


def _in_sam(c: Call) -> bool:
    return c.service == "cloudformation" and c.operation == "ExecuteChangeSet"


def _at_settlement(c: Call) -> bool:
    return c.operation == "PutObject" and "/settled/" in c.path


PHASES = {
    "before-the-lease": _at_lock_read,
    "after-the-lease": _at_lease_taken,
    "after-the-entry": _at_entry,
    "during-sam": _in_sam,
    "after-settlement": _at_settlement,
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_a_deploy_killed_at_each_phase_completes_when_run_again(
    make_app: Callable[..., App],  # noqa: F811
    sandbox: Sandbox,
    phase: str,
) -> None:
    """SIGKILL (the whole job: helper and sam) once the phase's call has landed at AWS; the
    same command then completes, and history and status agree with the aliases."""
    app = make_app(functions=("A",))
    args = app.deploy_args("--output", "json", "--lock-ttl", "30", "--lock-timeout", "90")
    first = app.lr(*args)
    assert first.returncode == 0, first.stderr
    app.change_code(f"2-{phase}", ("A",))  # apps share their build: a change of its own
    hit = threading.Event()
    release = threading.Event()

    def hold(call: Call) -> None:
        if not hit.is_set() and PHASES[phase](call):
            hit.set()
            release.wait(30)  # the answer never reaches the killed process

    with FaultProxy(sandbox.endpoint_url) as proxy:
        proxy.on_call = hold
        env = dict(app.env, AWS_ENDPOINT_URL=proxy.url)
        job = app.popen(
            *args,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            assert hit.wait(240), f"the deploy never reached {phase}"
            os.killpg(job.pid, signal.SIGKILL)
            job.wait(30)
        finally:
            release.set()
    if phase == "during-sam":
        wait_for_stack(sandbox.client("cloudformation"), app.stack)
    again = app.lr(*args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["outcome"] in ("succeeded", "no-change")
    hist = app.lr("history", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert hist.returncode == 0, hist.stderr
    releases = json.loads(hist.stdout)
    assert all(r["outcome"] != "pending" for r in releases), releases
    assert [r["id"] for r in releases] == sorted((r["id"] for r in releases), reverse=True)
    status = app.lr("status", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert not state.get("pending"), state
    live = app.alias("AFunction", "PROD")
    assert live is not None
    newest = json.loads(again.stdout)
    # The record file is whole before the script's fast exit, and says what stdout says.
    record = json.loads((app.directory / ".lambda-release" / "release.json").read_text())
    assert record == newest
    after = {f["logical_id"]: f.get("after") for f in newest["functions"]}
    assert after["AFunction"] == live["FunctionVersion"]


# -- templates that could fool which functions publish the alias -------------------------
def sam_template(resources: dict[str, Any], **top: Any) -> dict[str, Any]:
    return templates.sam_template(resources, alias_default="PROD", **top)


def function(**attributes: Any) -> dict[str, Any]:
    return {"Type": "AWS::Serverless::Function", "Properties": {}, **attributes}


GLOBAL_ALIAS = {"Function": {"AutoPublishAlias": {"Ref": "AliasName"}}}


@pytest.mark.parametrize("ignored", ["*", ["AutoPublishAlias"]])
def test_ignore_globals_takes_the_alias_off_and_the_guard_says_so(ignored: Any) -> None:
    # SAM's IgnoreGlobals leaves the function out of Globals' AutoPublishAlias: the guard
    # believed the alias stayed, and the deploy took production's alias away unrefused.
    template = sam_template(
        {"AFunction": function(IgnoreGlobals=ignored), "BFunction": function()},
        Globals=GLOBAL_ALIAS,
    )
    overrides = {"AliasName": "PROD"}
    removals = alias_guard.alias_removals(template, ["AFunction", "BFunction"], "PROD", overrides)
    assert removals == ["AFunction (no AutoPublishAlias)"]
    assert alias_guard.functions_publishing(template, "PROD", overrides) == {"BFunction"}


def test_ignore_globals_is_what_the_translator_does(kit: Kit) -> None:
    # The stand-in expands templates with SAM's own translator: the function left out of
    # Globals gets no alias, as the guard now reads it.
    body = yaml.safe_load(template(kit.code, kit.bucket))
    fn = body["Resources"]["AFunction"]
    del fn["Properties"]["AutoPublishAlias"]
    del fn["Properties"]["DeploymentPreference"]  # SAM wants an alias beside it
    body["Globals"] = GLOBAL_ALIAS
    assert alias_guard.alias_removals(body, ["AFunction"], "PROD", {"AliasName": "PROD"}) == []
    fn["IgnoreGlobals"] = "*"
    assert alias_guard.alias_removals(body, ["AFunction"], "PROD", {"AliasName": "PROD"})
    kit.submit(yaml.safe_dump(body))
    assert wait_for_stack(kit.sandbox.client("cloudformation"), kit.stack) == "UPDATE_COMPLETE"
    info = kit.engine().info(refresh=True)
    assert info is not None
    assert not info.functions and info.other_functions  # the alias is gone, as foretold


@pytest.mark.parametrize("policy", ["Retain", "Snapshot"])
def test_a_function_kept_on_replacement_makes_the_stack_listed_again(policy: str) -> None:
    # SAM passes UpdateReplacePolicy on to the alias: renaming such a function (FunctionName
    # changed: replacement) leaves the old one with the alias, which a read by name finds.
    template = sam_template(
        {"AFunction": function(UpdateReplacePolicy=policy)}, Globals=GLOBAL_ALIAS
    )
    assert alias_guard.functions_publishing(template, "PROD", {"AliasName": "PROD"}) is None
    plain = sam_template({"AFunction": function()}, Globals=GLOBAL_ALIAS)
    assert alias_guard.functions_publishing(plain, "PROD", {}) == {"AFunction"}


def test_a_json_template_reads_as_yaml() -> None:
    text = json.dumps(sam_template({"AFunction": function()}, Globals=GLOBAL_ALIAS))
    parsed = parse_template(text)
    assert alias_guard.functions_publishing(parsed, "PROD", {}) == {"AFunction"}


def test_two_deploys_and_a_rollback_at_once_tell_one_story(kit: Kit) -> None:
    kit.release({"B": "1"})
    results: dict[str, Any] = {}

    def deploy(name: str, code: dict[str, str]) -> None:
        own = Kit(kit.sandbox, kit.stack, kit.bucket, code={"A": "1", "B": "1"})  # a job each
        try:
            # Each waits for the other's whole release (a stack update: seconds on a loaded
            # machine), so the wait is long; an error is kept to be shown, not swallowed.
            results[name] = own.release(code, lock_timeout=120)
        except (AssertionError, OperationError) as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=deploy, args=("one", {"A": "2", "B": "1"})),
        threading.Thread(target=deploy, args=("two", {"A": "2", "B": "2"})),
    ]
    for t in threads:
        t.start()
    rollback = run_rollback(kit, "--output", "json")
    for t in threads:
        t.join(120)
    assert all(isinstance(results[n], str) for n in ("one", "two")), results
    assert rollback.returncode in (0, 1), rollback.stderr  # done, or refused: a deploy held it
    assert "Traceback" not in rollback.stderr
    story_holds(kit)
    # What a rollback pops now is what the aliases would return to: one more runs clean.
    again = run_rollback(kit, "--output", "json")
    assert again.returncode == 0, again.stderr
    story_holds(kit)


def test_a_deploy_waiting_on_a_begun_release_takes_over_after_record(kit: Kit) -> None:
    # `begin` holds the lease for its `record`; a deploy waits on it. record settles the
    # begun release and gives the lease back without a head (it never learnt the log): the
    # deploy lists the log, and nothing is left pending.
    entry, _lease, problems = begin(
        kit.engine(), kit.log(), environment="t", mode="begin", lock_ttl=600, lock_timeout=0
    )
    assert entry is not None and not problems
    # The deploy is seen waiting before record starts (not a fixed 0.5 s), and waits up to
    # 120 s: its 5 s lock timeout lapsed while a loaded machine started record's console script.
    done: dict[str, Any] = {}
    waits = threading.Event()

    def deploy() -> None:
        done.update(rid=kit.release({"A": "2"}, lock_timeout=120, progress=lambda _: waits.set()))

    waiting = threading.Thread(target=deploy)
    waiting.start()
    assert waits.wait(120), "the deploy never waited for the begun release's lock"
    recorded = kit_lr(
        kit, "record", "--sam-exit-code", "0", "--output", "json", cwd=kit_dir(kit), timeout=120
    )
    waiting.join(120)
    assert recorded.returncode == 0, recorded.stderr
    assert done["rid"] > entry["id"]
    story_holds(kit)
    assert kit.versions() == {"A": "2"}


def test_a_rollback_settles_a_killed_release_and_the_next_deploy_trusts_its_head(
    kit: Kit,
) -> None:
    kit.release({"A": "2"})
    # A deploy began (entry pending) and was killed: its short lease lapses.
    entry, _lease, problems = begin(
        kit.engine(), kit.log(), environment="t", mode="deploy", lock_ttl=1, lock_timeout=0
    )
    assert entry is not None and not problems
    time.sleep(1.2)
    rolled = run_rollback(kit, "--output", "json")
    assert rolled.returncode == 0, rolled.stderr
    assert kit.versions() == {"A": "1"}
    # The rollback settled it before it locked; a head it hands over can only be empty.
    assert lease_body(kit).get("head", {"pending": []})["pending"] == []
    kit.release({"A": "3"})
    story_holds(kit)
    killed = next(r for r in kit.entries() if r.id == entry["id"])
    assert killed.settlement is not None


def test_a_function_swapped_for_another_is_found_by_listing_the_stack(
    kit: Kit, trace: Path
) -> None:
    # Same count of functions publishing the alias, other ids: the stack is listed again
    # after the update, the new function is recorded and the removed one named.
    engine, log = kit.engine(), kit.log()
    entry, lease, problems = begin(
        engine, log, environment="t", mode="deploy", lock_ttl=60, lock_timeout=0
    )
    assert entry is not None and not problems
    kit.sandbox.client("s3").put_object(
        Bucket=kit.bucket, Key=code_key("B", "1"), Body=function_code("B", "1")
    )
    body = template({"B": "1"}, kit.bucket)
    kit.submit(body)
    assert wait_for_stack(kit.sandbox.client("cloudformation"), kit.stack) == "UPDATE_COMPLETE"
    after = alias_guard.functions_publishing(yaml.safe_load(body), "PROD", {"AliasName": "PROD"})
    assert after == {"BFunction"}
    trace.unlink(missing_ok=True)
    rel, _stable, _warnings = settle(
        engine, log, entry, sam_exit_code=0, settled_by="t", functions_after=after
    )
    lock.release(log, lease.holder, lease)
    ops = [c["operation"] for c in read_trace(str(trace))]
    assert "ListStackResources" in ops
    recorded = {f["logical_id"]: f for f in rel.functions()}
    assert recorded["AFunction"].get("removed") and recorded["AFunction"]["after"] is None
    assert recorded["BFunction"].get("created") and recorded["BFunction"]["after"] == "1"
    assert kit.versions() == {"B": "1"}


def test_an_alias_gone_after_sam_makes_the_stack_listed_and_the_release_failed(
    kit: Kit, trace: Path
) -> None:
    # The template publishes the alias on the same function as before, so only the stack's
    # status is read; its alias is read by name and is gone (deleted by hand, or the
    # function replaced): the stack is listed again and the release says what happened.
    engine, log = kit.engine(), kit.log()
    entry, lease, problems = begin(
        engine, log, environment="t", mode="deploy", lock_ttl=60, lock_timeout=0
    )
    assert entry is not None and not problems
    name = kit.names()["A"]
    kit.sandbox.client("lambda").delete_alias(FunctionName=name, Name="PROD")
    trace.unlink(missing_ok=True)
    rel, _stable, _warnings = settle(
        engine,
        log,
        entry,
        sam_exit_code=0,
        settled_by="t",
        functions_after=frozenset({"AFunction"}),
    )
    lock.release(log, lease.holder, lease)
    ops = [c["operation"] for c in read_trace(str(trace))]
    assert "ListStackResources" in ops
    assert rel.outcome == "failed"
    assert (rel.settlement or {}).get("reason") == "alias-removed"


@pytest.mark.parametrize("arg", ["-tother.yaml", "-gtother.yaml"])
def test_a_template_named_in_clicks_short_form_is_refused(
    kit: Kit, tmp_path: Path, arg: str
) -> None:
    # click reads `-tother.yaml` as `-t other.yaml`: sam would deploy another template than
    # the one the helper read (alias guard, NoEcho redaction, which functions publish).
    assert "-t" in sam.reserved_pass_through([arg])
    (tmp_path / "template.yaml").write_text(template(kit.code, kit.bucket))
    p = kit_lr(kit, "deploy", f"--sam-arg={arg}", cwd=tmp_path, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "-t" in p.stderr and "Traceback" not in p.stderr
    assert len(kit.entries()) == 1  # nothing began


def test_values_of_short_options_are_not_read_as_options() -> None:
    assert sam.reserved_pass_through(["--no-progressbar", "-h", "x-t"]) == []


def test_a_lease_taken_first_under_our_own_name_is_shared_not_refused(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs of one logical rollback at once share its id as the lease's holder. Both read
    the lease free; the other's conditional write lands first, ours fails: ours was refused
    "locked by release <our own id>" (CI, test_two_rollbacks_at_once_write_one_entry, 1 in
    ~2,000). A lease held under our own name is ours to share: taken over with its ETag."""
    log = kit.log()
    holder = "20261206T183828.929006Z-3dc12fe2"
    real_put = lock._put
    raced = []

    def the_other_run_writes_first(log_: Any, body: Any, condition: dict[str, str]) -> str | None:
        if not raced and "IfMatch" in condition:
            raced.append(real_put(log_, {**body, "host": "the-other-run"}, condition))
        return real_put(log_, body, condition)

    monkeypatch.setattr(lock, "_put", the_other_run_writes_first)
    lease, theirs = lock.try_acquire(log, holder, mode="rollback", ttl=60)
    assert raced and raced[0] is not None  # the other run's write landed first
    assert theirs is None and lease is not None, theirs
    assert lease_body(kit)["holder"] == holder
    assert lease_body(kit)["host"] != "the-other-run"  # ours, written over the other's
    assert lock.release(log, holder, lease)
