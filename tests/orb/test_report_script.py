"""The orb's report step (scripts/report.sh): the report of the release the record names,
into the artifacts folder, its Markdown printed; it never fails the job."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.support.processes import OrbShell

ENV = {"LR_STR_RECORD_FILE": "lr/release.json", "LR_STR_REPORT_DIR": "lr/report"}


def helper(tmp_path: Path, exit_code: int = 0) -> str:
    """A `lambda-release` that writes its arguments into its --output-file; PATH with it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "lambda-release"
    script.write_text(
        "#!/usr/bin/env bash\n"
        'for a in "$@"; do case "$a" in --output-file=*) out="${a#--output-file=}";; esac; done\n'
        'printf "<%s>\\n" "$@" > "$out"\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return f"{bin_dir}:{os.environ['PATH']}"


def record(tmp_path: Path, body: object) -> None:
    path = tmp_path / "lr" / "release.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body))


def test_the_release_the_record_names_is_reported_from_its_log(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    record(tmp_path, {"id": "-r1", "log": {"location": "s3://b/p"}, "outcome": "failed"})
    proc = orb_sh.function("report.sh", "main", {**ENV, "PATH": helper(tmp_path)}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    md = (tmp_path / "lr/report/report.md").read_text().splitlines()
    html = (tmp_path / "lr/report/report.html").read_text().splitlines()
    assert md == [
        "<report>",
        "<--release=-r1>",  # one word, even an id starting with a dash
        "<--log-bucket=s3://b/p>",
        "<--output=markdown>",
        "<--output-file=lr/report/report.md>",
    ]
    assert html[3] == "<--output=html>"
    assert "<--release=-r1>" in proc.stdout  # the Markdown, printed at the end of the job


def test_a_rollbacks_record_names_its_rollback(orb_sh: OrbShell, tmp_path: Path) -> None:
    record(tmp_path, {"rollback": "rb1", "undoes": "r1"})
    proc = orb_sh.function("report.sh", "main", {**ENV, "PATH": helper(tmp_path)}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lr/report/report.md").read_text().splitlines()[1:3] == [
        "<--release=rb1>",
        "<--output=markdown>",
    ]


def test_no_release_recorded_or_no_report_never_fails_the_job(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    record(tmp_path, {"outcome": "unknown", "reason": "the job stopped"})  # the placeholder
    proc = orb_sh.function("report.sh", "main", {**ENV, "PATH": helper(tmp_path)}, tmp_path)
    assert proc.returncode == 0
    assert "No release was recorded" in (tmp_path / "lr/report/report.md").read_text()
    (tmp_path / "lr/release.json").write_text("not json")
    assert orb_sh.function("report.sh", "main", {**ENV, "PATH": helper(tmp_path)}, tmp_path)
    record(tmp_path, {"id": "r1"})
    failing = orb_sh.function("report.sh", "main", {**ENV, "PATH": helper(tmp_path, 1)}, tmp_path)
    assert failing.returncode == 0 and "no report of r1" in failing.stdout
