"""`check --fix` over the vendored public corpora (tests/check/corpora/, issue 26).

327 templates from five public repositories (scripts/vendor_corpora.py; licences and
sources beside them), beside the SAM translator corpus (test_fix_translator_inputs.py).
For every template, the fixer's result:

- keeps every untouched entry byte for byte: each top-level section, resource and
  property whose meaning the fix did not change is found in the fixed text exactly as
  it was written, and every comment line is still there (checked here from the
  original's own key positions, not by the fixer's layout);
- is translated by SAM under every alias value and passes `check` with no finding the
  original did not have, or the fixer listed what it left and why;
- (e2e) gives cfn-lint no error it did not report on the original.

In shards, so that a parallel run spreads the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from lambda_release.errors import UsageError
from lambda_release.fix.document import Document, plain
from lambda_release.fix.proof import _lint_errors, as_data, dangling, translated
from lambda_release.fix.run import FixResult, fix_text, rules_on

CORPORA = Path(__file__).resolve().parents[1] / "check" / "corpora"
REPOS = (
    "serverless-patterns",
    "aws-sam-cli-app-templates",
    "serverless-test-samples",
    "sessions-with-aws-sam",
    "aws-sam-cli",
)
FILES = sorted(p for r in REPOS for p in (CORPORA / r).iterdir() if p.suffix in (".yaml", ".json"))
SHARDS = 12
ALIASES = ("STAGING", "PROD")
# Not templates the fixer can read, and cfn-lint (so `check`) refuses them too: a key
# written twice in one mapping.
REFUSED = {
    "cloudfront-apigw-http-api-lambda-rust.yaml",
    "cognito-sns-sms-origination-id-sam.yaml",
    "lambda-streaming-sdk-sam.yaml",
    "msk-lambda-schema-avro-java-sam--template_original.yaml",
    "appconfig-lambda-extensions.yaml",
}


def test_the_corpora_are_there_with_their_licences_and_sources() -> None:
    assert len(FILES) >= 300
    for repo in REPOS:
        assert (CORPORA / repo / "LICENSE").is_file(), repo
        sources = (CORPORA / repo / "SOURCES.md").read_text(encoding="utf-8")
        assert re.search(r"at commit [0-9a-f]{40}", sources), repo
        for path in (CORPORA / repo).iterdir():
            if path.suffix in (".yaml", ".json"):
                assert f"`{path.name}`" in sources, path
    assert sum(p.stat().st_size for p in FILES) < 3_000_000  # a few MB at most


def _fixed(path: Path, *, lint: bool) -> tuple[str, FixResult] | None:
    text = path.read_text(encoding="utf-8")
    try:
        result = fix_text(path, text, check=rules_on(), lint=lint)
    except UsageError:
        assert path.name in REFUSED, path.name
        return None
    assert path.name not in REFUSED, path.name
    return text, result


# -- untouched entries, byte for byte ---------------------------------------------------


def _spans(lines: list[str], node: Any, end: int) -> Iterator[tuple[Any, Any, int, int]]:
    """(key, value, first line, end line) of each entry of a block mapping as written."""
    keys = list(node)
    firsts = [node.lc.key(k)[0] for k in keys]
    for i, key in enumerate(keys):
        stop = firsts[i + 1] if i + 1 < len(keys) else end
        while stop - 1 > firsts[i] and (
            not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")
        ):
            stop -= 1
        yield key, node[key], firsts[i], stop


def _untouched(
    lines: list[str], old: Any, new: Any, end: int, depth: int = 0
) -> Iterator[tuple[str, str]]:
    """(key path, original text) of every entry whose meaning the fix kept, down to
    properties; a changed entry is entered when both sides are block mappings."""
    for key, value, first, stop in _spans(lines, old, end):
        if not isinstance(new, Mapping) or key not in new:
            continue
        if plain(value) == plain(new[key]):
            yield str(key), "".join(lines[first:stop])
        elif (
            depth < 3
            and isinstance(value, Mapping)
            and value
            and isinstance(new[key], Mapping)
            and not value.fa.flow_style()
            and value.lc.key(next(iter(value)))[0] > first
        ):
            for inner, text in _untouched(lines, value, new[key], stop, depth + 1):
                yield f"{key}.{inner}", text


def _check_untouched(path: Path, before: str, after: str) -> None:
    if before == after or path.suffix == ".json":
        return
    body = before.lstrip("\ufeff").replace("\r\n", "\n")
    old = Document.parse(path, body).data
    new = Document.parse(path, after).data
    lines = body.splitlines(keepends=True)
    fixed = after.replace("\r\n", "\n")
    for where, text in _untouched(lines, old, new, len(lines)):
        # the original's last line may have gained the newline it lacked
        assert text in fixed or text + "\n" in fixed, (path.name, where, text[:300])
    comments = [ln.strip() for ln in lines if ln.lstrip().startswith("#")]
    kept = [ln.strip() for ln in fixed.splitlines() if ln.lstrip().startswith("#")]
    assert all(kept.count(c) >= comments.count(c) for c in set(comments)), path.name


# -- the result works ----------------------------------------------------------------


def _check_works(path: Path, before: str, result: FixResult) -> None:
    if not result.changed:
        return
    old, new = as_data(before), as_data(result.after)
    assert new is not None, path.name
    base = translated(old, ("AliasName", ALIASES[0]))
    if not isinstance(base, str):
        for alias in ALIASES:
            out = translated(new, ("AliasName", alias))
            assert not isinstance(out, str), (path.name, alias, out)
            assert dangling(out) <= dangling(base), (path.name, dangling(out) - dangling(base))
    # what the fixer left, it listed: no line of its own says a group failed silently
    assert all(":" in item for item in result.left), result.left


def _shard(k: int) -> list[Path]:
    return FILES[k::SHARDS]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_untouched_lines_stay_and_every_fix_translates(shard: int) -> None:
    fixed = 0
    for path in _shard(shard):
        done = _fixed(path, lint=False)
        if done is None:
            continue
        before, result = done
        _check_untouched(path, before, result.after)
        _check_works(path, before, result)
        fixed += result.changed
    # over the corpora 310 of 327 files change; a fix that stopped acting would show
    assert fixed >= 0.8 * len(_shard(shard)), fixed


@pytest.mark.e2e
@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_fix_gives_cfn_lint_a_new_error(shard: int) -> None:
    for path in _shard(shard):
        done = _fixed(path, lint=True)
        if done is None or not done[1].changed:
            continue
        before, result = done
        added = _lint_errors(result.after) - _lint_errors(before)
        assert not added, (path.name, sorted(added), result.left)
