"""Each target's artifacts bucket in the target's own region, checked before anything is
released: Lambda reads a function's code only from a bucket in the function's region, and
says so only when CloudFormation creates or updates the function, late in the member's
release. One ``HeadBucket`` per distinct bucket: it answers the bucket's region
(``x-amz-bucket-region``, ``BucketRegion``) whether or not the caller may read the bucket,
which AWS recommends over ``GetBucketLocation`` (docs/sandbox.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import parallel_map
from lambda_release.group.plan import Member
from lambda_release.names import printable

MISSING = ""  # the bucket's region when it does not exist
UNKNOWN = None  # not told (refused without the header): the member's own release will say


@dataclass(frozen=True)
class Artifacts:
    """A member's artifacts bucket, where it came from, and its place in the file."""

    member: Member
    where: str  # waves[n].targets[i]
    bucket: str
    source: str  # "s3_bucket" (the file) or "samconfig's s3_bucket"


def bucket_region(s3: Any, bucket: str) -> str | None:
    """The bucket's region, ``MISSING`` when it does not exist, ``UNKNOWN`` when S3 did not
    say. botocore follows S3's redirect to the bucket's region (a 301 from another
    region's endpoint), so the answer is the bucket's own."""
    try:
        found = s3.head_bucket(Bucket=bucket)
    except botocore.exceptions.ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("404", "NoSuchBucket"):
            return MISSING
        headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        if code in ("403", "301", "400") and headers.get("x-amz-bucket-region"):
            return str(headers["x-amz-bucket-region"])
        if code == "403":
            return UNKNOWN
        raise
    region = found.get("BucketRegion") or (
        found.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
    )
    return str(region) if region else UNKNOWN


def regions_of(
    artifacts: list[Artifacts], s3_for: Callable[[Member], Any]
) -> dict[str, str | None]:
    """Each distinct bucket's region, asked once (through its first member's client), the
    buckets side by side (a call to each region's S3)."""
    first: dict[str, Member] = {}
    for a in artifacts:
        first.setdefault(a.bucket, a.member)
    found = parallel_map(lambda b: bucket_region(s3_for(first[b]), b), list(first))
    return dict(zip(first, found, strict=True))


def problems(artifacts: list[Artifacts], regions: Mapping[str, str | None]) -> list[str]:
    """Each member whose bucket is missing or in another region, naming the target, the
    bucket, its region and the fix (pure)."""
    out: list[str] = []
    for a in artifacts:
        m, found = a.member, regions.get(a.bucket, UNKNOWN)
        target = f"{a.where} (stack {m.stack} in {m.region})"
        if found == MISSING:
            out.append(
                f"{target}: {a.source} {printable(a.bucket)} does not exist: create it in "
                f"{m.region}, or name an artifacts bucket in {m.region} there"
            )
        elif found is not UNKNOWN and found != m.region:
            out.append(
                f"{target}: {a.source} {printable(a.bucket)} is in {found}, not {m.region}: "
                "Lambda reads a function's code only from a bucket in the function's region; "
                f"give this target a bucket in {m.region}"
            )
    return out
