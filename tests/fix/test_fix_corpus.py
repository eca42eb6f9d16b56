"""`check --fix` on the seed's templates and 25 public SAM templates of different shapes.

For each: the real SAM translator accepts the result, `check` then finds no error,
every line the fix did not mean to touch is byte-identical, and a second run changes
nothing. (Deploying the results with a canary: test_fixed_deploys.py.)
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from lambda_release.fix.run import fix_text, recheck
from lambda_release.sandbox.sam_transform import translate
from tests.fix.corpus_cases import as_plain, cases, functions, with_code

CASES = cases()
# An EventBridge target Id repeats the rule's fixed Name: renaming the rule alone might
# break whatever else uses that name, so the fix lists it instead.
LEFT_ON_PURPOSE = {"lambda-inspector-scans.yaml"}


def test_the_corpus_is_large_and_varied() -> None:
    corpus = [p for p in CASES if p.parent.name == "corpus"]
    assert len(corpus) >= 20
    sources = (corpus[0].parent / "SOURCES.md").read_text()
    assert all(p.name in sources for p in corpus)
    text = "\n".join(p.read_text() for p in corpus)
    for shape in (
        "Globals:",
        "AWS::Lambda::Permission",
        "DefinitionBody",
        "Type: SQS",
        "AWS::Serverless::StateMachine",
        "FunctionName:",
        "AutoPublishAlias",
    ):
        assert shape in text, shape


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_fixed_template_translates_passes_check_and_keeps_the_rest(path: Path) -> None:
    original = path.read_text()
    result = fix_text(path, original)
    assert result.changed
    recheck(result)
    errors = [f for f in result.remaining if f.severity == "error"]
    # What the fix could not do safely it says so, by resource; nothing is left silently.
    assert all(any(item.startswith(f"{f.resource}.") for item in result.left) for f in errors)
    assert len(errors) <= len(result.left)
    if path.name not in LEFT_ON_PURPOSE:
        assert errors == []

    fixed = as_plain(result.after)
    translated = translate(with_code(fixed), {"AliasName": "PROD"}, "us-east-1", "123456789012")
    types = {r["Type"] for r in translated["Resources"].values()}
    assert {"AWS::Lambda::Alias", "AWS::CodeDeploy::DeploymentGroup"} <= types
    for name, _ in functions(fixed):
        assert f"{name}AliasPROD" in translated["Resources"]

    # Untouched parts are byte-identical: a line of the original disappears only where
    # the fix changed that very property or reference.
    touched = {c.split(":")[0].split(".")[-1] for c in result.changes}
    names = {n for n, _ in functions(fixed)}
    before, after = original.splitlines(keepends=True), result.after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        for line in before[i1:i2] if tag in ("replace", "delete") else []:
            key = line.strip().split(":")[0].lstrip("- ")
            eof = line is before[-1] and not line.endswith("\n")
            assert eof or key in touched or any(n in line for n in names), line

    again = fix_text(path, result.after)
    assert not again.changed, again.diff()
