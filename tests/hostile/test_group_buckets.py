"""An artifacts bucket in another region than its target (issue 33 leftovers), through the
console script against the stand-in: Lambda refuses to read a function's code from a
bucket in another region, late, once CloudFormation creates or updates the function. The
group refuses it before anything is built, written or released (exit 2, naming the target,
the bucket, its region and the fix), with one HeadBucket per distinct bucket, in
`--dry-run` too; a bucket that does not exist likewise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lambda_release.aws.trace import read_trace
from tests.group.conftest import Group, group_app, make_app
from tests.group.test_group_e2e import REGIONS
from tests.hostile.test_group_e2e_hostile import objects

__all__ = ["group_app", "make_app"]


def with_bucket(g: Group, index: int, bucket: str) -> str:
    """The file with one target's s3_bucket replaced; that target's place in the file."""
    body = yaml.safe_load(g.file.read_text())
    places = [(n, i) for n, w in enumerate(body["waves"]) for i in range(len(w["targets"]))]
    n, i = places[index]
    body["waves"][n]["targets"][i]["s3_bucket"] = bucket
    g.file.write_text(yaml.safe_dump(body, sort_keys=False))
    return f"waves[{n}].targets[{i}]"


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_bucket_in_another_region_is_refused_before_anything_is_released(
    group_app: Callable[..., Group], tmp_path: Path, dry_run: bool
) -> None:
    g = group_app(regions=REGIONS)
    (stack, region), home = g.stacks[-1], REGIONS[0]
    assert region != home
    where = with_bucket(g, len(g.stacks) - 1, g.buckets[home])  # wave 2's, far from home
    before = objects(g)
    trace = tmp_path / "trace.jsonl"
    env = {**g.app.env, "LAMBDA_RELEASE_TRACE_AWS": str(trace)}
    args = ("group", "deploy", str(g.file), *(("--dry-run",) if dry_run else ()))
    p = g.app.lr(*args, env=env)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    said = p.stderr
    assert f"{where} (stack {stack} in {region}): s3_bucket '{g.buckets[home]}'" in said, said
    assert f"is in {home}, not {region}" in said and f"a bucket in {region}" in said, said
    assert objects(g) == before, "something was written before the refusal"
    assert set(g.versions().values()) == {None}, "a member was released"
    assert not (g.app.directory / ".aws-sam" / "group").exists(), "a template was built"
    calls = [c for c in read_trace(str(trace)) if c["service"] == "s3"]
    heads = Counter(c["params"].get("Bucket") for c in calls if c["operation"] == "HeadBucket")
    assert heads == Counter(set(g.buckets.values())), heads  # one call per distinct bucket
    assert {c["operation"] for c in calls} == {"HeadBucket"}, calls


def test_a_bucket_that_does_not_exist_is_refused(group_app: Callable[..., Group]) -> None:
    g = group_app()
    where = with_bucket(g, 0, "no-such-bucket-lambda-release")
    before = objects(g)
    p = g.lr("deploy", str(g.file), "--dry-run")
    assert p.returncode == 2, p.stderr
    assert f"{where} (stack {g.stacks[0][0]} in {g.stacks[0][1]})" in p.stderr, p.stderr
    assert "s3_bucket 'no-such-bucket-lambda-release' does not exist" in p.stderr, p.stderr
    assert objects(g) == before
