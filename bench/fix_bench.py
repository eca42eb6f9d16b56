"""How long ``check --fix`` takes: each corpus template, and one of N bare functions.

Prints, for the vendored corpus (tests/fix/corpus) and a generated template with N
functions that have no guardrails at all, the time of the fix alone (load, edit,
write back with the original bytes kept), of the fix proven as `check --fix` proves
it (SAM translator under each alias, references, `check`, cfn-lint: issue 26) and of
the proven fix plus the re-check that lists what is left. Prints figures; asserts
nothing.

    .venv/bin/python bench/fix_bench.py [--functions 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from lambda_release.fix.run import fix_text, recheck, rules_on

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fix" / "corpus"


def bare(functions: int) -> str:
    lines = ["Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for i in range(functions):
        lines += [
            f"  # function {i}",
            f"  Fn{i}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      CodeUri: src/fn{i}/",
            "      Handler: app.handler",
            "      Runtime: python3.11",
            f"  Perm{i}:",
            "    Type: AWS::Lambda::Permission",
            "    Properties:",
            f"      FunctionName: !GetAtt Fn{i}.Arn",
            "      Action: lambda:InvokeFunction",
            "      Principal: sns.amazonaws.com",
        ]
    return "\n".join(lines) + "\n"


def timed(path: Path, text: str) -> tuple[float, float, float, int]:
    start = time.perf_counter()
    fix_text(path, text, prove_edits=False)
    fixed = time.perf_counter() - start
    start = time.perf_counter()
    result = fix_text(path, text, check=rules_on())
    proven = time.perf_counter() - start
    recheck(result)
    return fixed, proven, time.perf_counter() - start, len(result.changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--functions", type=int, default=200)
    args = parser.parse_args()
    recheck(fix_text(CORPUS / "sns-lambda.yaml", (CORPUS / "sns-lambda.yaml").read_text()))
    fix_times, proof_times, all_times = [], [], []
    for path in sorted(CORPUS.glob("*.yaml")):
        fixed, proven, total, _ = timed(path, path.read_text())
        fix_times.append(fixed)
        proof_times.append(proven)
        all_times.append(total)
    ms = {
        k: v * 1000
        for k, v in (
            ("fix", statistics.median(fix_times)),
            ("fmax", max(fix_times)),
            ("proof", statistics.median(proof_times)),
            ("pmax", max(proof_times)),
            ("all", statistics.median(all_times)),
            ("amax", max(all_times)),
        )
    }
    print(
        f"corpus: {len(fix_times)} templates; fix median {ms['fix']:.0f} ms "
        f"(max {ms['fmax']:.0f} ms); proven fix median {ms['proof']:.0f} ms "
        f"(max {ms['pmax']:.0f} ms); proven fix + re-check median {ms['all']:.0f} ms "
        f"(max {ms['amax']:.0f} ms)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.yaml"
        text = bare(args.functions)
        path.write_text(text)
        fixed, proven, total, changes = timed(path, text)
    print(
        f"{args.functions} bare functions ({len(text.splitlines())} lines): {changes} changes; "
        f"fix {fixed:.2f} s; proven {proven:.2f} s; proven + re-check {total:.2f} s"
    )


if __name__ == "__main__":
    main()
