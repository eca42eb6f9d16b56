"""The rolled-back code itself, about to be deployed again.

A deploy that carries, byte for byte, the code of a version a rollback undid (the undone
release's pipeline run again, or a fix to another function while the repository still
holds the bad code) would make SAM point the alias at that version again: once
CloudFormation records the live version (after realignment, see drift.py), CodeDeploy
would shift traffic to it. Such a deploy is refused, unless a reason to go ahead is given
(``--allow-rolled-back-code``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import botocore.exceptions

from lambda_release.aws.stack import StackInfo, version_of_arn
from lambda_release.log.records import Release
from lambda_release.release.drift_log import rolled_back_versions


def stack_versions(template: dict[str, Any], physical: dict[str, str]) -> set[tuple[str, str]]:
    """(function logical id, version) of every Version resource the stack holds."""
    out: set[tuple[str, str]] = set()
    for lid, res in (template.get("Resources") or {}).items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Lambda::Version":
            continue
        fn = (res.get("Properties") or {}).get("FunctionName")
        version = version_of_arn(physical.get(str(lid)))
        if isinstance(fn, dict) and "Ref" in fn and version is not None:
            out.add((str(fn["Ref"]), version))
    return out


def rolled_back_code(
    lam: Any,
    info: StackInfo,
    template: dict[str, Any],
    physical: dict[str, str],
    releases: Sequence[Release],
    built: dict[str, str],
) -> list[str]:
    """Refusals for functions whose built code is that of a rolled-back version the stack
    still holds a Version resource for.

    Deployed, SAM would keep (or bring back) that Version resource and point the alias at
    it: once CloudFormation records the live version (after realignment), CodeDeploy would
    shift traffic to the rolled-back version again.
    """
    undone = rolled_back_versions(releases)
    names = {f.logical_id: f.name for f in info.functions}
    problems: list[str] = []
    for lid, version in sorted(stack_versions(template, physical)):
        by = undone.get((lid, version))
        sha = built.get(lid)
        if by is None or sha is None or lid not in names:
            continue
        try:
            conf = lam.get_function_configuration(FunctionName=names[lid], Qualifier=version)
        except botocore.exceptions.ClientError:
            continue  # the version is gone: nothing can route to it
        if conf.get("CodeSha256") == sha:
            problems.append(
                f"{lid}: the built code is exactly version {version}'s, which rollback {by} "
                "undid; deploying it would send traffic to that version again. Deploy a fix "
                "(or the code that runs now), or, if that code is good after all, deploy "
                "again with --allow-rolled-back-code REASON"
            )
    return problems


def allowed(problems: list[str], reason: str, progress: Callable[[str], None]) -> list[str]:
    """Rolled-back-code refusals, or none when the user gave a reason to go ahead."""
    if not reason:
        return problems
    for p in problems:
        progress(f"warning: {p.split('. ')[0]}; released anyway (--allow-rolled-back-code)")
    return []
