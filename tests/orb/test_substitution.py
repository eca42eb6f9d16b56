"""`$VAR` in string parameters: substituted as `circleci env subst` does, in every script.

CircleCI does not expand variables in a step's `environment:`; CircleCI's own orbs pipe each
string parameter through `circleci env subst`. The scripts do the same when the executor has
the CLI and apply the same rule (envsubst's: `$NAME` and `${NAME}`, unset is empty, anything
else literal) when it does not. Nothing is ever evaluated.
"""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.orb.conftest import ORB_DIR
from tests.support.processes import OrbShell
from tests.support.requires import require_tool

SCRIPTS = ORB_DIR / "scripts"
COMMON = re.compile(r"# begin lr_common.*?# end lr_common\n", re.S)

CASES = [
    "Version=${CIRCLE_SHA1}",
    "s3://$BUCKET/prefix",
    "$UNSET_VARIABLE_X-${UNSET_VARIABLE_Y}|",
    "cost $5 and $ alone and $$BUCKET and ${not closed",
    "${BUCKET}${BUCKET}$BUCKET_SUFFIX_UNSET.$BUCKET",
    "multi\nline $BUCKET\n\ttabs",
    "$(touch pwned) `touch pwned2` ${BUCKET:-default} '$BUCKET' \"$BUCKET\"",
    "é ünïcode $BUCKET",
    "",
]
ENV = {"CIRCLE_SHA1": "0123abc", "BUCKET": "team-artifacts"}


def subst(
    orb_sh: OrbShell, text: str, tmp_path: Path, path: str = "/usr/bin:/bin"
) -> subprocess.CompletedProcess[str]:
    return orb_sh.function(
        "deploy.sh", 'lr_subst "$1"', {"PATH": path, **ENV}, tmp_path, text, check=True
    )


def test_expected_values_arrive_expanded(orb_sh: OrbShell, tmp_path: Path) -> None:
    assert subst(orb_sh, "Version=${CIRCLE_SHA1}", tmp_path).stdout == "Version=0123abc"
    assert subst(orb_sh, "$BUCKET", tmp_path).stdout == "team-artifacts"
    assert subst(orb_sh, "$UNSET_VARIABLE_X", tmp_path).stdout == ""


@pytest.mark.parametrize("text", CASES)
def test_the_fallback_behaves_as_envsubst(orb_sh: OrbShell, tmp_path: Path, text: str) -> None:
    envsubst = require_tool("envsubst", "apt-get install gettext-base (.ci/run does)")
    expected = orb_sh.spawn.run([envsubst], input=text, env=ENV, check=True).stdout
    assert subst(orb_sh, text, tmp_path).stdout == expected
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_the_circleci_cli_is_used_where_it_exists(orb_sh: OrbShell, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cli = bin_dir / "circleci"
    cli.write_text('#!/bin/bash\n[ "$1 $2" = "env subst" ] || exit 1\nprintf "cli:%s" "$(cat)"\n')
    cli.chmod(cli.stat().st_mode | stat.S_IEXEC)
    assert subst(orb_sh, "$BUCKET", tmp_path, f"{bin_dir}:/usr/bin:/bin").stdout == "cli:$BUCKET"
    # A `circleci` without `env subst` (the local CLI): the same rule, here.
    cli.write_text("#!/bin/bash\nexit 1\n")
    assert subst(orb_sh, "$BUCKET", tmp_path, f"{bin_dir}:/usr/bin:/bin").stdout == "team-artifacts"


def test_every_script_carries_the_same_common_functions() -> None:
    blocks = {}
    for script in sorted(SCRIPTS.glob("*.sh")):
        found = COMMON.findall(script.read_text(encoding="utf-8"))
        assert len(found) == 1, f"{script.name} lacks the lr_common block"
        blocks[script.name] = found[0]
    assert len(set(blocks.values())) == 1, "the lr_common blocks differ: copy one to all"


def test_every_string_parameter_of_the_commands_is_substituted() -> None:
    """Each LR_STR_ variable a script reads goes through lr_subst (or is documented literal)."""
    literal = {
        "LR_STR_RECORD_FILE",
        "LR_STR_REPORT_DIR",  # store_artifacts takes it literally too
        "LR_STR_API_URL",
        "LR_STR_CACHE_KEY_FILE",
        "LR_STR_MODE",
    }
    for script in sorted(SCRIPTS.glob("*.sh")):
        text = script.read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        for name in sorted(set(re.findall(r"\$\{(LR_STR_[A-Z0-9_]+)", code)) - literal):
            assert re.search(r'lr_subst "\$\{' + name + r":-\}\"", code), f"{script.name}: {name}"


def test_words_split_by_shell_rules_or_refused(orb_sh: OrbShell, tmp_path: Path) -> None:
    def split(text: str) -> subprocess.CompletedProcess[str]:
        return orb_sh.function("deploy.sh", 'lr_split extra_deploy_args "$1"', {}, tmp_path, text)

    assert split('--a --b --tags "x=1 y=2" c\\ d').stdout.splitlines() == [
        "--a",
        "--b",
        "--tags",
        "x=1 y=2",
        "c d",
    ]
    refused = split("--tags 'x=1")
    assert refused.returncode == 2
    assert refused.stderr.startswith("lambda-release: extra_deploy_args ")
    assert "close the quote" in refused.stderr
    # The text may hold a secret substituted from a project variable: never echoed.
    leaky = split("--parameter-overrides 'Db=hunter2-secret")
    assert leaky.returncode == 2 and "hunter2" not in leaky.stderr
    broken = split('"Db=hunter2-secret\nb"')
    assert broken.returncode == 2 and "hunter2" not in broken.stderr
