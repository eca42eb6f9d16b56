"""The demo app with its guardrail fields removed: what a team has before `init`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lambda_release.demo

DEMO_APP = Path(lambda_release.demo.__file__).parent / "app"


def strip_guardrails(text: str) -> str:
    """Drop the alias parameter, AutoPublishAlias, the deployment preferences and alarms."""
    text = re.sub(r"Parameters:\n(?:  .*\n|\n)*?(?=\S)", "", text)
    text = text.replace("    AutoPublishAlias: !Ref AliasName\n", "")
    text = re.sub(r"      DeploymentPreference:\n(?:        .*\n)+", "", text)
    cut = text.find("  OrdersErrorsAlarm:")
    return text[:cut].rstrip() + "\n" if cut >= 0 else text


def write_bare_demo(directory: Path) -> Path:
    """Copy the demo app to ``directory`` without its guardrails; returns the template."""
    shutil.copytree(DEMO_APP, directory, dirs_exist_ok=True)
    template = directory / "template.yaml"
    template.write_text(strip_guardrails(template.read_text()))
    return template
