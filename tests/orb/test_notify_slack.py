"""The Slack example (orb/examples/notify_slack.yml) with the slack orb's own scripts.

The orb's report step exports the report's Markdown (scripts/report.sh, export_markdown); the
slack orb's notify.sh (v6.1.3, vendored in tests/orb/fixtures/slack_orb) builds the message
from the example's template, in its bats mode: the functions the orb runs, up to the body it
would POST to chat.postMessage (nothing is posted). The body must be JSON whose markdown
block is the report as written: quotes, backslashes, backticks, `$(...)` and line breaks
included, and nothing in it run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from orbtools import yamlio

from tests.orb.conftest import ORB_DIR
from tests.support.processes import OrbShell, Spawn

SLACK = Path(__file__).parent / "fixtures" / "slack_orb"
EXAMPLE = ORB_DIR / "examples" / "notify_slack.yml"
HOSTILE = (
    "### Release r1 of app-prod alias PROD: **failed**\n\n"
    "| function | before |\n|---|---|\n| AFunction | 1 |\n\n"
    "- alarm \"errors\" said: $(touch pwned-dollar) `touch pwned-tick` 'q' \\ back\\nslash\n"
    "- ${HOME} and $SLACK_ACCESS_TOKEN stay text; tab\there, escape \x1b[31m, bell \x07\n"
)


def templates() -> list[tuple[str, str]]:
    """(event, custom) of every slack/notify in the example."""
    usage = yamlio.load(EXAMPLE.read_text(encoding="utf-8"))["usage"]
    found = []
    for job in usage["workflows"]["release"]["jobs"]:
        args: dict[str, Any] = next(iter(job.values())) if isinstance(job, dict) else {}
        for step in (args or {}).get("post-steps", []):
            if "slack/notify" in step:
                found.append((step["slack/notify"]["event"], step["slack/notify"]["custom"]))
    return found


def exported(orb_sh: OrbShell, tmp_path: Path, text: str) -> str:
    report = tmp_path / "report.md"
    report.write_text(text, encoding="utf-8")
    proc = orb_sh.function("report.sh", 'export_markdown "$1"', {}, tmp_path, str(report))
    assert proc.returncode == 0, proc.stderr
    return orb_sh.exports(tmp_path, 'printf %s "$LAMBDA_RELEASE_REPORT_MARKDOWN"')


def body_built(spawn: Spawn, tmp_path: Path, status: str, event: str, custom: str) -> Any:
    """The slack orb's message body, built as its notify step builds it (bats mode)."""
    program = (
        f'source "{SLACK / "notify.sh"}"\n'
        'eval "$SLACK_SCRIPT_UTILS"\n'
        "SetupEnvVars >/dev/null\n"
        "ShouldPost >/dev/null\n"
        "CheckEnvVars\n"
        "BuildMessageBody >/dev/null\n"
        'printf "%s" "$SLACK_MSG_BODY"\n'
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "BASH_ENV": str(tmp_path / "bash_env"),
        "CCI_STATUS": status,
        "SLACK_PARAM_EVENT": event,
        "SLACK_PARAM_CUSTOM": custom,
        "SLACK_PARAM_CHANNEL": "C0123",
        "SLACK_DEFAULT_CHANNEL": "C0123",
        "SLACK_ACCESS_TOKEN": "xoxb-not-a-token",
        "SLACK_PARAM_DEBUG": "0",
        "SLACK_PARAM_UNFURL_LINKS": "1",
        "SLACK_PARAM_UNFURL_MEDIA": "1",
        "SLACK_PARAM_INVERT_MATCH": "0",
        "SLACK_SCRIPT_UTILS": (SLACK / "utils.sh").read_text(),
    }
    # $0 holds "bats-core": notify.sh then defines its functions without running them.
    done = spawn.run(["bash", "-c", program, "bats-core"], env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_the_example_notifies_on_success_failure_and_rollback() -> None:
    assert [event for event, _ in templates()] == ["pass", "fail", "always"]
    for _, custom in templates():
        json.loads(custom.replace("$LAMBDA_RELEASE_REPORT_MARKDOWN", "x"))  # JSON as written
        assert custom.count("$") == 1  # it names the variable; never holds the text


@pytest.mark.parametrize("which", [0, 1, 2], ids=["pass", "fail", "rollback"])
def test_the_slack_orb_sends_the_report_as_written(
    orb_sh: OrbShell, spawn: Spawn, tmp_path: Path, which: int
) -> None:
    text = exported(orb_sh, tmp_path, HOSTILE)
    # Control characters other than line breaks shown escaped, the rest exactly as written.
    assert text == HOSTILE.replace("\t", "\\x09").replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    event, custom = templates()[which]
    status = "fail" if event == "fail" else "pass"
    body = body_built(spawn, tmp_path, status, event, custom)
    header, markdown = body["blocks"]
    assert header["type"] == "header" and markdown["type"] == "markdown"
    # as written (the orb's $(...) drops the trailing line break, as any command substitution)
    assert markdown["text"] == text.rstrip("\n")
    assert "$(touch pwned-dollar)" in markdown["text"] and "$SLACK_ACCESS_TOKEN" in markdown["text"]
    assert body["channel"] == "C0123"
    assert not list(tmp_path.glob("pwned*"))  # nothing in the report was run


def test_a_report_longer_than_a_markdown_block_is_cut_with_a_note(
    orb_sh: OrbShell, tmp_path: Path
) -> None:
    long = "".join(f"- hook {i}: " + "x" * 80 + "\n" for i in range(400))  # ~37,000
    text = exported(orb_sh, tmp_path, long)
    assert len(text) <= 12_000
    assert text.startswith("- hook 0: ") and "- hook 399: " not in text
    assert text.rstrip().endswith("the whole report is in the job's artifacts, report.md)*")


def test_without_bash_env_nothing_is_exported(orb_sh: OrbShell, tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("r\n")
    proc = orb_sh.function(
        "report.sh", 'export_markdown "$1"', {"BASH_ENV": ""}, tmp_path, "report.md"
    )
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "bash_env").exists()


def test_an_unwritable_bash_env_never_fails_the_step(orb_sh: OrbShell, tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text("r\n")
    env = {"BASH_ENV": str(tmp_path / "no" / "such" / "dir" / "bash_env")}
    proc = orb_sh.function("report.sh", 'export_markdown "$1"', env, tmp_path, "report.md")
    assert proc.returncode == 0, proc.stderr
    assert "LAMBDA_RELEASE_REPORT_MARKDOWN not exported" in proc.stderr
