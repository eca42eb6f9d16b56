"""What ``init`` will write in an app's folder: every file's new text, planned before any
is written (so that a refusal, or a file that cannot be written, leaves all as they were).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambda_release.errors import UsageError
from lambda_release.names import validate_stack_name
from lambda_release.onboard import circleci, gitignore, samconfig
from lambda_release.onboard.app_shape import AppShape, shape
from lambda_release.onboard.writes import Change, check_inside
from lambda_release.template.cfn import read_template

if TYPE_CHECKING:
    from lambda_release.fix.run import FixResult

CONFIG = Path(".circleci/config.yml")
SAMCONFIG = Path("samconfig.toml")
GITIGNORE = Path(".gitignore")


@dataclass
class InitPlan:
    prefix: str
    app: AppShape
    fixed: FixResult
    ci: circleci.Plan
    sam: samconfig.Plan
    region: str  # the app's own region setting, or ""
    changes: list[Change] = field(default_factory=list)


def default_prefix(directory: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9-]+", "-", directory.resolve().name).strip("-")
    return name if name and name[0].isalpha() else f"app-{name}".strip("-")


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}; fix or move it") from exc


def choose_prefix(given: str | None, data: dict[str, Any], config_text: str | None) -> str:
    """``given``, else the prefix the app is set up with, else SAM's stack name, else the
    folder's name. A ``given`` that differs from the one set up is refused: half the files
    would name one stack and half the other."""
    in_use = samconfig.prefix_in_use(data) or circleci.prefix_in_use(config_text)
    if given and in_use and given != in_use[0]:
        raise UsageError(
            f"--stack-prefix {given!r} differs from the prefix this app is set up with, "
            f"{in_use[0]!r} ({in_use[1]}): run init --stack-prefix {in_use[0]}, or change "
            "that setting by hand first"
        )
    prefix = (
        given
        or (in_use[0] if in_use else None)
        or samconfig.app_stack_name(data)
        or default_prefix(Path.cwd())
    )
    for env in ("prod", "staging"):
        validate_stack_name(f"{prefix}-{env}", what="--stack-prefix (as a stack name)")
    return prefix


def plan(template: Path, given_prefix: str | None) -> InitPlan:
    """Every file init would change in the current folder, with its new text."""
    from lambda_release.fix.run import fix_file  # noqa: PLC0415 - needs the check extra

    if not template.is_file():
        raise UsageError(
            f"no SAM template at {template}: run init in the app's directory, or -t FILE"
        )
    old_samconfig, old_config, old_ignore = read(SAMCONFIG), read(CONFIG), read(GITIGNORE)
    data = samconfig.read(old_samconfig)
    prefix = choose_prefix(given_prefix, data, old_config)
    app = shape(read_template(template))
    fixed = fix_file(template, dry_run=True)
    ci = circleci.plan(old_config, prefix, app)
    targets = [
        samconfig.Target("prod", f"{prefix}-prod", "PROD"),
        samconfig.Target("staging", f"{prefix}-staging", "STAGING"),
    ]
    sam = samconfig.plan(old_samconfig, targets)
    planned = [
        (template, fixed.before, fixed.after if fixed.changed else None),
        (CONFIG, old_config, ci.text),
        (SAMCONFIG, old_samconfig, sam.text),
        (GITIGNORE, old_ignore, gitignore.plan(old_ignore)),
    ]
    changes = [Change(path, before, after) for path, before, after in planned if after is not None]
    check_inside(changes, Path.cwd())
    region = str(samconfig.carried(data).get("region") or "")
    return InitPlan(prefix, app, fixed, ci, sam, region, changes)
