"""`lambda-release demo`: the rehearsal through the console script.

The built-in application is what `make demo` runs (CI runs it too); here the same story
runs with `--template` on a one-function app of the tests' own, so both ways are covered
without running the long story twice.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from lambda_release.demo.rehearsal import bundled_app
from lambda_release.demo.stage import built_functions
from tests.support.processes import Cli
from tests.support.samapp import write_sam_app

BIN = Path(sys.executable).parent


def demo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_RELEASE_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture
def demo_lr(lr: Cli) -> Cli:
    """The console script with the demo's environment (no AWS_*: the demo brings its own)."""
    return lr.with_defaults(env=demo_env())


def processes_in(directory: Path) -> list[str]:
    """Processes whose working directory is inside ``directory`` (Linux /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd == str(directory) or cwd.startswith(f"{directory}/"):
            found.append(proc.name)
    return found


def test_demo_tells_the_five_chapters_with_your_own_template(demo_lr: Cli, tmp_path: Path) -> None:
    template = write_sam_app(tmp_path / "mine", functions=("A",))
    workdir = tmp_path / "work"
    p = demo_lr(
        "demo", "--template", str(template), "--workdir", str(workdir),
        "--stack-prefix", "mine", "--minute", "0.3",
        cwd=tmp_path, timeout=900,
    )  # fmt: skip
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    out = p.stdout
    titles = [
        "== 1/5  A push to feature/x deploys to STAGING ==",
        "== 2/5  A push to main deploys to PROD with a canary that succeeds ==",
        "== 3/5  A bad release to PROD: the alarm fires mid-canary ==",
        "== 4/5  A release passes its canary but is found bad later ==",
        "== 5/5  status and history: what runs where, and why ==",
        "== What was shown",
    ]
    positions = [out.index(t) for t in titles]
    assert positions == sorted(positions)
    chapter = {
        t: out[a:b] for t, a, b in zip(titles, positions, [*positions[1:], len(out)], strict=True)
    }
    one, two, three, four, five = (chapter[t] for t in titles[:5])
    assert "export LAMBDA_RELEASE_STACK='mine-staging'" in one
    assert "of mine-staging alias STAGING: succeeded" in one
    assert "export LAMBDA_RELEASE_STACK='mine-prod'" in two
    assert "AFunction: succeeded, 100% on version 2" in two
    assert "The next push changes its function AFunction." in " ".join(two.split())
    # 3: watch shows the canary, the alarm, and CodeDeploy's own rollback; the release failed.
    assert "$ lambda-release watch" in three
    assert "watch` follows its deployment;" in " ".join(three.split())  # one function
    assert "AFunction: stopped, traffic back on version 2: alarm mine-prod-AErrorsAlarm" in three
    assert "of mine-prod alias PROD: failed" in three
    assert re.search(r"AFunction +2 +2 +1 +no\n", three)  # before, after, stable, not moved
    # 4: the release passes its canary; its bake sees the alarm and rolls it back by itself.
    assert "AFunction: succeeded, 100% on version 4" in four
    assert "$ lambda-release deploy --bake 10" in four
    assert re.search(r"bake: .* left; alarms: mine-prod-AErrorsAlarm-\S+ OK", four)
    assert "rolled back by its bake" in four and "alarm mine-prod-AErrorsAlarm" in four
    assert "AFunction: moved (4 -> 2)" in four
    assert "drift (CloudFormation: 4)" in five
    assert re.search(r" succeeded .* undone by \d{8}T", five) and "rollback (automatic)" in five
    assert "automatic rollback (bake): alarm mine-prod-AErrorsAlarm" in five
    assert "lambda-release demo --template" in out
    assert (workdir / "demo.log").stat().st_size > 0
    assert processes_in(workdir) == []  # nothing left running


def test_bundled_app_is_shipped_and_passes_the_guardrails(demo_lr: Cli, tmp_path: Path) -> None:
    app = bundled_app()
    assert (app / "template.yaml").is_file()
    p = demo_lr("check", str(app / "template.yaml"), cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 error(s), 0 warning(s)" in p.stderr + p.stdout
    build = tmp_path / "build"
    build.mkdir()
    (build / "template.yaml").write_text(
        "Resources:\n"
        "  OrdersFunction:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: OrdersFunction, Role: !GetAtt R.Arn}\n"
        "  Other: {Type: AWS::SNS::Topic}\n"
    )
    (build / "OrdersFunction").mkdir()
    assert built_functions(build) == {"OrdersFunction": build / "OrdersFunction"}


def test_bad_input_exits_2(demo_lr: Cli, tmp_path: Path) -> None:
    missing = demo_lr("demo", "--template", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert missing.returncode == 2 and "nope.yaml does not exist" in missing.stderr
    slow = demo_lr("demo", "--minute", "0", cwd=tmp_path)
    assert slow.returncode == 2
    assert "--minute '0' is out of range: give a number more than 0 and at most 60" in slow.stderr
