"""A member whose `sam deploy` fails (issue 33 leftovers), through the console script, the
real SAM CLI and the stand-in: the group's result and its log say why (sam's last
meaningful lines in the member's `problems`, not only "failed"), a NoEcho value in that
member's overrides never reaches them, and the lines sam prints for each member while
members run side by side are prefixed `[stack region]` as the helper's own are."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Callable

import yaml

from tests.group.conftest import Group, group_app, make_app
from tests.hostile.test_group_e2e_hostile import objects, with_secret
from tests.support.leaks import secrets_in

__all__ = ["group_app", "make_app"]

TOO_LONG = "x" * 600  # a log group's name is at most 512 characters


def with_log_group(g: Group) -> None:
    """A log group named from a parameter: a target given a name too long fails its
    stack's creation (CloudWatch Logs refuses it, CloudFormation rolls the stack back)."""
    path = g.app.directory / "template.yaml"
    template = yaml.safe_load(path.read_text())
    template["Parameters"]["LogSuffix"] = {"Type": "String", "Default": "ok"}
    template["Resources"]["Logs"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": {"Fn::Sub": "/lr/${AWS::StackName}-${LogSuffix}"}},
    }
    path.write_text(yaml.safe_dump(template, sort_keys=False))


def failing(g: Group, index: int) -> None:
    """The target at ``index`` (in file order) given the log group name that fails."""
    body = yaml.safe_load(g.file.read_text())
    targets = [t for w in body["waves"] for t in w["targets"]]
    targets[index]["parameter_overrides"]["LogSuffix"] = TOO_LONG
    g.file.write_text(yaml.safe_dump(body, sort_keys=False))


def test_a_failed_members_sam_error_is_in_the_result_and_the_log_never_its_secret(
    group_app: Callable[..., Group],
) -> None:
    g = group_app()
    g.write(on_failure="stop", concurrency=2)
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    with_secret(g, secret)  # a NoEcho parameter: every target, the failing one too
    with_log_group(g)
    failing(g, 1)  # wave 2's first target: wave 2's two members run side by side
    p = g.lr("deploy", str(g.file), "--output", "json")
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr
    data = json.loads(p.stdout)
    assert data["outcome"] == "stopped" and data["stopped_at_wave"] == 2, data
    (bad_stack, region), (good_stack, _) = g.stacks[1], g.stacks[2]
    outcomes = {m["stack"]: m["outcome"] for m in data["members"]}
    assert outcomes[bad_stack] == "failed" and outcomes[good_stack] == "succeeded", outcomes
    (bad,) = [m for m in data["members"] if m["stack"] == bad_stack]
    problems = bad["problems"]
    # Why, not only "failed": sam's exit code, its failed event, its Error line; bounded.
    assert problems[0] == "sam deploy exited with 1", problems
    assert any(
        line.startswith("sam: Error: Failed to create/update the stack") for line in problems
    )
    assert any(
        line.startswith("sam: CREATE_FAILED AWS::Logs::LogGroup Logs") for line in problems
    ), problems
    assert len(problems) <= 6 and all(len(line) <= 305 for line in problems), problems
    # The group's log says the same, for `group status` and anyone reading it later.
    code, status, err = g.json("status", str(g.file))
    assert code == 0, err
    (later,) = [m for m in status["members"] if m["stack"] == bad_stack]
    assert later["problems"] == problems
    # The table shows it too, under the members.
    table = g.lr("status", str(g.file))
    assert f"{bad_stack} ({region}): sam: Error: Failed to create/update" in table.stdout
    # Each line sam printed for a member carries its name, as the helper's own lines do:
    # between the first `sam deploy` and the last one's end, no line is unprefixed.
    lines = p.stderr.splitlines()
    first = next(i for i, line in enumerate(lines) if "running: " in line and " deploy " in line)
    last = max(i for i, line in enumerate(lines) if "sam deploy exited with" in line)
    names = tuple(f"[{s} {r}] " for s, r in g.stacks)
    unnamed = [line for line in lines[first : last + 1] if not line.startswith(names)]
    assert unnamed == [] or all(re.match(r"wave \d/\d", line) for line in unnamed), unnamed
    for stack, r in g.stacks[1:]:
        assert f"[{stack} {r}] Error: Failed to create" in p.stderr or stack == good_stack
        assert f"[{stack} {r}] CREATE_IN_PROGRESS" in p.stderr, stack
    # The NoEcho value reached neither the output, nor the group's log, nor any log.
    leaks = secrets_in(
        [secret],
        p.stdout,
        p.stderr,
        status and json.dumps(status),
        table.stdout,
        *objects(g).values(),
    )
    assert not leaks, "a NoEcho value reached the result or a log"


def test_a_secret_quoted_back_in_a_failure_sam_wraps_never_reaches_the_result_or_log(
    group_app: Callable[..., Group],
) -> None:
    """The failing member's NoEcho value is what fails (a log group named with it, too long):
    CloudWatch Logs quotes the name back, and sam's table wraps that reason across lines,
    so the value arrives in pieces no line's mask sees. The stream shows them as a plain
    deploy's does; what the group keeps (the member's problems, its group log) holds none."""
    g = group_app()
    g.write(on_failure="stop", concurrency=2)
    with_secret(g, f"short-{uuid.uuid4().hex}")
    path = g.app.directory / "template.yaml"
    template = yaml.safe_load(path.read_text())
    template["Resources"]["Logs"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": {"Fn::Sub": "/lr/${AWS::StackName}-${DbPassword}"}},
    }
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    secret = secrets.token_hex(300)  # the name is then over 512 characters
    body = yaml.safe_load(g.file.read_text())
    body["waves"][1]["targets"][0]["parameter_overrides"]["DbPassword"] = secret
    g.file.write_text(yaml.safe_dump(body, sort_keys=False))
    p = g.lr("deploy", str(g.file), "--output", "json")
    assert p.returncode == 1, p.stderr
    data = json.loads(p.stdout)
    (bad,) = [m for m in data["members"] if m["stack"] == g.stacks[1][0]]
    assert bad["outcome"] == "failed", bad
    failed_event = [x for x in bad["problems"] if x.startswith("sam: CREATE_FAILED")]
    assert failed_event and "*****" in failed_event[0], bad["problems"]
    kept = [p.stdout, *objects(g).values()]
    pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
    found = [piece for piece in pieces if secrets_in([piece], *kept)]
    assert not found, f"{len(found)} pieces of the NoEcho value kept, e.g. {found[:3]}"
    assert not secrets_in([secret], p.stderr), "the whole value was printed"
