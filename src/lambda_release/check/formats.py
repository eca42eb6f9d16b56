"""Findings as text (``file:line:col: severity id message``), JSON or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lambda_release import __version__
from lambda_release.check.findings import Finding, Problem
from lambda_release.check.rulebase import DOCS_URL, docs_url

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_text(findings: Sequence[Finding]) -> str:
    lines: list[str] = []
    for f in findings:
        lines.append(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}")
        if f.fix:
            lines.append(f"    fix: {f.fix}")
    return "".join(line + "\n" for line in lines)


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


def as_sarif(
    findings: Sequence[Finding],
    descriptions: dict[str, str],
    problems: Sequence[Problem] = (),
) -> str:
    """SARIF 2.1.0; templates that could not be checked are tool notifications."""
    rule_ids = sorted({f.rule for f in findings} | set(descriptions))
    doc: dict[str, Any] = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lambda-release check",
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": [
                            {
                                "id": rid,
                                "shortDescription": {"text": descriptions.get(rid, rid)},
                                "helpUri": docs_url(rid),
                            }
                            for rid in rule_ids
                        ],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not problems,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": p.message},
                                "locations": [
                                    {"physicalLocation": {"artifactLocation": {"uri": p.file}}}
                                ],
                            }
                            for p in problems
                        ],
                    }
                ],
                "results": [
                    {
                        "ruleId": f.rule,
                        "level": _SARIF_LEVEL.get(f.severity, "note"),
                        "message": {"text": f"{f.message} (fix: {f.fix})" if f.fix else f.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": f.file},
                                    "region": {
                                        "startLine": f.line,
                                        "startColumn": f.column,
                                        "endLine": f.end_line or f.line,
                                        "endColumn": f.end_column or f.column,
                                    },
                                }
                            }
                        ],
                    }
                    for f in findings
                ],
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
