"""``check`` over the SAM translator's 831 input templates (tests/check/corpus/).

No template crashes the run (the one input that is no template at all is
exit 2 with a reason, never an internal error), and the templates known good by SAM's own
output (known-good.txt, rule in corpus/known_good.py) get no finding at all.
"""

from __future__ import annotations

import json
from pathlib import Path

from lambda_release.check.batch import check_all
from tests.support.processes import Cli

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
    # Every input is analysed, SAM's rejects included, but for what is no template at all.
    assert [(Path(p.file).name, p.exit_code) for p in result.problems] == [
        ("error_invalid_template.yaml", 2)
    ]
    assert result.findings  # most inputs have functions without aliases: found
    for f in result.findings:
        assert "{'" not in f.message and "['" not in f.message, f  # no Python reprs


def test_known_good_templates_have_no_finding() -> None:
    result = check_all([CORPUS / "input" / name for name in KNOWN_GOOD])
    assert (result.problems, result.findings) == ([], [])


def test_console_script_over_the_corpus_directory_keeps_json_valid(lr: Cli) -> None:
    proc = lr("check", str(CORPUS / "input"), "--output", "json")
    assert proc.returncode == 2, proc.stderr[-2000:]  # error_invalid_template.yaml
    findings = json.loads(proc.stdout)
    assert {Path(f["file"]).name for f in findings} <= {p.name for p in INPUTS}
    assert "Traceback" not in proc.stderr
    (reason,) = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert "error_invalid_template.yaml" in reason
    assert f"{len(INPUTS)} templates" in proc.stderr and "1 not checked" in proc.stderr
