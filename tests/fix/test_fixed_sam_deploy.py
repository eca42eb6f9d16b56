"""Fixed templates through the real `sam build` and `sam deploy`, against the stand-in.

A few shapes (SQS, SNS with a permission, EventBridge, the seed's per-environment
template): created as production, then a code change released to PROD by canary.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml

from lambda_release.fix.run import fix_text
from lambda_release.sandbox import Sandbox
from tests.fix.corpus_cases import CORPUS, SEED, as_plain, functions, with_local_code
from tests.support.aws_state import alias_state, function_name
from tests.support.requires import require_tool
from tests.support.sam import sam_build, sam_deploy
from tests.support.standin_clock import through_a_canary_step

# sam build (no container) needs the runtime's interpreter.
require_tool("python3.11", "sam build for python3.11 needs it on PATH")

CASES = [
    CORPUS / "sqs-lambda.yaml",
    CORPUS / "sns-lambda.yaml",
    CORPUS / "eventbridge-lambda.yaml",
    SEED / "template-per-env.yaml",
]


def _write(app: Path, fixed: str, version: str) -> list[str]:
    template = with_local_code(as_plain(fixed), app, version)
    (app / "template.yaml").write_text(yaml.safe_dump(template, sort_keys=False))
    return [n for n, _ in functions(template)]


@pytest.mark.parametrize("path", [p for p in CASES if p.is_file()], ids=lambda p: p.name)
def test_fixed_template_sam_deploys_and_releases_by_canary(
    sandbox: Sandbox,
    sandbox_env: dict[str, str],
    tmp_path: Path,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixed = fix_text(path, path.read_text()).after
    app = tmp_path / "app"
    stack = f"samfix-{uuid.uuid4().hex[:8]}-prod"
    bucket = f"{stack}-artifacts"
    sandbox.client("s3").create_bucket(Bucket=bucket)
    cfn, lam = sandbox.client("cloudformation"), sandbox.client("lambda")
    try:
        names = _write(app, fixed, "1")
        sam_build(app, sandbox_env)
        first = sam_deploy(app, stack, "PROD", sandbox_env, bucket)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        fns = [function_name(cfn, stack, n) for n in names]
        for fn in fns:
            assert alias_state(lam, fn, "PROD") == ("1", {})

        _write(app, fixed, "2")
        sam_build(app, sandbox_env)
        # The canary's 10% step lasts until the watcher has seen it (a 2 s one could end
        # between two reads on a loaded machine), then the stand-in's clock jumps past it.
        second, seen = through_a_canary_step(
            sandbox,
            monkeypatch,
            lam,
            fns[0],
            lambda: sam_deploy(app, stack, "PROD", sandbox_env, bucket),
        )
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        assert ("1", {"2": 0.1}) in seen, seen
        for fn in fns:
            assert alias_state(lam, fn, "PROD") == ("2", {})
    finally:  # the seed's template names its function: one stack owns it at a time
        cfn.delete_stack(StackName=stack)
