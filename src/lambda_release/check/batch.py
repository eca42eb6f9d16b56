"""Checking many templates in one process, with one exit code for the run.

cfn-lint and the rules load once (about a second); each template then costs
only its own decoding and rules. A template that cannot be checked does not
stop the others: it is named with the reason, and the run's exit code is the
worst of its files' (3 internal error > 2 a template missing or unanalysable >
1 an error found > 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lambda_release.check.engine import run_rules
from lambda_release.check.environments import Options
from lambda_release.check.findings import Finding, Problem
from lambda_release.errors import EXIT_FAILED, EXIT_OK, LambdaReleaseError


@dataclass
class BatchResult:
    files: int = 0
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> int:
        worst = max((p.exit_code for p in self.problems), default=EXIT_OK)
        return max(worst, EXIT_FAILED if self.errors else EXIT_OK)


def check_all(
    paths: Sequence[Path], *, ignore: Sequence[str] = (), options: Options | None = None
) -> BatchResult:
    result = BatchResult(files=len(paths))
    for path in paths:
        try:
            result.findings.extend(run_rules(path, ignore=ignore, options=options))
        except LambdaReleaseError as exc:
            result.problems.append(Problem(str(path), str(exc), exc.exit_code))
    return result
