"""Building and running ``sam build`` and ``sam deploy``.

Arguments are always lists, never split from one string by guesswork. Parameter
overrides are parsed with the SAM CLI's own grammar, merged (the samconfig
environment's, then the user's, then ``AliasName``) because SAM replaces the
file's overrides rather than merging them, and handed back to SAM one
``Key="value"`` element each, quoted the way SAM's parser unquotes.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from lambda_release.errors import OperationError, UsageError
from lambda_release.template.secrets import (
    MASK,
    OutputMask,
    Secret,
    Value,
    carry,
    hidden_in,
    reveal,
    revealed,
    shown,
)

ALIAS_PARAMETER = "AliasName"
DEFAULT_HEARTBEAT = 60.0

# The SAM CLI's grammar (samcli/cli/types.py, CfnParameterOverridesType):
# a key of letters, digits and quotes; a value quoted with " or ', or a run of
# characters up to the next unescaped space.
_KEY = r"""([A-Za-z0-9"']+)"""
_VALUE = r"""("(?:\\.|[^"\\]+)*"|'(?:\\.|[^'\\]+)*'|(?:\\.|[^ "\\]+)+)"""
_LONG = re.compile(rf"(?:ParameterKey={_KEY},ParameterValue={_VALUE})")
_SHORT = re.compile(rf"(?:(?: ){_KEY}={_VALUE})")
_KEY_RULE = re.compile(r"[A-Za-z0-9]+")
# Characters XML 1.0 cannot hold at all, escaped or not: CloudFormation's Query API answers
# in XML, so a parameter value holding one is unreadable in every answer that echoes it.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def find_sam(explicit: str | None = None) -> str:
    """The SAM CLI's path. Missing: exit 1, since the input was fine but the machine lacks SAM."""
    path = shutil.which(explicit or "sam")
    if path is None:
        where = f"{explicit!r} (--sam-path)" if explicit else "'sam' on PATH"
        raise OperationError(
            f"the SAM CLI was not found: no {where}. Install it (pip install aws-sam-cli, or "
            "pip install 'lambda-release[sam]'), use the orb's default executor, which ships it, "
            "or point --sam-path at it"
        )
    return path


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.replace("\\ ", " ").replace('\\"', '"').replace("\\'", "'")


def parse_overrides(text: str, *, source: str = "--parameter-overrides") -> dict[str, str]:
    """SAM's ``Key=Value Key2="a b"`` (or ``ParameterKey=..,ParameterValue=..``) syntax."""
    text = text.strip()
    if not text:
        return {}
    normalized = " " + text
    for pattern in (_LONG, _SHORT):
        pairs = pattern.findall(normalized)
        if not pairs:
            continue
        leftover = pattern.sub("", normalized).strip()
        if leftover:
            # Never the text itself: it may hold a secret (the template is not read yet).
            raise UsageError(
                f"{source} is malformed: {len(leftover)} character(s) are not Key=Value "
                f"{_after(normalized, leftover)}(the values are not shown: they may be "
                "secret); write Key=Value pairs separated by spaces, quoting values that "
                'contain spaces (Key="a b"), or repeat --parameter-override KEY=VALUE'
            )
        return {_unquote(k): _unquote(v) for k, v in pairs}
    raise UsageError(
        f"{source} is malformed (its text is not shown: it may hold a secret): write "
        "Key=Value pairs separated by spaces, e.g. 'Stage=prod Greeting=\"hello world\"', "
        "or repeat --parameter-override KEY=VALUE"
    )


def _after(text: str, leftover: str) -> str:
    """Which key the unreadable part follows, when it follows one: a name, never a value."""
    keys = [m.group(1) for m in _SHORT.finditer(text)] + [m.group(1) for m in _LONG.finditer(text)]
    at = text.find(leftover[:1]) if leftover else -1
    before = [k for k in keys if 0 <= text.find(k) < at]
    return f"after parameter {_unquote(before[-1])!r} " if before else ""


def parse_override_item(item: str) -> tuple[str, str]:
    """One ``KEY=VALUE`` from a repeatable flag: the value is taken literally."""
    key, sep, value = item.partition("=")
    if not sep or not _KEY_RULE.fullmatch(key):
        shown_key = f" {key!r}" if sep and key and len(key) <= 128 else ""
        raise UsageError(
            f"--parameter-override{shown_key} is not KEY=VALUE with a key of letters and "
            "digits (the value is not shown: it may be secret)"
        )
    return key, value


def config_overrides(value: Any) -> dict[str, str]:
    """samconfig's ``parameter_overrides``: a string in SAM's syntax, a list, or a table."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        out: dict[str, str] = {}
        for item in value:
            out.update(config_overrides(item))
        return out
    return parse_overrides(str(value), source="samconfig parameter_overrides")


def merge_overrides(
    from_config: Mapping[str, str],
    from_string: Mapping[str, str],
    from_items: Sequence[tuple[str, str]],
    alias: str,
) -> dict[str, str]:
    """File < ``--parameter-overrides`` < ``--parameter-override``; then ``AliasName``."""
    merged = dict(from_config)
    merged.update(from_string)
    merged.update(dict(from_items))
    user = {**from_string, **dict(from_items)}
    given = user.get(ALIAS_PARAMETER)
    if given is not None and given != alias:
        raise UsageError(
            f"parameter override {ALIAS_PARAMETER}={given!r} contradicts the release's alias "
            f"{alias!r}: the helper sets {ALIAS_PARAMETER} itself; drop the override or "
            f"release to --alias {given}"
        )
    merged[ALIAS_PARAMETER] = alias
    return merged


def format_override(key: str, secret_or_plain: Value) -> Value:
    """``Key="value"`` that SAM's parser reads back as exactly ``value``; a secret value
    gives a :class:`Secret` argument shown as ``Key="*****"``. Errors name the value as
    ``repr(secret_or_plain)``, which is ``*****`` for a secret."""
    value = reveal(secret_or_plain)
    if not _KEY_RULE.fullmatch(key):
        raise UsageError(f"parameter name {key!r} must contain only letters and digits")
    # SAM unescapes \" \' and "\ " inside values and cannot express a literal
    # backslash before them, nor a trailing one: refuse rather than corrupt.
    if re.search(r"\\[\"' ]", value) or value.endswith("\\"):
        raise UsageError(
            f"parameter {key}'s value {secret_or_plain!r} has a backslash before a quote or "
            "space (or at the end), which the SAM CLI cannot pass through intact: change the value"
        )
    if bad := _NOT_IN_XML.search(value):
        raise UsageError(
            f"parameter {key}'s value {secret_or_plain!r} holds the control character "
            f"U+{ord(bad.group()):04X}, which CloudFormation's API cannot carry (its answers "
            "are XML 1.0): remove it"
        )
    formatted = f'{key}="' + value.replace('"', '\\"') + '"'
    # SAM searches the whole argument for "ParameterKey=..,ParameterValue=.." first:
    # read it back with SAM's grammar and refuse what would come out different.
    if _LONG.search(" " + formatted) or parse_overrides(formatted) != {key: value}:
        raise UsageError(
            f"parameter {key}'s value {secret_or_plain!r} would be read differently by the SAM CLI "
            "(it contains SAM's own ParameterKey=..,ParameterValue=.. syntax): change the value"
        )
    if isinstance(secret_or_plain, Secret):
        return Secret(formatted, shown=f'{key}="{secret_or_plain}"', hides=(value,))
    return formatted


def override_args(overrides: Mapping[str, Value]) -> list[Value]:
    return [format_override(k, v) for k, v in overrides.items()]


def carry_pass_through(extra: Sequence[str], names: Iterable[str]) -> list[Value]:
    """``extra`` with each ``--parameter-overrides`` value that holds a secret parameter
    carried as a :class:`Secret` (shown with that value ``*****``): ``build`` masks as
    ``deploy`` does."""
    wanted = set(names)
    out: list[Value] = []
    in_overrides = False
    for arg in extra:
        if arg.startswith("-"):
            option, sep, value = arg.partition("=")
            in_overrides = option == "--parameter-overrides" and not sep
            out.append(arg)
            if option == "--parameter-overrides" and sep:
                out[-1] = _carried_arg(arg, value, wanted, prefix=f"{option}=")
            continue
        out.append(_carried_arg(arg, arg, wanted) if in_overrides else arg)
    return out


def _carried_arg(arg: str, text: str, names: set[str], prefix: str = "") -> Value:
    if not names:
        return arg
    try:
        pairs = parse_overrides(text)
    except UsageError:
        # Unreadable: it may still hold a secret, so none of it is shown.
        return Secret(arg, shown=f"{prefix}{MASK}") if text else arg
    secret = {k: v for k, v in pairs.items() if k in names and v}
    if not secret:
        return arg
    carry(secret, secret)  # a secret too short to mask is refused, naming it
    shown_text = " ".join(
        f"{k}={MASK if k in secret else shlex.quote(v)}" for k, v in pairs.items()
    )
    return Secret(arg, shown=prefix + shown_text, hides=tuple(secret.values()))


def quoted(cmd: Sequence[Value]) -> str:
    """The command as it may be printed: shell-quoted, every secret ``*****``."""
    return shlex.join(shown(cmd))


def build_command(
    sam: str,
    *,
    template: str | None,
    cached: bool,
    parallel: bool,
    use_container: bool,
    build_dir: str | None,
    extra: Sequence[str],
    secret_names: Iterable[str] = (),
) -> list[Value]:
    cmd: list[Value] = [sam, "build"]
    if template:
        cmd += ["--template-file", template]
    if build_dir:
        cmd += ["--build-dir", build_dir]
    if cached:
        cmd.append("--cached")
    if parallel:
        cmd.append("--parallel")
    if use_container:
        cmd.append("--use-container")
    return cmd + carry_pass_through(extra, secret_names)


# What the helper sets for `sam deploy` (and SAM's aliases for them): a pass-through
# --sam-arg must not override it (SAM takes the later value: AliasName=STAGING in a
# second --parameter-overrides would delete the PROD alias from every function).
RESERVED_DEPLOY_OPTIONS = frozenset(
    {
        "--stack-name",
        "--parameter-overrides",
        "--config-env",
        "--config-file",
        "--s3-bucket",
        "--s3-prefix",
        "--resolve-s3",
        "--tags",
        "--capabilities",
        "--region",
        "--profile",
        "--template-file",
        "--template",
        "-t",
        "--image-repositories",
        "--image-repository",
        "--resolve-image-repos",
        "--confirm-changeset",
        "--no-confirm-changeset",
        "--fail-on-empty-changeset",
        "--no-fail-on-empty-changeset",
        "--guided",
        "-g",
    }
)


# sam deploy's short options that take no value (click lets them be grouped: ``-gt x``).
SHORT_FLAGS = frozenset("gh")


def _option_names(arg: str) -> list[str]:
    """The options one argument names: ``--x``/``--x=v``, or a group of short ones in
    click's way (``-tfile.yaml`` is ``-t file.yaml``, ``-gtfile.yaml`` adds ``-g``)."""
    if arg.startswith("--"):
        return [arg.split("=", 1)[0]]
    if not arg.startswith("-") or len(arg) < 2:
        return []
    names = []
    for letter in arg[1:]:
        names.append(f"-{letter}")
        if letter not in SHORT_FLAGS:
            break  # the rest of the argument is this option's value
    return names


def reserved_pass_through(extra: Sequence[str]) -> list[str]:
    """The options among ``extra`` that the helper sets itself (``--x``, ``--x=v``, ``-tv``)."""
    found = []
    for arg in extra:
        for name in _option_names(arg):
            if name in RESERVED_DEPLOY_OPTIONS and name not in found:
                found.append(name)
    return found


def check_pass_through(extra: Sequence[str]) -> None:
    """Refuse pass-through arguments that would override what the helper sets."""
    reserved = reserved_pass_through(extra)
    if reserved:
        raise UsageError(
            f"--sam-arg {' '.join(reserved)}: lambda-release sets "
            f"{'this' if len(reserved) == 1 else 'these'} for sam deploy itself; use the "
            "helper's own option (--parameter-override, --s3-bucket, --config-env, ...) instead"
        )


def deploy_command(
    sam: str,
    *,
    stack: str,
    overrides: Mapping[str, Value],
    tags: Mapping[str, str],
    capabilities: Sequence[str],
    s3_bucket: str | None,
    resolve_s3: bool,
    s3_prefix: str | None = None,
    region: str | None = None,
    template: str | None = None,
    image_repositories: Sequence[str] = (),
    resolve_image_repos: bool = False,
    config_file: str | None = None,
    config_env: str | None = None,
    extra: Sequence[str] = (),
) -> list[Value]:
    cmd: list[Value] = [sam, "deploy", "--stack-name", stack]
    if template:
        cmd += ["--template-file", template]
    if config_file:
        cmd += ["--config-file", config_file]
    if config_env:
        cmd += ["--config-env", config_env]
    cmd += ["--no-confirm-changeset", "--no-fail-on-empty-changeset"]
    if capabilities:
        cmd += ["--capabilities", *capabilities]
    if s3_bucket:
        cmd += ["--s3-bucket", s3_bucket]
    elif resolve_s3:
        cmd.append("--resolve-s3")
    if s3_prefix:
        cmd += ["--s3-prefix", s3_prefix]
    if region:
        cmd += ["--region", region]
    for repo in image_repositories:
        cmd += ["--image-repositories", repo]
    if resolve_image_repos:
        cmd.append("--resolve-image-repos")
    check_pass_through(extra)
    cmd += ["--parameter-overrides", *override_args(overrides)]
    if tags:
        cmd += ["--tags", *(f"{k}={v}" for k, v in tags.items())]
    return cmd + list(extra)


def parse_tags(items: Sequence[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"tag {item!r} is not KEY=VALUE")
        tags[_unquote(key)] = _unquote(value)
    return tags


def run_streaming(
    cmd: Sequence[Value],
    *,
    hidden: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    heartbeat: float = DEFAULT_HEARTBEAT,
    on_heartbeat: Callable[[float], None] | None = None,
    out: Any = None,
) -> int:
    """Run ``cmd``, copying its output line by line to stderr; a heartbeat line after
    ``heartbeat`` seconds of silence (CircleCI kills a step after 10 silent minutes).
    Returns the exit code. Only here are secrets revealed (to ``sam``), and ``sam``'s lines
    masked on the way through (every secret ``cmd`` carries, and ``hidden``)."""
    # Long on purpose: the child, the reader thread, the heartbeat and the signal handling
    # share one lifetime; split, each part would need the others' state.
    stream = out or sys.stderr
    mask = OutputMask([*hidden_in(cmd), *hidden])
    started = time.monotonic()
    last = [time.monotonic()]
    try:
        proc = subprocess.Popen(
            revealed(cmd),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            text=True,
            errors="replace",
            bufsize=1,
        )
    except OSError as exc:
        raise OperationError(f"cannot run {cmd[0]}: {mask.text(str(exc))}") from exc
    done = threading.Event()

    def beat() -> None:
        while not done.wait(min(heartbeat, 5.0) if heartbeat > 0 else 5.0):
            now = time.monotonic()
            if heartbeat > 0 and now - last[0] >= heartbeat:
                elapsed = now - started
                print(
                    f"[lambda-release] sam still running ({int(elapsed)} s); a canary "
                    "deployment can take as long as its traffic shift",
                    file=stream,
                    flush=True,
                )
                last[0] = now
            if on_heartbeat is not None:
                on_heartbeat(now - started)

    ticker = threading.Thread(target=beat, daemon=True)
    ticker.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            stream.write(mask.text(line) if mask else line)
            stream.flush()
            last[0] = time.monotonic()
        return proc.wait()
    except BaseException:
        # Interrupted (Ctrl-C, or SIGTERM when CircleCI cancels the job): stop sam too;
        # CloudFormation carries on, and the pending release is settled later.
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        done.set()
        ticker.join(timeout=10)


def subprocess_env(endpoint_url: str | None, region: str | None) -> dict[str, str]:
    """The environment for ``sam``: ours, plus the endpoint and region we were given."""
    env = dict(os.environ)
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    if region:
        env.setdefault("AWS_REGION", region)
        env.setdefault("AWS_DEFAULT_REGION", region)
    return env
