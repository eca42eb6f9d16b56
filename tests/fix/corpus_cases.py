"""The templates `check --fix` is proven on: the seed's two and the vendored public ones."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

CORPUS = Path(__file__).parent / "corpus"
# The seed article's two templates, vendored with the check tests (tests/check/fixtures/seed).
SEED = Path(__file__).resolve().parents[1] / "check" / "fixtures" / "seed"
SEED_TEMPLATES = ("template-canary.yaml", "template-per-env.yaml")
SAM_FUNCTION = "AWS::Serverless::Function"


def cases() -> list[Path]:
    """Every corpus template and the seed's two; a missing one fails collection, never skips."""
    found = sorted(CORPUS.glob("*.yaml"))
    seed = [SEED / name for name in SEED_TEMPLATES]
    missing = [str(p) for p in seed if not p.is_file()] + ([] if found else [str(CORPUS)])
    if missing:
        raise FileNotFoundError(f"test data missing from the repository: {missing}")
    return found + seed


def as_plain(text: str) -> dict[str, Any]:
    """The template as plain JSON data (short tags expanded), as CloudFormation reads it."""
    data, errors = decode_str(text)
    assert not errors, errors
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain


def functions(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, res in template.get("Resources", {}).items():
        if res.get("Type") == SAM_FUNCTION:
            yield name, res.setdefault("Properties", {})


def with_code(template: dict[str, Any], code: str | None = None) -> dict[str, Any]:
    """What `sam package` would hand CloudFormation: code in S3, or (``code``) inline.

    Building and uploading is `sam`'s job, not the fix's: the test stands in for it.
    """
    out = copy.deepcopy(template)
    for res in out.get("Resources", {}).values():
        props = res.get("Properties") or {}
        for key in ("DefinitionUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"s3://lambda-release-test/{key}"
    for _, props in functions(out):
        props.pop("CodeUri", None)
        props.pop("ImageUri", None)
        if code is None:
            props["CodeUri"] = "s3://lambda-release-test/code.zip"
        else:
            props.pop("PackageType", None)
            props["InlineCode"] = code
            props["Handler"] = "index.handler"
            props["Runtime"] = "python3.11"
            props.pop("SnapStart", None)
            props.pop("Architectures", None)
            props.pop("Layers", None)
    return out


def with_local_code(template: dict[str, Any], directory: Path, version: str) -> dict[str, Any]:
    """The app as `sam build` finds it: one python3.11 handler directory per function.

    The corpus vendors templates only; their code (and runtimes this machine may not
    have) is the test's to supply. Everything the fix wrote stays as it is.
    """
    out = copy.deepcopy(template)
    for name, props in functions(out):
        for key in ("ImageUri", "PackageType", "Architectures", "Layers", "SnapStart"):
            props.pop(key, None)
        code = directory / "src" / name.lower()
        code.mkdir(parents=True, exist_ok=True)
        (code / "app.py").write_text(
            f"VERSION = {version!r}\n\n\ndef handler(event, context):\n    return VERSION\n"
        )
        props.update(CodeUri=f"src/{name.lower()}/", Handler="app.handler", Runtime="python3.11")
    return out
