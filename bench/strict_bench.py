"""Strict mode's cost: the same calls against a plain and a strict stand-in, in turns.

    .venv/bin/python bench/strict_bench.py --rounds 5

A round makes a stack (CloudFormation, a function with versions and an alias), then reads it
the way a release does (DescribeStacks, ListStackResources, DescribeStackEvents, GetTemplate,
ListAliases, GetAlias, ListVersionsByFunction, S3 puts and lists): about 60 answers. Prints
the wall time per round of each, and the time strict mode spent checking (the rest of its
cost is the capture of each answer). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lambda_release.sandbox import Sandbox  # noqa: E402

TEMPLATE = """
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/bench
      Code: {ZipFile: "def handler(e, c): return 1"}
  V1:
    Type: AWS::Lambda::Version
    Properties: {FunctionName: !Ref Fn}
  Alias:
    Type: AWS::Lambda::Alias
    Properties: {FunctionName: !Ref Fn, FunctionVersion: !GetAtt V1.Version, Name: PROD}
"""


def one_round(sandbox: Sandbox) -> float:
    cfn, lam, s3 = (sandbox.client(s) for s in ("cloudformation", "lambda", "s3"))
    stack, bucket = f"b-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    cfn.create_stack(StackName=stack, TemplateBody=TEMPLATE)
    while cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"].endswith("PROGRESS"):
        time.sleep(0.01)
    fn = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Fn")
    name = fn["StackResourceDetail"]["PhysicalResourceId"]
    s3.create_bucket(Bucket=bucket)
    for i in range(10):
        cfn.describe_stacks(StackName=stack)
        cfn.list_stack_resources(StackName=stack)
        cfn.describe_stack_events(StackName=stack)
        cfn.get_template(StackName=stack)
        lam.list_aliases(FunctionName=name)
        lam.get_alias(FunctionName=name, Name="PROD")
        lam.list_versions_by_function(FunctionName=name)
        s3.put_object(Bucket=bucket, Key=f"k/{i}", Body=b"{}")
        s3.list_objects_v2(Bucket=bucket, Prefix="k/")
    return time.perf_counter() - started


def checking_seconds() -> float:
    module: Any = sys.modules.get("lambda_release.sandbox.strict")
    return float(module.CHECKS.seconds) if module is not None else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with Sandbox(port=0) as plain, Sandbox(port=0, strict=True) as strict:
        plain.client("iam").create_role(RoleName="bench", AssumeRolePolicyDocument="{}")
        one_round(plain), one_round(strict)  # warm both: moto's and botocore's first loads
        times: dict[str, list[float]] = {"plain": [], "strict": []}
        checked_before = checking_seconds()
        for _ in range(args.rounds):
            times["plain"].append(one_round(plain))
            times["strict"].append(one_round(strict))
        checked = checking_seconds() - checked_before
    for name, got in times.items():
        print(f"{name:6s}: median {statistics.median(got):.3f} s per round, best {min(got):.3f} s")
    plain_s, strict_s = statistics.median(times["plain"]), statistics.median(times["strict"])
    print(
        f"strict mode: +{(strict_s / plain_s - 1) * 100:.1f} % wall time per round; "
        f"{checked / args.rounds * 1000:.1f} ms of checking per round "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
