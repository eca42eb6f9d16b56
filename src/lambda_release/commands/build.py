"""``lambda-release build``: sam build, with its arguments as a list."""

from __future__ import annotations

import argparse
from pathlib import Path

from lambda_release import output
from lambda_release.commands._release_options import declared_secrets
from lambda_release.context import Context
from lambda_release.errors import OperationError, UsageError
from lambda_release.release.inputs import read_template, secret_names
from lambda_release.template import overrides, sam

NAME = "build"
OUTPUTS: tuple[str, ...] = ("table", "text")
DESCRIPTION = """\
Runs `sam build` for a template (default template.yaml) with --cached and
--parallel on by default. Extra SAM arguments are passed one per --sam-arg, as
given: never split from one string. The exact command is printed, shell-quoted,
and SAM's output streamed.

Exit codes: 0 built; 1 sam build failed or the SAM CLI is not installed (the
input was fine, the machine was not); 2 bad input (no such template).
"""
EXAMPLES = """\
examples:
  lambda-release build
  lambda-release build --template-file app/template.yaml --no-cached \\
      --sam-arg=--build-image --sam-arg='Function1=public.ecr.aws/sam/build-python3.12'
"""


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("-t", "--template-file", help="SAM template (default: template.yaml)")
    # Hidden: the old spelling, kept working (every command says --template-file now).
    p.add_argument("--template", dest="template_file", help=argparse.SUPPRESS)
    p.add_argument(
        "-b", "--build-dir", help="build output directory (default: SAM's .aws-sam/build)"
    )
    # sam build's own pairs; here --cached and --parallel are the defaults.
    p.add_argument("--cached", action="store_true", default=None, help="the default")
    p.add_argument("--no-cached", dest="cached", action="store_false", default=None)
    p.add_argument("--parallel", action="store_true", default=None, help="the default")
    p.add_argument("--no-parallel", dest="parallel", action="store_false", default=None)
    p.add_argument(
        "-u",
        "--use-container",
        action="store_true",
        default=None,
        help="build in a container (needs Docker; not in CircleCI's Docker executor)",
    )
    p.add_argument("--sam-path", help="the SAM CLI (default: sam on PATH)")
    p.add_argument(
        "--sam-arg",
        action="append",
        metavar="ARG",
        help="one more argument, as is; repeatable; write --sam-arg=--flag for one starting "
        "with '-'",
    )
    p.add_argument(
        "--secret-parameter",
        action="append",
        metavar="NAME",
        help="a template parameter whose value is shown as ***** (NoEcho parameters always "
        "are); repeatable",
    )


def run(ctx: Context) -> int:
    out = ctx.output
    s = ctx.settings
    template = s.get("template_file") or "template.yaml"
    if not Path(template).is_file():
        raise UsageError(
            f"template {template!r} does not exist: give --template-file, or run in the "
            "directory holding template.yaml"
        )
    # Secret parameters as deploy finds them, so a value passed with --sam-arg is masked.
    names = secret_names(read_template(Path(template)), Path(template), declared_secrets(ctx))
    from_config = overrides.config_overrides(s.file.get("parameter_overrides"))
    cmd = sam.build_command(
        sam.find_sam(s.get("sam_path")),
        template=template,
        cached=s.get_bool("cached", True),
        parallel=s.get_bool("parallel", True),
        use_container=s.get_bool("use_container"),
        build_dir=s.get("build_dir"),
        extra=list(s.raw("sam_arg") or []) if s.source("sam_arg") == "flag" else [],
        secret_names=names,
    )
    output.info("running: " + sam.quoted(cmd))
    code = sam.run_streaming(
        cmd,
        env=sam.subprocess_env(s.get("endpoint_url"), s.get("region")),
        hidden=[v for k, v in from_config.items() if k in names and v],
    )
    if code != 0:
        raise OperationError(f"sam build failed with exit code {code}: see its output above")
    # text: the template built, alone on its line, for a script.
    print(template if out == "text" else f"built {template}")
    return 0
