"""Which targets' artifacts buckets a group refuses (pure): a bucket missing, or in another
region than its target, each named with its place in the file, its region and the fix;
a bucket whose region S3 did not tell is left to the member's own release."""

from __future__ import annotations

from lambda_release.group.buckets import MISSING, UNKNOWN, Artifacts, problems
from lambda_release.group.model import Target
from lambda_release.group.plan import Member


def artifacts(region: str, bucket: str, where: str = "waves[0].targets[0]") -> Artifacts:
    m = Member(1, f"orders-{region}", region, "PROD", Target(region=region, stack="x"))
    return Artifacts(m, where, bucket, "s3_bucket")


def test_a_bucket_in_its_targets_region_is_good() -> None:
    assert problems([artifacts("eu-west-1", "b")], {"b": "eu-west-1"}) == []


def test_a_bucket_in_another_region_names_the_target_the_bucket_its_region_and_the_fix() -> None:
    (one,) = problems([artifacts("eu-west-1", "b", "waves[1].targets[2]")], {"b": "us-east-1"})
    assert one == (
        "waves[1].targets[2] (stack orders-eu-west-1 in eu-west-1): s3_bucket 'b' is in "
        "us-east-1, not eu-west-1: Lambda reads a function's code only from a bucket in the "
        "function's region; give this target a bucket in eu-west-1"
    )


def test_a_missing_bucket_is_named() -> None:
    (one,) = problems([artifacts("us-east-1", "gone")], {"gone": MISSING})
    assert "s3_bucket 'gone' does not exist: create it in us-east-1" in one


def test_a_region_not_told_is_left_to_the_members_release() -> None:
    assert problems([artifacts("us-east-1", "b")], {"b": UNKNOWN}) == []


def test_every_target_of_a_shared_bucket_is_named() -> None:
    shared = [
        artifacts("us-east-1", "b", "waves[0].targets[0]"),
        artifacts("eu-west-1", "b", "waves[1].targets[0]"),
        artifacts("ap-southeast-2", "b", "waves[1].targets[1]"),
    ]
    found = problems(shared, {"b": "us-east-1"})
    assert [p.split(" ", 1)[0] for p in found] == ["waves[1].targets[0]", "waves[1].targets[1]"]
