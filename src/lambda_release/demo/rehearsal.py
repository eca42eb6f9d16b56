"""The rehearsal: start a sandbox, build the app with the real SAM CLI, tell the five chapters.

Everything it starts it stops: the sandbox runs in this process and is stopped on the way
out, and every command it runs has ended (or is killed) before it returns.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TextIO

from lambda_release.demo import chapters
from lambda_release.demo.stage import Stage, built_functions, subprocess_env
from lambda_release.errors import OperationError, UsageError

BUCKET = "lambda-release-demo-artifacts"
DEFAULT_MINUTE = 0.6  # real seconds per deployment minute: a 5-minute canary takes 3 s


@dataclass
class Options:
    template: Path | None = None
    workdir: Path | None = None
    minute: float = DEFAULT_MINUTE
    prefix: str = "demo"


def bundled_app() -> Path:
    """The sample application shipped with the package."""
    return Path(str(resources.files("lambda_release.demo") / "app"))


def _check_tools() -> None:
    missing = [m for m in ("moto", "samtranslator") if importlib.util.find_spec(m) is None]
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    if shutil.which("sam", path=path) is None:
        missing.append("the sam command")
    if missing:
        raise UsageError(
            f"the rehearsal needs the SAM CLI and the sandbox ({', '.join(missing)} missing): "
            "pip install 'lambda-release[sam,sandbox]', or run `make demo`, which installs them"
        )


def _prepare(options: Options, workdir: Path) -> Path:
    """The template to build: the user's where it is, or a copy of the bundled app."""
    if options.template is not None:
        template = options.template.resolve()
        if not template.is_file():
            raise UsageError(
                f"--template-file {options.template} does not exist: give a SAM template"
            )
        return template
    app = workdir / "app"
    shutil.copytree(bundled_app(), app, ignore=shutil.ignore_patterns("__pycache__"))
    return app / "template.yaml"


def rehearse(options: Options, out: TextIO) -> int:
    """Run the whole rehearsal; 0 when every chapter went as told."""
    _check_tools()
    from lambda_release.sandbox.server import Sandbox  # noqa: PLC0415 - needs the extra

    started = time.monotonic()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="lambda-release-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    template = _prepare(options, workdir)
    log_path = workdir / "demo.log"
    with log_path.open("w", encoding="utf-8") as log, Sandbox(minute=options.minute) as sandbox:
        stage = Stage(
            workdir=workdir,
            env=subprocess_env(sandbox.env, options.minute),
            out=out,
            log=log,
            minute=options.minute,
            template=template,
        )
        sandbox.client("s3").create_bucket(Bucket=BUCKET)
        stage.env["LAMBDA_RELEASE_S3_BUCKET"] = BUCKET
        stage.say(
            f"lambda-release rehearsal: a local AWS stand-in runs on {sandbox.endpoint_url} "
            f"(no AWS account; one deployment minute lasts {options.minute:g} s). Every "
            "command below is the real lambda-release, running the real SAM CLI against it; "
            f"the artifacts bucket is set once as LAMBDA_RELEASE_S3_BUCKET={BUCKET}. "
            f"Full output: {log_path}"
        )
        _build(stage, template)
        story = chapters.Story(stage, sandbox.client, options.prefix)

        def slow_minute(seconds: float) -> Callable[[], None]:
            before = sandbox.minute
            sandbox.minute = seconds
            return lambda: setattr(sandbox, "minute", before)

        chapters.staging(story)
        chapters.prod_canary(story)
        chapters.bad_release(story, slow_minute)
        chapters.found_bad_later(story)
        chapters.status_and_history(story)
        _summary(stage, story, time.monotonic() - started)
    return 0


def _build(stage: Stage, template: Path) -> None:
    stage.say(f"\nBuilding {template} with the real SAM CLI (sam build, no container).")
    args = ["build", "--template-file", str(template), "--build-dir", str(stage.build_dir)]
    stage.run(args, show_stdout=False, show_progress=False)
    functions = sorted(built_functions(stage.build_dir))
    if not functions:
        raise OperationError(f"{template} has no AWS::Serverless::Function to release")
    stage.show(f"built {len(functions)} function(s): {', '.join(functions)}")


def _summary(stage: Stage, story: chapters.Story, seconds: float) -> None:
    stage.out.write(f"\n== What was shown ({seconds:.0f} s) ==\n")
    for item in story.shown:
        stage.out.write(f"  - {item}\n")
    stage.say(
        "\nThe same with your own application: lambda-release demo --template-file "
        "path/to/template.yaml (it takes AliasName and sets AutoPublishAlias: !Ref AliasName "
        "with a DeploymentPreference and Alarms; `lambda-release check` says what is missing). "
        "In CircleCI, the lambda-release orb runs these same commands: target, check, build, "
        "deploy, and rollback behind an approval."
    )
    stage.say(f"Nothing is left running; the work directory is {stage.workdir}.")
