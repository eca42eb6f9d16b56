"""`check --fix` over the SAM translator's 831 input templates (vendored by issue 16 under
tests/check/corpus/, Apache-2.0): nothing crashes, every fixed file parses, and a
second run changes nothing. (Whether SAM accepts them is test_fix_corpus's question:
many of these inputs are SAM's own error cases.)"""

from __future__ import annotations

from pathlib import Path

from cfnlint.decode import decode_str

from lambda_release.errors import UsageError
from lambda_release.fix.run import fix_text

INPUTS = sorted(
    (Path(__file__).resolve().parents[1] / "check" / "corpus" / "sam-translator" / "input").glob(
        "*.yaml"
    )
)


def test_every_input_is_fixed_or_refused_and_the_fix_is_stable() -> None:
    assert len(INPUTS) > 800, "the SAM translator corpus (tests/check/corpus) is missing"
    fixed = refused = 0
    for path in INPUTS:
        try:
            result = fix_text(path, path.read_text(encoding="utf-8"))
        except UsageError:
            refused += 1  # not a template (SAM's own error cases include such files)
            continue
        if not result.changed:
            continue
        _, errors = decode_str(result.after)
        assert not errors, (path.name, errors)
        again = fix_text(path, result.after)
        assert not again.changed, (path.name, again.diff())
        fixed += 1
    assert fixed > 600 and refused <= 2
