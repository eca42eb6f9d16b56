"""Issue 30: `deploy` reads the lease and lists the newest entries where the log most likely
is, beside the stack read, before it knows the log is there. Attacked through the console
script: the lease broken, held by someone, or gone when read ahead; each time the release is
refused or made as without the read ahead, and the log's story agrees with the aliases.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambda_release.aws.trace import read_trace
from lambda_release.log import lock
from lambda_release.log.location import LogLocation
from lambda_release.log.store import ReleaseLog
from tests.engine.conftest import App, make_app  # noqa: F401 - the fixture
from tests.hostile.lease_object import listings


def log_of(app: App) -> ReleaseLog:
    return ReleaseLog(app.sandbox.client("s3"), LogLocation(app.bucket), app.stack, "PROD")


def history(app: App) -> list[dict[str, Any]]:
    p = app.lr("history", "--stack", app.stack, "--alias", "PROD", "--output", "json")
    assert p.returncode == 0, p.stderr
    return list(json.loads(p.stdout))


def deploy(app: App, trace: Path, *extra: str) -> Any:
    env = dict(app.env, LAMBDA_RELEASE_TRACE_AWS=str(trace), LAMBDA_RELEASE_POLL_INTERVAL="3600")
    trace.unlink(missing_ok=True)
    return app.lr(*app.deploy_args("--output", "json", *extra), env=env)


def released_once(make: Callable[..., App], tmp_path: Path) -> tuple[App, Path, ReleaseLog]:
    """A one-function app released once (its log begun), its code changed for the next."""
    app = make(functions=("A",))
    trace = tmp_path / "trace.jsonl"
    assert deploy(app, trace).returncode == 0
    app.change_code("2", ("A",))
    return app, trace, log_of(app)


def test_a_lease_that_is_not_json_refuses_the_release(
    make_app: Callable[..., App],  # noqa: F811
    tmp_path: Path,
) -> None:
    app, trace, log = released_once(make_app, tmp_path)
    app.sandbox.client("s3").put_object(Bucket=app.bucket, Key=log.lock_key, Body=b"{not json")
    refused = deploy(app, trace)
    assert refused.returncode == 1, refused.stderr
    assert "Traceback" not in refused.stderr
    assert f"s3://{app.bucket}/{log.lock_key} is not JSON" in refused.stderr
    # Nothing written, nothing released: the one release of before, and no sam run.
    assert [r["outcome"] for r in history(app)] == ["succeeded"]
    ops = [c["operation"] for c in read_trace(str(trace))]
    assert "PutObject" not in ops and "GetFunction" not in ops


def test_a_lease_held_when_read_ahead_is_refused_then_taken_once_given_back(
    make_app: Callable[..., App],  # noqa: F811
    tmp_path: Path,
) -> None:
    app, trace, log = released_once(make_app, tmp_path)
    theirs = lock.acquire(log, "someone-else", mode="deploy", ttl=120, timeout=0)
    refused = deploy(app, trace)
    assert refused.returncode == 1, refused.stderr
    assert "is locked by release someone-else" in refused.stderr
    assert [r["outcome"] for r in history(app)] == ["succeeded"]
    assert lock.release(log, "someone-else", theirs)
    done = deploy(app, trace)
    assert done.returncode == 0, done.stderr
    releases = history(app)
    assert [r["outcome"] for r in releases] == ["succeeded", "succeeded"]
    # That holder wrote nothing and handed on the head it was given (with when its holder
    # listed): the newest entries still confirm it, so no settlements were listed.
    assert listings(trace) == [f"{log.base}newest/"]


def test_a_lease_deleted_is_made_again_and_the_log_listed(
    make_app: Callable[..., App],  # noqa: F811
    tmp_path: Path,
) -> None:
    app, trace, log = released_once(make_app, tmp_path)
    app.sandbox.client("s3").delete_object(Bucket=app.bucket, Key=log.lock_key)
    done = deploy(app, trace)
    assert done.returncode == 0, done.stderr
    first, second = history(app)[::-1]
    assert second["id"] > first["id"]  # the newest id was listed, not taken from a head
    assert f"{log.base}settled/" in listings(trace)
    body = json.loads(
        app.sandbox.client("s3").get_object(Bucket=app.bucket, Key=log.lock_key)["Body"].read()
    )
    assert body["released"] and body["head"]["newest"] == second["id"]
