"""What a release is asked to ship, checked the same way by every entry point.

``deploy``, ``begin``, the Python API (:func:`lambda_release.deploy`) and both dry runs
hand their inputs here (:class:`ReleaseInputs`) and call :func:`check_inputs` before the
lease is taken, so each refuses exactly what the others refuse, in the same words: the
record file that could not be written, a secret too short to mask or carried as plain
text, a template that would take the release's alias off a function that carries it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_release.aws.stack import StackInfo, read_live
from lambda_release.errors import LambdaReleaseError, OperationError, UsageError
from lambda_release.release import alias_guard
from lambda_release.release.blockers import Blockers, check_blockers
from lambda_release.release.stack_alias import StackAlias
from lambda_release.template.cfn import parse_template
from lambda_release.template.overrides import override_values, parse_overrides
from lambda_release.template.secrets import (
    MIN_LENGTH,
    Secret,
    Value,
    carry,
    noecho_parameters,
    reveal,
)

# Where sam deploy looks for a template when none is given, in its order.
SAM_DEFAULT_TEMPLATES = (
    ".aws-sam/build/template.yaml",
    "template.yaml",
    "template.yml",
    "template.json",
)


@dataclass(frozen=True)
class ReleaseInputs:
    """The template sam deploy reads (parsed; None: none found or unreadable, which sam
    reports itself), the overrides it gets (secrets carried as :class:`Secret`), and the
    record file to write (None: none)."""

    template: Mapping[str, Any] | None = None
    overrides: Mapping[str, Value] = field(default_factory=dict)
    allow_alias_removal: bool = False
    record_file: Path | None = None
    secret_names: frozenset[str] = frozenset()
    # --deploy-window, --block-on-alarm, --ignore-window (release/blockers.py)
    blockers: Blockers | None = None

    def plain_overrides(self) -> dict[str, str]:
        """For evaluating the template (``!Ref`` of a parameter), never for output."""
        return {k: reveal(v) for k, v in self.overrides.items()}

    def functions_after(self, alias: str) -> frozenset[str] | None:
        """The functions the template publishes ``alias`` on (None: it cannot say)."""
        if self.template is None:
            return None
        return alias_guard.functions_publishing(self.template, alias, self.plain_overrides())


def template_path(explicit: str | None) -> Path | None:
    """The template sam deploy will read: the one given, else SAM's first default found."""
    if explicit:
        return Path(explicit)
    return next((Path(p) for p in SAM_DEFAULT_TEMPLATES if Path(p).is_file()), None)


def require_template(explicit: str | None) -> None:
    """A missing template is bad input: say so before taking the lock or calling sam."""
    if explicit:
        if not Path(explicit).is_file():
            raise UsageError(f"template {explicit!r} does not exist: fix --template-file")
        return
    if not any(Path(p).is_file() for p in SAM_DEFAULT_TEMPLATES):
        raise UsageError(
            "no template here: sam deploy looks for .aws-sam/build/template.yaml (run "
            "`lambda-release build` first) or template.yaml; run in the application's "
            "directory or give --template-file"
        )


def read_template(path: Path | None) -> dict[str, Any] | None:
    """The template parsed; None when there is none or it is broken (sam says why)."""
    if path is None:
        return None
    try:
        return parse_template(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, LambdaReleaseError):
        return None


def secret_names(
    template: Mapping[str, Any] | None, template_file: Path | None, declared: Sequence[str]
) -> frozenset[str]:
    """NoEcho parameters (the template's and those it passes to a nested template's NoEcho
    parameter), and those the user declares secret."""
    names = set(declared)
    if template is not None:
        names |= noecho_parameters(template, template_file.parent if template_file else None)
    return frozenset(names)


def check_record_file(path: str) -> Path:
    """``path`` if a record file can be written there (its folders created), else UsageError.

    Tried, not guessed from permission bits (root passes every ``access`` check; ``/proc``
    takes no new file): a file made and removed in the nearest folder that exists, or the
    first missing folder made and removed. Nothing is left behind.
    """
    target = Path(path)
    fix = "give --record-file a file path in a writable folder"
    if target.is_dir():
        raise UsageError(f"--record-file {path!r} is a directory: {fix}")
    if target.exists() and not os.access(target, os.W_OK):
        raise UsageError(f"--record-file {path!r} is not writable: {fix}")
    missing = target.absolute().parent
    while not missing.parent.exists():
        missing = missing.parent
    existing = missing if missing.exists() else missing.parent
    if not _folder_or_gone(existing):  # gone meanwhile: tried below
        raise UsageError(f"--record-file {path!r}: {str(existing)!r} is not a folder: {fix}")
    try:
        _try_writing_in(missing)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise UsageError(
            f"--record-file {path!r}: cannot write in {str(existing)!r} ({why}): {fix}"
        ) from None
    return target


def _folder_or_gone(path: Path) -> bool:
    """One look: another release of the same folder (a group's wave) may remove it between
    an ``exists()`` and an ``is_dir()``, which then says "not a folder" of a folder."""
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except FileNotFoundError:
        return True


def _try_writing_in(folder: Path) -> None:
    """A file made and removed in `folder`, or, when it does not exist, `folder` made and
    removed. Another release started in the same folder at the same moment (a group's
    wave) may make or remove it meanwhile: that is no reason to refuse either."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".lambda-release-probe-"):
            return
    except FileNotFoundError:
        pass
    try:
        folder.mkdir()
    except FileExistsError:
        # Made (and maybe removed again) by the other release between our two looks: it
        # could make it there, so can we. (mkdir(exist_ok=True) still raises when the
        # folder is gone again by the time it checks.)
        return
    with contextlib.suppress(OSError):
        folder.rmdir()


def check_secrets(inputs: ReleaseInputs, sam_command: Sequence[Value] = ()) -> None:
    """Every secret is carried as a Secret long enough to mask, and no plain argument of
    the sam command holds one: what is recorded and printed then holds no plaintext."""
    for name in sorted(inputs.secret_names):
        value = inputs.overrides.get(name)
        if isinstance(value, str) and value:
            raise UsageError(
                f"secret parameter {name} is given as plain text: carry it with "
                "lambda_release.template.secrets.carry() (the CLI does)"
            )
        if isinstance(value, Secret) and len(value.reveal()) < MIN_LENGTH:
            raise UsageError(
                f"secret parameter {name}'s value is under {MIN_LENGTH} characters: it cannot "
                "be kept out of sam's output without damaging it; use a longer value"
            )
    for name in _plain_secret_overrides(sam_command, inputs.secret_names):
        raise UsageError(
            f"the sam command holds secret parameter {name}'s value as plain text: build "
            "it with the overrides as carried (sam.deploy_command does)"
        )


def _plain_secret_overrides(sam_command: Sequence[Value], names: frozenset[str]) -> list[str]:
    """Secret parameters given a value by a plain (not Secret) ``--parameter-overrides``
    argument of the command."""
    found: list[str] = []
    for _index, text, _prefix in override_values(sam_command):
        try:
            pairs = parse_overrides(text)
        except UsageError:
            continue
        found += [k for k, v in pairs.items() if k in names and v]
    return found


def check_alias_kept(engine: StackAlias, inputs: ReleaseInputs, info: StackInfo | None) -> None:
    """The template must keep the alias on every function that carries it (exit 1)."""
    template = inputs.template
    if template is None or inputs.allow_alias_removal or info is None:
        return
    overrides = inputs.plain_overrides()
    # Only a function the template would take the alias from, if it carries it now, needs
    # its aliases read: usually none, so the check spends none of Lambda's budget.
    suspects = {
        f.name: f.logical_id
        for f in info.functions
        if alias_guard.alias_removals(template, [f.logical_id], engine.alias, overrides)
    }
    if not suspects:
        return
    live = read_live(
        engine.client("lambda"), list(suspects), engine.alias, engine.stable_name, engine.limiter
    )
    carrying = [suspects[lf.name] for lf in live if lf.alias and lf.name in suspects]
    removals = alias_guard.alias_removals(template, carrying, engine.alias, overrides)
    if removals:
        raise OperationError(alias_guard.refusal(engine.stack, engine.alias, removals))


def check_inputs(
    engine: StackAlias, inputs: ReleaseInputs, sam_command: Sequence[Value] = ()
) -> str:
    """Everything about the inputs that refuses a release, before the lease is taken: the
    same for every entry point and its dry run. Returns the reason a deploy window was
    ignored (``--ignore-window``, to record in the entry), else ""."""
    if inputs.record_file is not None:
        check_record_file(str(inputs.record_file))
    check_secrets(inputs, sam_command)
    # Blockers first: a blocked deploy reads no more than it must, and changes nothing.
    ignored = check_blockers(inputs.blockers, lambda: engine.client("cloudwatch"))
    # The command's one stack read (under the lease it is read again only if someone
    # held the lease since: Lease.quiet_since).
    check_alias_kept(engine, inputs, engine.info())
    return ignored


def gather(
    *,
    template_file: str | None,
    overrides: Mapping[str, str],
    declared_secrets: Sequence[str] = (),
    allow_alias_removal: bool = False,
    record_file: str | None = None,
    blockers: Blockers | None = None,
) -> ReleaseInputs:
    """The inputs as the CLI gives them: the template read once (for the secrets, the alias
    guard and the settlement), and every secret carried (a short one refused, exit 2)."""
    path = template_path(template_file)
    template = read_template(path)
    names = secret_names(template, path, declared_secrets)
    return ReleaseInputs(
        template=template,
        overrides=carry(overrides, names),
        allow_alias_removal=allow_alias_removal,
        record_file=Path(record_file) if record_file else None,
        secret_names=names,
        blockers=blockers,
    )
