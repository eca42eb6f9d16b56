"""Every AWS operation the product calls was answered, and checked, by the strict stand-in.

After a test run, `build/standin-operations/` holds what each pytest process's stand-in
answered (lambda_release.sandbox.pytest_plugin). The operations the product calls are the
rows of tests/iam/operations.py (each checked against AWS's authorization data by
tests/iam/test_tables.py; the IAM story fails on a call without a row) and every call the
stand-in saw with the product's user agent. Each must have had at least one success answer
checked against its output shape in botocore's model. Prints the list; exit 1 naming the
missing ones.

    python scripts/standin_coverage.py [build/standin-operations]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "build" / "standin-operations"


def newest_run(folder: Path) -> list[dict[str, object]]:
    """The records of the newest run in `folder` (the run of the newest file)."""
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    if not files:
        return []
    records = [json.loads(p.read_text()) for p in files]
    run = records[-1].get("run")
    return [r for r in records if r.get("run") == run]


def successes(records: list[dict[str, object]]) -> tuple[Counter[str], Counter[str]]:
    """(success answers by "service Operation", product calls by the same)."""
    calls: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    product: Counter[str] = Counter()
    for record in records:
        calls.update(record.get("calls", {}))  # type: ignore[arg-type]
        product.update(record.get("product_calls", {}))  # type: ignore[arg-type]
        for key, count in dict(record.get("errors", {})).items():  # type: ignore[call-overload]
            errors[" ".join(str(key).split()[:2])] += int(count)
    return Counter({op: calls[op] - errors[op] for op in calls}), product


def product_operations() -> set[str]:
    sys.path.insert(0, str(ROOT))
    from tests.iam.operations import OPERATIONS  # noqa: PLC0415 - the repository's table

    return {f"{service} {operation}" for service, operation in OPERATIONS}


def missing(records: list[dict[str, object]], required: set[str]) -> list[str]:
    ok, product = successes(records)
    return sorted(op for op in required | set(product) if ok.get(op, 0) <= 0)


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    records = newest_run(folder)
    if not records:
        print(f"no stand-in records in {folder}: run the test suite first", file=sys.stderr)
        return 1
    required = product_operations()
    ok, product = successes(records)
    for op in sorted(required | set(product)):
        print(f"{ok.get(op, 0):7d}  {op}  (product: {product.get(op, 0)})")
    gaps = missing(records, required)
    if gaps:
        print(
            "operations the product calls that no test had the strict stand-in answer "
            f"successfully: {', '.join(gaps)}",
            file=sys.stderr,
        )
        return 1
    print(f"all {len(required | set(product))} operations the product calls were checked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
