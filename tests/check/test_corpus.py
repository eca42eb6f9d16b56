"""``check`` over the SAM translator's 831 input templates (tests/check/corpus/).

No template crashes the run (a template the rules cannot analyse is exit 2 with
a reason, never an internal error), and the templates known good by SAM's own
output (known-good.txt, rule in corpus/known_good.py) get no finding at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_release.check.batch import check_all
from tests.check.helpers import run_cli

CORPUS = Path(__file__).resolve().parent / "corpus" / "sam-translator"
INPUTS = sorted((CORPUS / "input").glob("*.yaml"))
KNOWN_GOOD = (CORPUS / "known-good.txt").read_text(encoding="utf-8").split()


def test_corpus_is_the_whole_input_set_with_its_licence() -> None:
    assert len(INPUTS) == 831
    assert "Apache License" in (CORPUS / "LICENSE").read_text(encoding="utf-8")
    assert KNOWN_GOOD and all((CORPUS / "input" / name).is_file() for name in KNOWN_GOOD)
    assert not [n for n in KNOWN_GOOD if n.startswith("error_")]


def test_no_template_crashes_the_rules() -> None:
    result = check_all(INPUTS)
    assert result.files == len(INPUTS)
    assert result.problems == []  # every input is analysed, SAM's rejects included
    assert result.findings  # most inputs have functions without aliases: found
    for f in result.findings:
        assert "{'" not in f.message and "['" not in f.message, f  # no Python reprs


def test_known_good_templates_have_no_finding() -> None:
    result = check_all([CORPUS / "input" / name for name in KNOWN_GOOD])
    assert (result.problems, result.findings) == ([], [])


@pytest.mark.e2e
def test_console_script_over_the_corpus_directory_keeps_json_valid() -> None:
    proc = run_cli("check", str(CORPUS / "input"), "--output", "json")
    assert proc.returncode == 1, proc.stderr[-2000:]
    findings = json.loads(proc.stdout)
    assert {Path(f["file"]).name for f in findings} <= {p.name for p in INPUTS}
    assert "Traceback" not in proc.stderr
    assert f"{len(INPUTS)} templates" in proc.stderr
