"""How long ``lambda-release check`` takes, beside cfn-lint on the same files.

Three cases, each printed with wall and CPU time (the CPU time is what the
machine's other load does not change):

1. a SAM template with N functions (each with an alias parameter, a canary
   with an alarm, an SQS event source mapping and a permission, every tenth
   one unqualified so the rules have findings): console script end to end and
   the rules alone, in-process;
2. one template of 1 MiB (CloudFormation's limit; goal: under 5 s), built the
   same way, beside plain ``cfn-lint`` on it;
3. the SAM translator's 831 inputs (tests/check/corpus/) in one run, beside one
   process per template and beside ``cfn-lint`` (with and without our rules)
   on the same files.

Prints figures; asserts nothing.

    .venv/bin/python bench/check_bench.py [--functions 200] [--kib 1024] [--files 831]
                                          [--no-cfn-lint]
"""

from __future__ import annotations

import argparse
import os
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


CORPUS = Path(__file__).resolve().parents[1] / "tests" / "check" / "corpus" / "sam-translator"


def timed(argv: list[str]) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the child, exit code, stdout) of one command."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu, proc.returncode, proc.stdout


def row(label: str, wall: float, cpu: float, extra: str = "") -> str:
    return f"  {label:<44} wall {wall:7.2f} s  cpu {cpu:7.2f} s  {extra}"


def bench_big(bin_dir: Path, tmp: Path, kib: int, with_cfnlint: bool) -> None:
    """One template of about ``kib`` KiB (CloudFormation's own limit is 1 MiB)."""
    functions = 10
    template = tmp / "big.yaml"
    while True:  # grow until the size is reached (about 800 bytes a function)
        write_template(template, functions)
        if template.stat().st_size >= kib * 1024:
            break
        functions = int(functions * kib * 1024 / template.stat().st_size) + 1
    size = template.stat().st_size
    print(f"check_bench: one template, {functions} functions, {size / 1024:.0f} KiB")
    wall, cpu, code, out = timed(
        [str(bin_dir / "lambda-release"), "check", str(template), "--output", "json"]
    )
    found = out.count('"rule"')
    print(row("lambda-release check (goal < 5 s)", wall, cpu, f"exit {code}, {found} findings"))
    if with_cfnlint:
        wall, cpu, code, out = timed([str(bin_dir / "cfn-lint"), str(template)])
        print(row("cfn-lint (its own rules)", wall, cpu, f"exit {code}"))


def bench_many(bin_dir: Path, count: int, with_cfnlint: bool) -> None:
    """The SAM translator's inputs: one process for all, against one per template."""
    files = sorted((CORPUS / "input").glob("*.yaml"))[:count]
    print(f"check_bench: {len(files)} templates (SAM translator inputs), one run")
    check = [str(bin_dir / "lambda-release"), "check", "--output", "json"]
    wall, cpu, code, out = timed([*check, *map(str, files)])
    found = out.count('"rule"')
    print(
        row(
            "lambda-release check, one process",
            wall,
            cpu,
            f"exit {code}, {found} findings, {wall / len(files) * 1000:.0f} ms a template",
        )
    )
    sample = files[:10]
    per_wall = per_cpu = 0.0
    for f in sample:
        w, c, _, _ = timed([*check, str(f)])
        per_wall, per_cpu = per_wall + w, per_cpu + c
    n = len(files) / len(sample)
    print(row("lambda-release check, a process each (est.)", per_wall * n, per_cpu * n))
    if with_cfnlint:
        wall, cpu, code, _ = timed([str(bin_dir / "cfn-lint"), "--", *map(str, files)])
        print(row("cfn-lint (its own rules), one process", wall, cpu, f"exit {code}"))
        rules = ["--append-rules", "lambda_release.check.rules", "--include-checks", "I"]
        wall, cpu, code, _ = timed([str(bin_dir / "cfn-lint"), *rules, "--", *map(str, files)])
        print(row("cfn-lint + our rules, one process", wall, cpu, f"exit {code}"))


def bench_functions(script: Path, functions: int, repeat: int) -> None:
    """The original case: N functions, console script and rules in-process."""
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.yaml"
        write_template(template, functions)
        size = template.stat().st_size
        cli: list[float] = []
        for _ in range(repeat):
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
        for _ in range(repeat):
            template.touch()  # a new mtime: the source is decoded again
            start = time.perf_counter()
            run_rules(template)
            rules.append(time.perf_counter() - start)
    print(
        f"check_bench: {functions} functions, {size // 1024} KiB, {findings} findings "
        f"(exit {proc.returncode})"
    )
    print(
        f"  console script, end to end: median {statistics.median(cli):.2f} s, "
        f"max {max(cli):.2f} s (goal < 5 s)"
    )
    print(f"  rules only, in-process:     median {statistics.median(rules):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kib", type=int, default=1024, help="size of the big template")
    parser.add_argument("--files", type=int, default=831, help="corpus templates to check")
    parser.add_argument(
        "--no-cfn-lint", action="store_true", help="skip cfn-lint's figures (minutes on 1 MiB)"
    )
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times suffer)")
    bench_functions(bin_dir / "lambda-release", args.functions, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        bench_big(bin_dir, Path(tmp), args.kib, not args.no_cfn_lint)
    bench_many(bin_dir, args.files, not args.no_cfn_lint)


if __name__ == "__main__":
    main()
