"""The dynamic-config example: @circleci/circleci-config-sdk imports this orb and emits a config.

The generator (orb/examples/sdk/generate.js) runs with Node; what it prints must pass the
project's validator with the packed orb inlined (schema, references, parameter types), exactly
as a hand-written config would. `make sdk-deps` installs the SDK into build/sdk.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orbtools import yamlio
from orbtools.compiler import Compiler, Scope, workflow_invocations
from orbtools.validate import EXAMPLE_PIPELINE, config_problems, schema_problems


def generated_config(
    generate: Callable[..., subprocess.CompletedProcess[str]],
    packed_orb: dict[str, Any],
    tmp_path: Path,
    **env: str,
) -> dict[str, Any]:
    orb_file = tmp_path / "orb.yml"
    orb_file.write_text(yamlio.dump(packed_orb), encoding="utf-8")
    proc = generate(orb_file, **env)
    assert proc.returncode == 0, proc.stderr
    config = yamlio.load(proc.stdout)
    assert isinstance(config, dict)
    return config


def test_the_generated_config_is_valid_with_the_packed_orb(
    generate: Callable[..., subprocess.CompletedProcess[str]],
    packed_orb: dict[str, Any],
    tmp_path: Path,
) -> None:
    config = generated_config(generate, packed_orb, tmp_path)
    assert config["orbs"]["lambda-release"] == "lambda-release/lambda-release@1"
    assert schema_problems({"generated.yml": config}) == []
    assert config_problems(config, packed_orb, "generated.yml") == []
    scope = Scope.of("config", config, {"lambda-release": packed_orb})
    jobs = {
        args.get("name", ref): Compiler(scope, EXAMPLE_PIPELINE).job(ref, args)
        for _w, ref, args in workflow_invocations(config, EXAMPLE_PIPELINE)
        if ref.startswith("lambda-release/")
    }
    assert sorted(jobs) == ["deploy", "rollback"]
    release = next(
        s.spec for s in jobs["deploy"].steps if s.spec.get("name", "").startswith("Release")
    )
    # CircleCI's own forms reach the step untouched; the script substitutes and splits them.
    assert release["environment"]["LR_STR_S3_BUCKET"] == "${ARTIFACTS_BUCKET}"
    assert release["environment"]["LR_STR_CAPABILITIES"] == "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND"


def test_a_wrong_argument_is_caught_by_the_validator_not_the_sdk(
    generate: Callable[..., subprocess.CompletedProcess[str]],
    packed_orb: dict[str, Any],
    tmp_path: Path,
) -> None:
    """The SDK carries the manifest but does not check arguments against it (docs/orb.md)."""
    config = generated_config(generate, packed_orb, tmp_path)
    deploy = config["workflows"]["release"]["jobs"][0]["lambda-release/deploy"]
    deploy["environment"] = "prod"  # the pre-1.0 name, now target_environment
    problems = config_problems(config, packed_orb, "generated.yml")
    assert any("unexpected argument(s) environment" in p for p in problems)


def test_the_generator_without_an_orb_source_says_how_to_run_it(
    generate: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    proc = generate()
    assert proc.returncode == 2 and proc.stderr.startswith("usage: node generate.js")
