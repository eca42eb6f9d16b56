"""What ``sam build`` produced: each zip function's code directory, and the CodeSha256
Lambda will report for it once ``sam deploy`` has zipped and uploaded it."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path

from lambda_release.errors import OperationError
from lambda_release.template.cfn import read_template


def built_function_dirs(template_path: Path) -> dict[str, Path]:
    """Logical id -> built code directory of each zip function of a ``sam build`` template."""
    template = read_template(template_path)
    out: dict[str, Path] = {}
    for lid, res in (template.get("Resources") or {}).items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.get("Properties") or {}
        uri = props.get("CodeUri")
        if props.get("PackageType") == "Image" or not isinstance(uri, str) or "://" in uri:
            continue
        directory = template_path.parent / uri
        if directory.is_dir():
            out[str(lid)] = directory
    return out


def sam_zip_sha256(directory: Path) -> str:
    """Lambda's CodeSha256 of the zip ``sam deploy`` makes of a built function directory.

    SAM zips deterministically (samcli.lib.package.utils.make_zip: walk order, Unix mode
    bits, no timestamps, deflate), so equal hashes mean byte-identical code.
    """
    buf = io.BytesIO()
    root = os.path.abspath(directory)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for here, _, files in os.walk(root, followlinks=True):
            for filename in files:
                full = os.path.join(here, filename)
                info = zipfile.ZipInfo(os.path.relpath(full, root))
                info.create_system = 3
                info.external_attr = os.stat(full).st_mode << 16
                with open(full, "rb") as f:
                    zf.writestr(info, f.read(), compress_type=zipfile.ZIP_DEFLATED)
    return base64.b64encode(hashlib.sha256(buf.getvalue()).digest()).decode()


def built_code(template_path: Path) -> dict[str, str]:
    """Logical id -> CodeSha256 of each zip function of a ``sam build`` output template
    (empty when there is no readable build)."""
    try:
        dirs = built_function_dirs(template_path)
    except OperationError:
        return {}
    return {lid: sam_zip_sha256(directory) for lid, directory in dirs.items()}
