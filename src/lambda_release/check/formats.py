"""Findings as a table for people (``file:line:col: severity id message``), tab-separated
text, JSON or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lambda_release import __version__
from lambda_release.check.findings import Finding, Problem
from lambda_release.check.rulebase import DOCS_URL, docs_url
from lambda_release.output import format_text

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_text(findings: Sequence[Finding]) -> str:
    lines: list[str] = []
    for f in findings:
        lines.append(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}")
        if f.fix:
            lines.append(f"    fix: {f.fix}")
    return "".join(line + "\n" for line in lines)


def as_tsv(findings: Sequence[Finding]) -> str:
    """``--output text``: one tab-separated line per finding: file, line, column,
    severity, rule, message, fix (each cell escaped: no tab or line break of its own)."""
    rows = [
        (f.file, f.line, f.column, f.severity, f.rule, f.message, f.fix or "") for f in findings
    ]
    return "".join(line + "\n" for line in format_text(rows).splitlines())


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


def as_sarif(
    findings: Sequence[Finding],
    descriptions: dict[str, str],
    problems: Sequence[Problem] = (),
) -> str:
    """SARIF 2.1.0; templates that could not be checked are tool notifications."""
    rule_ids = sorted({f.rule for f in findings} | set(descriptions))
    driver = {
        "name": "lambda-release check",
        "version": __version__,
        "informationUri": DOCS_URL,
        "rules": [_sarif_rule(rid, descriptions) for rid in rule_ids],
    }
    invocation = {
        "executionSuccessful": not problems,
        "toolExecutionNotifications": [_sarif_notification(p) for p in problems],
    }
    doc: dict[str, Any] = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "results": [_sarif_result(f) for f in findings],
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _sarif_rule(rid: str, descriptions: dict[str, str]) -> dict[str, Any]:
    return {
        "id": rid,
        "shortDescription": {"text": descriptions.get(rid, rid)},
        "helpUri": docs_url(rid),
    }


def _sarif_notification(p: Problem) -> dict[str, Any]:
    """A template that could not be checked."""
    return {
        "level": "error",
        "message": {"text": p.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": p.file}}}],
    }


def _sarif_result(f: Finding) -> dict[str, Any]:
    region = {
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line or f.line,
        "endColumn": f.end_column or f.column,
    }
    return {
        "ruleId": f.rule,
        "level": _SARIF_LEVEL.get(f.severity, "note"),
        "message": {"text": f"{f.message} (fix: {f.fix})" if f.fix else f.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": f.file}, "region": region}}
        ],
    }
