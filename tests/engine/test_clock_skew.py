"""Issue 28 item 4: settling a release whose sam exit code is lost, on a runner whose clock is
minutes off AWS's (the stand-in's clock offset moves CloudFormation's and CodeDeploy's times
and every answer's Date header).

AWS accepts requests signed by a clock up to 15 minutes off its own (Common Errors,
`RequestExpired`); a runner 10 minutes off still deploys. A job killed while sam ran leaves its
release pending; the next command settles it from what AWS shows, without sam's exit code.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from lambda_release.log import lock
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from lambda_release.sandbox import Sandbox
from tests.rollback.stackkit import Kit, code_key, function_code, template
from tests.support.aws_state import wait_for_stack

TEN_MINUTES = 600.0


@pytest.fixture(params=[-TEN_MINUTES, TEN_MINUTES], ids=["runner-ahead", "runner-behind"])
def skewed(
    request: pytest.FixtureRequest, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Kit]:
    """A kit whose stack lives wholly in AWS's skewed clock (set before it is created)."""
    sandbox.clock_offset = request.param
    try:
        kit = Kit.in_env(sandbox, monkeypatch, "skew")
        kit.release({"A": "1"})
        yield kit
    finally:
        sandbox.clock_offset = 0.0


def failing_update(kit: Kit) -> str:
    """A new version of A beside a resource CloudFormation cannot create: the update fails
    and rolls back (UPDATE_ROLLBACK_COMPLETE)."""
    kit.code["A"] = "2"
    s3 = kit.sandbox.client("s3")
    s3.put_object(Bucket=kit.bucket, Key=code_key("A", "2"), Body=function_code("A", "2"))
    body = yaml.safe_load(template(kit.code, kit.bucket))
    body["Resources"]["Broken"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": "no-such-function-anywhere",
            "Principal": "s3.amazonaws.com",
        },
    }
    return str(yaml.safe_dump(body))


def killed_release(kit: Kit, body: str | None) -> str:
    """A release begun, its stack update (`body`; None: none made) run to its end, its job
    killed before sam's exit code was recorded; settled as the next command settles it."""
    engine, log = kit.engine(), kit.log()
    entry, _lease, problems = begin(
        engine, log, environment="t", mode="deploy", lock_ttl=300, lock_timeout=5
    )
    assert not problems and entry is not None
    if body is not None:
        kit.submit(body)
        wait_for_stack(kit.sandbox.client("cloudformation"), kit.stack)
    release, _, _ = settle(engine, log, entry, sam_exit_code=None, settled_by="next-command")
    lock.release(log, str(entry["id"]))
    return release.outcome


def test_a_release_whose_update_failed_settles_failed_whatever_the_runners_clock(
    skewed: Kit,
) -> None:
    assert killed_release(skewed, failing_update(skewed)) == "failed"


def test_an_older_failure_is_not_taken_for_a_release_that_changed_nothing(skewed: Kit) -> None:
    """The stack is UPDATE_ROLLBACK_COMPLETE from the release before; this one changed
    nothing (its job was killed before sam made a change set): no-change, not failed."""
    assert killed_release(skewed, failing_update(skewed)) == "failed"
    assert killed_release(skewed, None) == "no-change"
