"""SAM's managed artifacts bucket, created by `sam` itself when a first release needs it.

With ``resolve_s3`` the release log lives in SAM's managed bucket (the output
``SourceBucket`` of stack ``aws-sam-cli-managed-default``). On an account and region
where no `sam deploy --resolve-s3` ran yet, that stack does not exist, but the log is
written before `sam deploy` runs. So the deploy asks `sam` to create it first, the way
`sam deploy` would: `sam package --resolve-s3` of a template with nothing to upload
(SAM's own template, tags and checks; nothing of ours to keep in step with SAM's).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from lambda_release.errors import OperationError

STACK = "aws-sam-cli-managed-default"
# Nothing to upload: `sam package` only resolves (creates) the bucket.
EMPTY_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: lambda-release asks sam to create its managed bucket; this is never deployed
Resources:
  Nothing:
    Type: AWS::CloudFormation::WaitConditionHandle
"""
TIMEOUT_SECONDS = 600.0


def create(sam: str, env: Mapping[str, str], region: str | None, profile: str | None) -> None:
    """Run `sam package --resolve-s3` in an empty folder (no samconfig.toml read)."""
    with tempfile.TemporaryDirectory(prefix="lambda-release-managed-") as folder:
        template = Path(folder) / "template.yaml"
        template.write_text(EMPTY_TEMPLATE, encoding="utf-8")
        cmd = [sam, "package", "--resolve-s3", "--template-file", str(template)]
        cmd += ["--output-template-file", str(Path(folder) / "packaged.yaml")]
        if region:
            cmd += ["--region", region]
        if profile:
            cmd += ["--profile", profile]
        try:
            done = subprocess.run(  # an argv list: no shell
                cmd,
                cwd=folder,
                env=dict(env),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OperationError(f"could not run sam to create its managed bucket: {exc}") from exc
    if done.returncode != 0:
        said = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise OperationError(
            f"sam could not create its managed bucket (stack {STACK}): "
            f"{said[-1] if said else f'exit {done.returncode}'}; give --log-bucket and "
            "--s3-bucket instead, or check the role may create that stack"
        )
