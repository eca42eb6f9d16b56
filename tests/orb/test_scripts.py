"""The orb's scripts, function by function: pytest drives bash with the script sourced.

Each script runs its main only when LR_SOURCE_ONLY is unset, so a test sources
it and calls one function with the environment a run step would have. The
argument lists are the heart of it: the official SAM orb split free-form
arguments wrongly three times (an empty '' appended, an inverted emptiness
test, a multi-flag string passed as one token); here free-form arguments are
split by the shell's quoting rules (an unclosed quote is refused), `$VAR` is
substituted as `circleci env subst` does, and nothing is ever evaluated.
"""

from __future__ import annotations

import http.server
import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from tests.orb.conftest import ORB_DIR
from tests.support.processes import OrbShell, lines

SCRIPTS = ORB_DIR / "scripts"


def fake_helper(tmp_path: Path) -> Path:
    """A `lambda-release` that prints each argument it got on its own line (NUL-safe enough)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    helper = bin_dir / "lambda-release"
    helper.write_text('#!/usr/bin/env bash\nfor a in "$@"; do printf "<%s>\\n" "$a"; done\n')
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def ARGS_OF(builder: str) -> str:
    """A call of an argument builder, then LR_ARGS (the arguments it set) one per line."""
    return f"{builder} && printf '%s\\n' \"${{LR_ARGS[@]}}\""


TARGET_ENV = {"LAMBDA_RELEASE_STACK": "app-prod", "LAMBDA_RELEASE_ALIAS": "PROD"}


def test_deploy_arguments_with_defaults_have_no_empty_token(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    out = lines(
        orb_sh.function(
            "deploy.sh",
            ARGS_OF("lr_deploy_args"),
            {**TARGET_ENV, "LR_STR_CAPABILITIES": "CAPABILITY_IAM"},
            tmp_path,
        )
    )
    assert out == ["deploy", "--stack=app-prod", "--alias=PROD", "--capabilities=CAPABILITY_IAM"]


def test_deploy_arguments_in_the_forms_sam_orb_users_type(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = {
        **TARGET_ENV,
        # SAM's own syntax, over two lines; the helper parses it (A=1 B="x y" is two).
        "LR_STR_PARAMETER_OVERRIDES": 'A=1 Owner="team payments"\r\nGreeting=a=b,c\n',
        "LR_STR_CAPABILITIES": "CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND, CAPABILITY_NAMED_IAM",
        "LR_STR_S3_BUCKET": "my-artifacts",
        "LR_STR_REGION": "eu-west-1",
        "LR_STR_PROFILE_NAME": "deployer",
        "LR_STR_IMAGE_REPOSITORIES": "Fn=1.dkr.ecr/x, Gn=1.dkr.ecr/y",
        "LR_BOOL_RESOLVE_IMAGE_REPOS": "1",
        "LR_STR_EXTRA_DEPLOY_ARGS": "--a --b\n--tags \"a=b c=d\" '$(touch pwned)' *",
        "LR_STR_RECORD_FILE": "out/release.json",
    }
    out = lines(orb_sh.function("deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path))
    assert out == [
        "deploy",
        "--stack=app-prod",
        "--alias=PROD",
        '--parameter-overrides=A=1 Owner="team payments" Greeting=a=b,c',
        "--s3-bucket=my-artifacts",
        "--capabilities=CAPABILITY_IAM",
        "--capabilities=CAPABILITY_AUTO_EXPAND",
        "--capabilities=CAPABILITY_NAMED_IAM",
        "--image-repositories=Fn=1.dkr.ecr/x",
        "--image-repositories=Gn=1.dkr.ecr/y",
        "--resolve-image-repos",
        "--region=eu-west-1",
        "--profile=deployer",
        "--record-file=out/release.json",
        "--sam-arg=--a",
        "--sam-arg=--b",
        "--sam-arg=--tags",
        "--sam-arg=a=b c=d",
        "--sam-arg=$(touch pwned)",
        "--sam-arg=*",
    ]
    assert not (tmp_path / "pwned").exists()


def test_deploy_passes_secret_parameters_and_a_rolled_back_code_reason(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = {
        **TARGET_ENV,
        "LR_STR_SECRET_PARAMETERS": "DbPassword, ApiKey",
        "LR_STR_ALLOW_ROLLED_BACK_CODE": "false alarm in $JOB: the 5xx came from upstream",
        "JOB": "build-42",
    }
    out = lines(orb_sh.function("deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path))
    assert out[3:] == [
        "--secret-parameter=DbPassword",
        "--secret-parameter=ApiKey",
        "--allow-rolled-back-code=false alarm in build-42: the 5xx came from upstream",
    ]
    # Blank: neither option, so a deploy of rolled-back code is refused by the helper.
    env = {**TARGET_ENV, "LR_STR_SECRET_PARAMETERS": " ", "LR_STR_ALLOW_ROLLED_BACK_CODE": "  "}
    assert lines(orb_sh.function("deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path))[3:] == []


def test_deploy_strings_arrive_with_variables_substituted(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = {
        **TARGET_ENV,
        "CIRCLE_SHA1": "abc123",
        "BUCKET": "team-artifacts",
        "LR_STR_PARAMETER_OVERRIDES": "Version=${CIRCLE_SHA1} Cost=$5",
        "LR_STR_S3_BUCKET": "$BUCKET",
        "LR_STR_EXTRA_DEPLOY_ARGS": "--tags commit=${CIRCLE_SHA1}",
    }
    out = lines(orb_sh.function("deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path))
    assert "--parameter-overrides=Version=abc123 Cost=$5" in out
    assert "--s3-bucket=team-artifacts" in out
    assert out[-2:] == ["--sam-arg=--tags", "--sam-arg=commit=abc123"]


def test_deploy_main_passes_the_arguments_unchanged_to_the_helper(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = {
        **TARGET_ENV,
        "PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}",
        "LR_STR_EXTRA_DEPLOY_ARGS": "--a b\n'quoted words'",
        "LR_STR_RECORD_FILE": "rec/release.json",
    }
    out = lines(orb_sh.function("deploy.sh", "main", env, tmp_path))
    assert out == [
        "<deploy>",
        "<--stack=app-prod>",
        "<--alias=PROD>",
        "<--record-file=rec/release.json>",
        "<--sam-arg=--a>",
        "<--sam-arg=b>",
        "<--sam-arg=quoted words>",
    ]
    assert (tmp_path / "rec").is_dir()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no target: run lambda-release/target first"),
        ({**TARGET_ENV, "LR_STR_S3_BUCKET": "b", "LR_BOOL_RESOLVE_S3": "1"}, "not both"),
        ({**TARGET_ENV, "LR_STR_EXTRA_DEPLOY_ARGS": "--tags 'a=b"}, "close the quote"),
    ],
)
def test_deploy_preconditions_say_how_to_fix_them(
    orb_sh: OrbShell, tmp_path: Path, env: dict[str, str], message: str
) -> None:
    proc = orb_sh.function(
        "deploy.sh",
        "main",
        {"PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}", **env},
        tmp_path,
    )
    assert proc.returncode == 2
    assert message in proc.stderr


@pytest.mark.parametrize(("value", "added"), [("1", True), ("0", False), ("true", True)])
def test_booleans_arrive_as_circleci_writes_them(
    orb_sh: OrbShell, tmp_path: Path, value: str, added: bool
) -> None:
    env = {**TARGET_ENV, "LR_BOOL_RESOLVE_S3": value}
    assert (
        "--resolve-s3"
        in lines(orb_sh.function("deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path))
    ) is added


def test_build_passes_extra_args_one_per_line(orb_sh: OrbShell, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    env = {
        "PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}",
        "LR_STR_EXTRA_BUILD_ARGS": '--build-dir ".aws-sam/x y"\n--use-container\n',
    }
    out = lines(orb_sh.function("build.sh", "main", env, tmp_path))
    assert out == [
        "<build>",
        "<--template-file=template.yaml>",
        "<--sam-arg=--build-dir>",
        "<--sam-arg=.aws-sam/x y>",
        "<--sam-arg=--use-container>",
    ]
    out = lines(orb_sh.function("build.sh", "main", {"PATH": env["PATH"]}, tmp_path))
    assert out == ["<build>", "<--template-file=template.yaml>"]


def test_build_and_check_refuse_a_missing_template(orb_sh: OrbShell, tmp_path: Path) -> None:
    for script in ("build.sh", "check_template.sh"):
        proc = orb_sh.function(script, "main", {"LR_STR_TEMPLATE": "nope.yaml"}, tmp_path)
        assert proc.returncode == 2
        assert "template nope.yaml not found" in proc.stderr


def test_target_arguments_from_parameters(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = {
        "LR_STR_PRODUCTION_BRANCH": "main release/*",
        "LR_STR_STACK_PREFIX": "app",
        "LR_ENUM_TARGET_ENVIRONMENT": "auto",
        "LR_STR_PROD_ALIAS": "",
    }
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "x").write_text("")  # a glob must not expand to it
    out = lines(orb_sh.function("target.sh", "set -f; " + ARGS_OF("lr_target_args"), env, tmp_path))
    assert out == [
        "target",
        "--production-branch=main",
        "--production-branch=release/*",
        "--stack-prefix=app",
    ]
    out = lines(
        orb_sh.function(
            "target.sh", ARGS_OF("lr_target_args"), {"LR_ENUM_TARGET_ENVIRONMENT": "prod"}, tmp_path
        )
    )
    assert out == ["target", "--environment=prod"]


def test_target_exports_the_helper_output_through_bash_env(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = {
        "CIRCLE_BRANCH": "feature/x",
        "LR_STR_STACK_PREFIX": "app",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    out = lines(orb_sh.function("target.sh", "main", env, tmp_path))
    assert "export LAMBDA_RELEASE_STACK='app-staging'" in out
    sourced = orb_sh.exports(tmp_path, 'echo "$LAMBDA_RELEASE_ALIAS $LAMBDA_RELEASE_STACK"')
    assert sourced.strip() == "STAGING app-staging"


def test_target_without_a_branch_asks_for_the_environment(orb_sh: OrbShell, tmp_path: Path) -> None:
    proc = orb_sh.function(
        "target.sh", "main", {"PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}"}, tmp_path
    )
    assert proc.returncode == 2
    assert "no branch (a tag build?)" in proc.stderr


def test_explicit_alias_and_stack_are_exported_quoted(orb_sh: OrbShell, tmp_path: Path) -> None:
    env = {"LR_STR_ALIAS": "PROD", "LR_STR_STACK": "it's-$(x)"}
    lines(orb_sh.function("target.sh", "main", env, tmp_path))
    sourced = orb_sh.exports(tmp_path, 'printf %s "$LAMBDA_RELEASE_STACK"')
    assert sourced == "it's-$(x)"
    proc = orb_sh.function("target.sh", "main", {"LR_STR_ALIAS": "PROD"}, tmp_path)
    assert proc.returncode == 2 and "given together" in proc.stderr


def test_ensure_record_writes_a_placeholder_only_when_the_record_is_missing(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    env = {"LR_STR_RECORD_FILE": "records/release.json", "CIRCLE_BUILD_URL": "https://ci/job/1"}
    lines(orb_sh.function("ensure_record.sh", "main", env, tmp_path))
    record = json.loads((tmp_path / "records/release.json").read_text())
    assert record["outcome"] == "unknown" and record["job_url"] == "https://ci/job/1"
    (tmp_path / "records/release.json").write_text('{"id": "r1", "status": "succeeded"}\n')
    lines(orb_sh.function("ensure_record.sh", "main", env, tmp_path))
    assert json.loads((tmp_path / "records/release.json").read_text())["id"] == "r1"


def test_rollback_passes_the_release_of_this_pipelines_deploy(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    (tmp_path / "release.json").write_text('{"id": "20261126T2200-abc", "status": "succeeded"}')
    env = {
        **TARGET_ENV,
        "PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}",
        "LR_STR_DEPLOY_RECORD": "release.json",
        "LR_STR_REASON": "bad canary",
        "LAMBDA_RELEASE_APPROVER": "octocat",
        "LR_STR_RECORD_FILE": "out/rollback.json",
    }
    out = lines(orb_sh.function("rollback.sh", "main", env, tmp_path))
    assert out == [
        "<rollback>",
        "<--stack=app-prod>",
        "<--alias=PROD>",
        "<--release=20261126T2200-abc>",
        "<--reason=bad canary (approved by octocat)>",
        "<--output=json>",
    ]
    assert (tmp_path / "out/rollback.json").read_text().splitlines() == out
    env["LR_STR_RELEASE"] = "explicit-1"
    assert "<--release=explicit-1>" in lines(orb_sh.function("rollback.sh", "main", env, tmp_path))
    # A `reason: |` block is one reason: the helper refuses a line break in --reason.
    env["LR_STR_REASON"] = "5xx on /orders\nafter the canary\n"
    out = lines(orb_sh.function("rollback.sh", "main", env, tmp_path))
    assert "<--reason=5xx on /orders after the canary (approved by octocat)>" in out


def test_rollback_without_a_record_or_pipeline_release_explains_the_fix(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    proc = orb_sh.function(
        "rollback.sh", "main", {**TARGET_ENV, "LR_STR_DEPLOY_RECORD": "none.json"}, tmp_path
    )
    assert proc.returncode == 2 and "set the release parameter" in proc.stderr
    (tmp_path / "failed.json").write_text('{"outcome": "unknown"}')
    proc = orb_sh.function(
        "rollback.sh", "main", {**TARGET_ENV, "LR_STR_DEPLOY_RECORD": "failed.json"}, tmp_path
    )
    assert proc.returncode == 2 and "set the release parameter" in proc.stderr


def fake_history(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    """A `lambda-release` whose `history` prints ``entries``; other commands echo their args."""
    bin_dir = tmp_path / "hbin"
    bin_dir.mkdir(exist_ok=True)
    (tmp_path / "history.json").write_text(json.dumps(entries))
    helper = bin_dir / "lambda-release"
    helper.write_text(
        "#!/usr/bin/env bash\n"
        f'if [ "$1" = history ]; then printf "%s\\n" "$*" > "{tmp_path}/history.args"; '
        f'cat "{tmp_path}/history.json"; exit 0; fi\n'
        'for a in "$@"; do printf "<%s>\\n" "$a"; done\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_rollback_finds_its_pipelines_release_in_the_log_when_no_record_came(
    orb_sh: OrbShell,
    tmp_path: Path,
) -> None:
    entries = [
        {"id": "r-undo", "kind": "rollback"},
        {"id": "r-mine", "kind": "release"},
        {"id": "r-older", "kind": "release"},
    ]
    env = {
        **TARGET_ENV,
        "PATH": f"{fake_history(tmp_path, entries)}:{os.environ['PATH']}",
        "LR_STR_DEPLOY_RECORD": "lambda-release/release.json",  # never persisted: deploy failed
        "CIRCLE_PIPELINE_ID": "pipe-7",
        "LR_STR_REGION": "eu-west-1",
    }
    out = lines(orb_sh.function("rollback.sh", "main", env, tmp_path))
    assert "<--release=r-mine>" in out
    assert (tmp_path / "history.args").read_text().split() == [
        "history",
        "--stack=app-prod",
        "--alias=PROD",
        "--pipeline-id=pipe-7",
        "--output=json",
        "--region=eu-west-1",
    ]
    (tmp_path / "history.json").write_text("[]")
    proc = orb_sh.function("rollback.sh", "main", env, tmp_path)
    assert proc.returncode == 2
    assert "no release of pipeline pipe-7" in proc.stderr
    assert "<rollback>" not in proc.stdout


@pytest.mark.parametrize("shell", [["bash"], ["bash", "-eo", "pipefail"]])
def test_an_empty_release_id_fails_even_where_the_shell_lacks_e(
    orb_sh: OrbShell, tmp_path: Path, shell: list[str]
) -> None:
    """Issue 12 item 8: each script sets -euo pipefail itself; an empty id never means latest."""
    (tmp_path / "release.json").write_text('{"id": "", "outcome": "failed"}')
    env = {
        **TARGET_ENV,
        "PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}",
        "LR_STR_DEPLOY_RECORD": "release.json",
        "LR_STR_RELEASE": "",
    }
    proc = orb_sh.script("rollback.sh", env, tmp_path, shell)
    assert proc.returncode == 2, proc.stderr
    assert "set the release parameter" in proc.stderr
    assert "<rollback>" not in proc.stdout


def test_approver_is_unknown_without_a_token(orb_sh: OrbShell, tmp_path: Path) -> None:
    out = lines(
        orb_sh.function("approver.sh", "main", {"LR_ENV_TOKEN_NAME": "CIRCLE_TOKEN"}, tmp_path)
    )
    assert out == ["rollback approved by: unknown"]
    assert (tmp_path / "bash_env").read_text() == "export LAMBDA_RELEASE_APPROVER='unknown'\n"


def test_approver_is_looked_up_through_the_api_with_the_token_in_a_header(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    seen: list[tuple[str, str | None]] = []

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Circle-Token")))
            if self.path == "/api/v2/workflow/wf-1/job":
                body = {
                    "items": [
                        {"type": "build", "name": "deploy"},
                        {"type": "approval", "name": "hold-rollback", "approved_by": "user-9"},
                        # A later hold of the same workflow: not the rollback's approver.
                        {"type": "approval", "name": "hold-deploy", "approved_by": "user-1"},
                    ]
                }
            elif self.path == "/api/v2/user/user-9":
                body = {"login": "octocat", "name": "The Octocat"}
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            "LR_ENV_TOKEN_NAME": "MY_TOKEN",
            "MY_TOKEN": "s3cret",
            "CIRCLE_WORKFLOW_ID": "wf-1",
            "LR_STR_API_URL": f"http://127.0.0.1:{server.server_port}/api/v2",
        }
        out = lines(orb_sh.function("approver.sh", "main", env, tmp_path))
    finally:
        server.shutdown()
    assert out == ["rollback approved by: octocat"]
    assert seen == [("/api/v2/workflow/wf-1/job", "s3cret"), ("/api/v2/user/user-9", "s3cret")]


def test_install_uses_uv_when_the_image_has_it_and_exports_only_the_helper(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "uv.log"
    uv = bin_dir / "uv"
    # A stand-in for uv: logs its arguments and lays out a venv with a lambda-release in it.
    uv.write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "$*" >> "{log}"\n'
        'if [ "$1" = venv ]; then v="${*: -1}"; mkdir -p "$v/bin";\n'
        '  printf "#!/usr/bin/env bash\\necho lambda-release fake\\n" > "$v/bin/python";\n'
        '  chmod +x "$v/bin/python";\n'
        '  printf "#!/usr/bin/env bash\\necho lambda-release fake\\n" > "$v/bin/lambda-release";\n'
        '  chmod +x "$v/bin/lambda-release"; fi\n'
    )
    uv.chmod(uv.stat().st_mode | stat.S_IEXEC)
    home = tmp_path / "h"
    wheel = tmp_path / "w.whl"
    wheel.write_bytes(b"w")
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "LR_STR_HELPER_HOME": str(home),
        "LR_STR_HELPER_SOURCE": str(wheel),
    }
    out = lines(orb_sh.function("install_helper.sh", "main", env, tmp_path))
    assert out[-1] == "lambda-release fake"
    # Which commands: tests/orb/test_install_paths.py.
    assert log.read_text().splitlines()[1].startswith("pip install --quiet --require-hashes")
    assert (tmp_path / "bash_env").read_text() == f"export PATH=\"$PATH\":'{home}/bin'\n"
    assert sorted(p.name for p in (home / "bin").iterdir()) == ["lambda-release"]


def test_log_bucket_and_pipeline_number_reach_the_helper(orb_sh: OrbShell, tmp_path: Path) -> None:
    """Issue 27 item 6: the orb's log_bucket parameter, and pipeline.number recorded."""
    env = {**TARGET_ENV, "LR_STR_LOG_BUCKET": "s3://$LOGS/releases", "LOGS": "audit"}
    out = lines(orb_sh.function("deploy.sh", ARGS_OF("lr_deploy_args"), env, tmp_path))
    assert "--log-bucket=s3://audit/releases" in out
    show = 'lr_pipeline_number && echo "n=${CIRCLE_PIPELINE_NUMBER:-unset}"'
    for script in ("deploy.sh", "rollback.sh"):
        got = orb_sh.function(script, show, {"LR_INT_PIPELINE_NUMBER": "42"}, tmp_path)
        assert lines(got) == ["n=42"]
        assert lines(orb_sh.function(script, show, {"LR_INT_PIPELINE_NUMBER": "0"}, tmp_path)) == [
            "n=unset"
        ]
    bad = orb_sh.function("deploy.sh", show, {"LR_INT_PIPELINE_NUMBER": "4 2"}, tmp_path)
    assert bad.returncode == 2 and "pipeline_number" in bad.stderr
    rollback_env = {**TARGET_ENV, "LR_STR_LOG_BUCKET": "audit", "LR_STR_REGION": "eu-west-1"}
    call = "LR_ARGS=(rollback) && lr_aws_args && printf '%s\\n' \"${LR_ARGS[@]}\""
    assert lines(orb_sh.function("rollback.sh", call, rollback_env, tmp_path)) == [
        "rollback",
        "--region=eu-west-1",
        "--log-bucket=audit",
    ]


def test_build_time_parameter_overrides_reach_sam_build(orb_sh: OrbShell, tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    env = {
        "PATH": f"{fake_helper(tmp_path)}:{os.environ['PATH']}",
        "LR_STR_PARAMETER_OVERRIDES": 'Stage=$STAGE Owner="team a"\nDebug=1',
        "STAGE": "prod",
    }
    out = lines(orb_sh.function("build.sh", "main", env, tmp_path))
    assert out == [
        "<build>",
        "<--template-file=template.yaml>",
        "<--sam-arg=--parameter-overrides>",
        '<--sam-arg=Stage=prod Owner="team a" Debug=1>',
    ]
