"""The rolled-back-code guard hashes a built function exactly as `sam deploy` zips it."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from lambda_release.template.built_code import built_code, sam_zip_sha256


def write_function(directory: Path, version: str) -> None:
    (directory / "pkg").mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(f"V = {version!r}\n")
    (directory / "pkg" / "util.py").write_text("def f():\n    return 1\n")


def test_the_hash_is_that_of_the_sam_clis_own_zip(tmp_path: Path) -> None:
    from samcli.lib.package import utils  # noqa: PLC0415 - the sam extra, imported where used

    src = tmp_path / "fn"
    write_function(src, "1")
    made = utils.make_zip(str(tmp_path / "out"), str(src))
    expected = base64.b64encode(hashlib.sha256(Path(made).read_bytes()).digest()).decode()
    assert sam_zip_sha256(src) == expected
    write_function(src, "2")
    assert sam_zip_sha256(src) != expected


def test_built_code_reads_the_build_template(tmp_path: Path) -> None:
    build = tmp_path / ".aws-sam" / "build"
    write_function(build / "AFunction", "1")
    (build / "template.yaml").write_text(
        "Resources:\n"
        "  AFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: AFunction, Handler: app.handler, Runtime: python3.11,\n"
        "                 AutoPublishAlias: !Ref AliasName}\n"
        "  Img:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {PackageType: Image, ImageUri: x}\n"
    )
    assert built_code(build / "template.yaml") == {"AFunction": sam_zip_sha256(build / "AFunction")}
    assert built_code(tmp_path / "missing.yaml") == {}
