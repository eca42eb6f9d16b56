"""``python -m orbtools``: pack, validate, review, lint, or run one job locally.

PYTHONPATH=scripts python -m orbtools check orb          # everything make test runs
PYTHONPATH=scripts python -m orbtools pack orb -o dist/orb.yml
PYTHONPATH=scripts python -m orbtools run CONFIG JOB --orb orb --repo R --branch main
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from orbtools import lock, yamlio
from orbtools.images import HOST, ImageProfile
from orbtools.pack import PackError, pack, pack_text
from orbtools.params import CompileError
from orbtools.release import ReleaseError, bump, check_tag, pin_problems
from orbtools.review import review
from orbtools.runner import LocalRun
from orbtools.validate import validate

# yamllint reads the repository's own .yamllint (beside orb/): the file orb-tools' lint job
# finds when it runs a bare `yamllint orb`, so both lint with one configuration.
YAMLLINT_FILE = ".yamllint"


def _tool(name: str) -> str:
    """A tool installed beside this Python (the project's .venv), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def lint(orb_dir: Path, extra_yaml: list[Path], yamllint_config: Path) -> list[str]:
    """yamllint (the repository's .yamllint) over the orb and shellcheck over its scripts."""
    if not yamllint_config.is_file():
        return [
            f"yamllint: no {yamllint_config}: orb-tools' lint job runs a bare `yamllint orb`"
            " and reads its configuration from .yamllint in the repository's root"
        ]
    problems = []
    targets = [str(orb_dir), *(str(p) for p in extra_yaml if p.exists())]
    proc = subprocess.run(
        [_tool("yamllint"), "-f", "parsable", "-c", str(yamllint_config), *targets],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        problems.append("yamllint:\n" + proc.stdout + proc.stderr)
    scripts = sorted(str(p) for p in orb_dir.rglob("*.sh"))
    if scripts:
        proc = subprocess.run(
            [_tool("shellcheck"), *scripts], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            problems.append("shellcheck:\n" + proc.stdout + proc.stderr)
    return problems


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orbtools", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack", help="pack the orb folder into one orb YAML")
    p.add_argument("orb_dir", type=Path)
    p.add_argument("-o", "--output", type=Path)
    v = sub.add_parser("validate", help="schema and reference checks of the orb and its examples")
    v.add_argument("orb_dir", type=Path)
    v.add_argument("--no-schema", action="store_true", help="skip check-jsonschema")
    r = sub.add_parser("review", help="orb-tools review rules RC001-RC005, RC008-RC012")
    r.add_argument("orb_dir", type=Path)
    c = sub.add_parser("check", help="pack, validate, review, yamllint and shellcheck")
    c.add_argument("orb_dir", type=Path)
    c.add_argument(
        "--yaml", type=Path, action="append", default=[], help="more YAML to lint (e.g. .circleci)"
    )
    c.add_argument("--output", type=Path, help="also write the packed orb here")
    rel = sub.add_parser("release", help="bump the package and the orb's helper pin together")
    rel.add_argument("version")
    rel.add_argument("--root", type=Path, default=Path("."))
    tag = sub.add_parser("check-tag", help="a vX.Y.Z tag matches the package and the orb pin")
    tag.add_argument("tag")
    tag.add_argument("--root", type=Path, default=Path("."))
    tag.add_argument("--wheel", type=Path, help="the helper wheel being published: its sha256")
    lk = sub.add_parser("lock", help="write the helper's hash lock into install_helper.sh")
    lk.add_argument("--root", type=Path, default=Path("."))
    lk.add_argument("--helper-wheel", type=Path, help="the wheel being published (its sha256)")
    x = sub.add_parser("run", help="run one job of a config locally, the orb inlined")
    x.add_argument("config", type=Path)
    x.add_argument("job")
    x.add_argument("--orb", type=Path, required=True, help="the orb folder to inline")
    x.add_argument("--alias", default="lambda-release")
    x.add_argument("--repo", type=Path, help="fixture repository to check out")
    x.add_argument("--branch")
    x.add_argument("--home", type=Path, default=Path(".orb-run/home"))
    x.add_argument("--artifacts", type=Path, default=Path(".orb-run/artifacts"))
    x.add_argument("--workspace", type=Path, default=Path(".orb-run/workspace"))
    x.add_argument(
        "--image-profile",
        type=Path,
        help="a folder whose bin/ holds the bash and python3 the steps run with "
        "(make image-profile builds build/image-profiles/oldest)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (PackError, CompileError, ReleaseError) as exc:
        print(f"orbtools {args.cmd}: error: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:  # noqa: PLR0911 - one return per command
    if args.cmd == "pack":
        text = pack_text(args.orb_dir)
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if args.cmd == "validate":
        return _report("validate", validate(pack(args.orb_dir), schema=not args.no_schema))
    if args.cmd == "review":
        return _report("review", [str(f) for f in review(args.orb_dir)])
    if args.cmd == "check":
        orb = pack(args.orb_dir)
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(yamlio.dump(orb), encoding="utf-8")
        problems = validate(orb)
        problems += [str(f) for f in review(args.orb_dir)]
        root = args.orb_dir.resolve().parent
        problems += lint(args.orb_dir, args.yaml, root / YAMLLINT_FILE)
        problems += pin_problems(root)
        return _report("orb check (pack, validate, review, yamllint, shellcheck)", problems)
    if args.cmd == "release":
        changed = bump(args.root, args.version)
        print(f"version {args.version}: {', '.join(changed) or 'already there'}")
        return 0
    if args.cmd == "check-tag":
        return _report(f"tag {args.tag}", check_tag(args.root, args.tag, args.wheel))
    if args.cmd == "lock":
        block = lock.write(args.root, args.helper_wheel)
        print(f"{lock.SCRIPT}: {block.count(chr(10)) - 8} packages locked")
        return 0
    config = yamlio.load(args.config.read_text(encoding="utf-8"))
    run = LocalRun(
        config=config,
        inline_orbs={args.alias: pack(args.orb)},
        home=args.home.resolve(),
        repo=args.repo,
        branch=args.branch,
        artifacts=args.artifacts.resolve(),
        workspace=args.workspace.resolve(),
        profile=ImageProfile.from_dir(args.image_profile) if args.image_profile else HOST,
    )
    result = run.run(args.job)
    return 0 if result.status == "success" else 1


def _report(what: str, problems: list[str]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{what}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
