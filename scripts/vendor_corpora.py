"""Vendor a bounded selection of public SAM templates into tests/check/corpora/ (issue 26).

    python scripts/vendor_corpora.py NAME=GIT_DIR [NAME=GIT_DIR ...]

Each GIT_DIR is a bare clone (``git --git-dir``) of one of the repositories below; NAME
is its key in ``REPOS``. For each, the templates that hold a Lambda function are copied
unchanged (cookiecutter templates of aws-sam-cli-app-templates rendered with their
``cookiecutter.json`` defaults, as ``sam init`` would without prompts), with the
repository's LICENSE and a SOURCES.md naming the commit and every file's source path.
The selection is deterministic: sorted paths, a quota per repository, files named in
issue 26 always in.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "check" / "corpora"
MAX_BYTES = 40_000
TEMPLATE = re.compile(r"(^|/)[^/]*template[^/]*\.(ya?ml|json)$", re.IGNORECASE)


@dataclass(frozen=True)
class Repo:
    github: str
    licence: str
    quota: int
    keep: tuple[str, ...] = ()  # path fragments always selected
    under: tuple[str, ...] = ()  # only paths starting with one of these (empty: all)


REPOS = {
    "serverless-patterns": Repo(
        "aws-samples/serverless-patterns",
        "MIT-0",
        170,
        keep=(
            "lambda-durable-",
            "durablefunction",
            "apigw-http-api-lambda-rust/",
            "appsync",
            "sfn",
            "stepfunctions",
        ),
    ),
    "aws-sam-cli-app-templates": Repo("aws/aws-sam-cli-app-templates", "Apache-2.0", 60),
    "serverless-test-samples": Repo("aws-samples/serverless-test-samples", "MIT-0", 40),
    "sessions-with-aws-sam": Repo("aws-samples/sessions-with-aws-sam", "MIT-0", 40),
    "aws-sam-cli": Repo(
        "aws/aws-sam-cli",
        "Apache-2.0",
        40,
        under=("samcli/lib/init/templates/", "tests/integration/testdata/", "tests/functional/"),
    ),
}


def git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True
    ).stdout


def _cookiecutter_context(git_dir: str, path: str) -> dict[str, object] | None:
    parts = path.split("/")
    for i, part in enumerate(parts):
        if "{{" in part:
            base = "/".join(parts[:i])
            try:
                raw = json.loads(git(git_dir, "show", f"HEAD:{base}/cookiecutter.json"))
            except (subprocess.CalledProcessError, ValueError):
                return None
            # cookiecutter's defaults: a list is a choice, its first item the default
            return {k: (v[0] if isinstance(v, list) and v else v) for k, v in raw.items()}
    return None


def _render(text: str, context: dict[str, object]) -> str | None:
    import jinja2  # noqa: PLC0415 - only this script needs it

    env = jinja2.Environment(  # noqa: S701 - YAML, not HTML: nothing to escape
        keep_trailing_newline=True, undefined=jinja2.ChainableUndefined
    )
    try:
        return env.from_string(text).render(cookiecutter=context)
    except jinja2.TemplateError:
        return None


def _flat(path: str) -> str:
    parts = [p for p in path.split("/") if "{{" not in p]
    stem, name = parts[:-1], parts[-1]
    suffix = ".json" if name.endswith(".json") else ".yaml"
    if re.fullmatch(r"template\.(ya?ml|json)", name) and stem:
        return "--".join(stem) + suffix
    return "--".join([*stem, name.rsplit(".", 1)[0]]) + suffix


def _candidates(git_dir: str, repo: Repo) -> list[tuple[str, str]]:
    paths = git(git_dir, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
    found: list[tuple[str, str]] = []
    for path in sorted(paths):
        if not TEMPLATE.search(path) or "/.aws-sam/" in path or path.startswith("."):
            continue
        if repo.under and not path.startswith(repo.under):
            continue
        try:
            blob = git(git_dir, "show", f"HEAD:{path}")
        except subprocess.CalledProcessError:
            continue
        if len(blob) > MAX_BYTES or b"Function" not in blob or b"Resources" not in blob:
            continue
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError:
            continue
        context = _cookiecutter_context(git_dir, path)
        if context is not None:
            rendered = _render(text, context)
            if rendered is None:
                continue
            text = rendered
        elif "{{" in text and "cookiecutter" in text:
            continue
        if "AWS::Serverless::Function" in text or "AWS::Lambda::Function" in text:
            found.append((path, text))
    return found


def _select(found: list[tuple[str, str]], repo: Repo) -> list[tuple[str, str]]:
    unique: dict[str, tuple[str, str]] = {}
    for path, text in found:
        unique.setdefault(text, (path, text))  # rendered cookiecutters repeat
    items = list(unique.values())
    kept = [i for i in items if any(k in i[0] for k in repo.keep)][: repo.quota]
    rest = [i for i in items if i not in kept]
    room = repo.quota - len(kept)
    if room > 0 and rest:
        step = max(1, len(rest) // room)
        kept += rest[::step][:room]
    return sorted(kept)


def vendor(name: str, git_dir: str) -> int:
    repo = REPOS[name]
    commit = git(git_dir, "rev-parse", "HEAD").decode().strip()
    chosen = _select(_candidates(git_dir, repo), repo)
    out = OUT / name
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    (out / "LICENSE").write_bytes(git(git_dir, "show", "HEAD:LICENSE"))
    lines = [
        f"# Templates from https://github.com/{repo.github}",
        "",
        f"Vendored by scripts/vendor_corpora.py at commit {commit}, licensed {repo.licence}",
        "(LICENSE beside this file). Copied unchanged"
        + (
            ", cookiecutter templates rendered with their defaults"
            if "{{" in "".join(p for p, _ in chosen)
            else ""
        )
        + ". File name -> source path:",
        "",
    ]
    names: set[str] = set()
    for path, text in chosen:
        flat = _flat(path)
        while flat in names:
            flat = "x-" + flat
        names.add(flat)
        (out / flat).write_text(text, encoding="utf-8", newline="")
        lines.append(f"- `{flat}`: `{path}`")
    (out / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(chosen)


def main(argv: list[str]) -> int:
    for arg in argv:
        name, _, git_dir = arg.partition("=")
        print(f"{name}: {vendor(name, git_dir)} templates")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
