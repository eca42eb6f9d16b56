"""scripts/standin_coverage.py: every operation the product calls had a checked success answer."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import standin_coverage


def record(folder: Path, worker: str, run: str, age: int, **data: object) -> None:
    path = folder / f"{worker}.json"
    path.write_text(json.dumps({"run": run, **data}))
    os.utime(path, (1_000_000 + age, 1_000_000 + age))


def test_the_newest_runs_records_are_summed_and_errors_are_not_successes(
    tmp_path: Path,
) -> None:
    record(tmp_path, "old", "r0", 0, calls={"lambda GetAlias": 5})
    record(tmp_path, "gw0", "r1", 1, calls={"lambda GetAlias": 2, "s3 PutObject": 1})
    record(
        tmp_path,
        "gw1",
        "r1",
        2,
        calls={"lambda GetAlias": 1, "lambda CreateAlias": 1},
        errors={"lambda CreateAlias ResourceConflictException": 1},
        product_calls={"s3 PutObject": 1},
    )
    records = standin_coverage.newest_run(tmp_path)
    assert len(records) == 2
    ok, product = standin_coverage.successes(records)
    assert ok == {"lambda GetAlias": 3, "s3 PutObject": 1, "lambda CreateAlias": 0}
    assert product == {"s3 PutObject": 1}
    # Only errors answered, or never called: not covered.
    assert standin_coverage.missing(records, {"lambda CreateAlias", "sns ListSubscriptions"}) == [
        "lambda CreateAlias",
        "sns ListSubscriptions",
    ]
    assert standin_coverage.missing(records, {"lambda GetAlias"}) == []


def test_the_products_operations_are_the_iam_tables_rows() -> None:
    ops = standin_coverage.product_operations()
    assert {"lambda GetAlias", "cloudformation DescribeStacks", "s3 PutObject"} <= ops


def test_no_records_is_a_failure(tmp_path: Path) -> None:
    assert standin_coverage.main(["x", str(tmp_path)]) == 1
