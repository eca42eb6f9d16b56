"""How long ``lambda-release check`` takes on a 200-function template (goal: under 5 s).

Writes a SAM template with N functions (each with an alias parameter, a canary
with an alarm, an SQS event source mapping and a permission, every tenth one
unqualified so the rules have findings to report), then prints the time of
the console script end to end and of the rules alone (in-process, after
cfn-lint is imported). Prints figures; asserts nothing.

    .venv/bin/python bench/check_bench.py [--functions 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  AliasName:
    Type: String
    Default: STAGING
    AllowedValues: [STAGING, PROD]
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
    AutoPublishAlias: !Ref AliasName
Resources:
"""

FUNCTION = """\
  Fn{i}:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 256
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref Errors{i}]
  Errors{i}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
  Queue{i}:
    Type: AWS::SQS::Queue
  Mapping{i}:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Queue{i}.Arn
      FunctionName: {target}
  Permission{i}:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn{i}.Alias
      Principal: events.amazonaws.com
"""


def write_template(path: Path, functions: int) -> None:
    parts = [HEADER]
    for i in range(functions):
        target = f"!GetAtt Fn{i}.Arn" if i % 10 == 0 else f"!Ref Fn{i}.Alias"
        parts.append(FUNCTION.format(i=i, target=target))
    path.write_text("".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "lambda-release"
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.yaml"
        write_template(template, args.functions)
        size = template.stat().st_size
        cli: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            proc = subprocess.run(
                [str(script), "check", str(template), "--output", "json"],
                capture_output=True,
                text=True,
                check=False,
            )
            cli.append(time.perf_counter() - start)
        findings = proc.stdout.count('"rule"')

        from lambda_release.check.engine import run_rules  # noqa: PLC0415

        run_rules(template)  # imports cfn-lint and its schemas once
        rules: list[float] = []
        for _ in range(args.repeat):
            template.touch()  # a new mtime: the source is decoded again
            start = time.perf_counter()
            run_rules(template)
            rules.append(time.perf_counter() - start)
    print(
        f"check_bench: {args.functions} functions, {size // 1024} KiB, {findings} findings "
        f"(exit {proc.returncode})"
    )
    print(
        f"  console script, end to end: median {statistics.median(cli):.2f} s, "
        f"max {max(cli):.2f} s (goal < 5 s)"
    )
    print(f"  rules only, in-process:     median {statistics.median(rules):.2f} s")


if __name__ == "__main__":
    main()
