"""Concurrent PUTs of one S3 key all succeed, as on S3 (the latest wins): a group's members
upload the same artifact (`sam` names it by its content) at once. moto closed the replaced
object under the request still computing its ETag: a 500 ("I/O operation on closed file")
failed a member's `sam deploy` in bench/group_bench.py."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lambda_release.sandbox import Sandbox

BODY = b"x" * 200_000  # an artifact's size: big enough that hashing it takes a moment


def test_one_key_put_and_read_from_many_threads_at_once(
    sandbox: Sandbox, unique: Callable[[str], str]
) -> None:
    bucket = unique("overwrites")
    sandbox.client("s3").create_bucket(Bucket=bucket)

    def hammer(worker: int) -> list[str]:
        s3 = sandbox.client("s3")  # a client per thread, as sam's processes have
        seen = []
        for n in range(15):
            s3.put_object(Bucket=bucket, Key="artifact.zip", Body=BODY)
            got = s3.get_object(Bucket=bucket, Key="artifact.zip")["Body"].read()
            seen.append("ok" if got == BODY else f"{worker}.{n}: {len(got)} bytes")
        return seen

    with ThreadPoolExecutor(8) as pool:
        results = [r for rs in pool.map(hammer, range(8)) for r in rs]
    assert results == ["ok"] * 120


def test_a_replaced_object_stays_readable_by_the_request_that_holds_it(sandbox: Sandbox) -> None:
    """The interleaving itself, in the stand-in's S3 model: PUT A stores its object, PUT B
    replaces it, then A answers with its object's ETag (and a GET that found A reads it)."""
    from moto.s3.models import S3Backend  # noqa: PLC0415 - the stand-in's model, not boto3

    backend = S3Backend("us-east-1", sandbox.account_id)
    backend.create_bucket("race", "us-east-1")
    first = backend.put_object("race", "artifact.zip", BODY)
    second = backend.put_object("race", "artifact.zip", BODY + b"y")
    assert first.etag and first.value == BODY  # moto closed it here: ValueError
    assert backend.get_object("race", "artifact.zip") is second
