"""What a team does after ``init``: three roles, their trust, the contexts, the first push.

Every command is printed so that it runs as printed: a known value is quoted for the
shell, an unknown one is a variable the first step asks to set.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from lambda_release.onboard.circleci import PROD, PRODUCTION_BRANCH, ROLLBACK, STAGING

UNKNOWN = {
    "account": ("AWS_ACCOUNT_ID", "your 12-digit AWS account id"),
    "region": ("AWS_REGION", "the region the stacks live in"),
    "org_id": ("CIRCLECI_ORG_ID", "CircleCI: Organization Settings > Overview"),
    "project_id": ("CIRCLECI_PROJECT_ID", "CircleCI: Project Settings > Overview"),
}


@dataclass(frozen=True)
class Where:
    """Account, region and CircleCI ids ("" when unknown), the bucket and the build image."""

    account: str = ""
    region: str = ""
    org_id: str = ""
    project_id: str = ""
    bucket: str = ""  # "" when SAM's managed bucket holds artifacts and the log
    image: str = ""

    def value(self, field: str) -> str:
        given = str(getattr(self, field))
        return shlex.quote(given) if given else f'"${UNKNOWN[field][0]}"'

    def unknown(self) -> list[str]:
        return [f"{UNKNOWN[f][0]} ({UNKNOWN[f][1]})" for f in UNKNOWN if not getattr(self, f)]


def commands(prefix: str, where: Where) -> list[str]:
    """The iam-policy commands, in pairs: a role's policy, then its trust."""
    at = f"--account {where.value('account')} --region {where.value('region')}"
    if where.bucket:
        at += f" --s3-bucket {shlex.quote(where.bucket)}"
    trust = (
        f"lambda-release iam-policy --trust --account {where.value('account')} "
        f"--org-id {where.value('org_id')} --project-id {where.value('project_id')}"
    )
    staging, prod = shlex.quote(f"{prefix}-staging"), shlex.quote(f"{prefix}-prod")
    return [
        f"lambda-release iam-policy --role deploy --stack {staging} --alias STAGING {at}",
        trust,
        f"lambda-release iam-policy --role deploy --stack {prod} --alias PROD {at}",
        f"{trust} --branch {PRODUCTION_BRANCH}",
        f"lambda-release iam-policy --role rollback --stack {prod} --alias PROD {at}",
        f"{trust} --branch {PRODUCTION_BRANCH}",
    ]


def _bucket_line(where: Where) -> str:
    if where.bucket:
        return f"     Artifacts and the release log: s3://{where.bucket} (samconfig.toml)."
    return (
        "     Artifacts and the release log: SAM's managed bucket (resolve_s3), which the\n"
        "     first deploy creates (stack aws-sam-cli-managed-default) if it is missing."
    )


def next_steps(prefix: str, written: list[str], where: Where | None = None) -> str:
    w = where or Where()
    staging, staging_trust, prod, prod_trust, rollback, rollback_trust = commands(prefix, w)
    files = " ".join(shlex.quote(f) for f in written) if written else "(nothing changed)"
    unknown = w.unknown()
    setup = [
        "  0. Set these for the commands below (or give init --account, --region, --org-id,",
        "     --project-id):",
        *(f"       {item}" for item in unknown),
    ]
    region = w.region or "the one aws-cli/setup sets (AWS_DEFAULT_REGION in the context)"
    return "\n".join(
        [
            "Next steps",
            *(setup if unknown else []),
            f"  1. Review and commit what init wrote: git add {files}",
            "  2. Three roles, each with its policy and its trust in this project:",
            "     staging deploys, from any branch but main:",
            f"       {staging}",
            f"       {staging_trust}",
            "     production deploys, from main only:",
            f"       {prod}",
            f"       {prod_trust}",
            "     production rollbacks, from main only:",
            f"       {rollback}",
            f"       {rollback_trust}",
            "     (docs/security.md lists what `sam deploy` itself needs on top.)",
            "  3. In CircleCI, three contexts, each holding its role's ARN:",
            f"       {STAGING.context}: {STAGING.variable}",
            f"       {PROD.context}: {PROD.variable} (restrict it to who may release PROD)",
            f"       {ROLLBACK.context}: {ROLLBACK.variable} (restrict it to who may roll back)",
            f"     Region: {region}.",
            _bucket_line(w),
            f"     The jobs run on {w.image or 'the SAM build image of your runtime'}.",
            f"  4. Push a branch: it releases to {prefix}-staging (STAGING). Merge to main:",
            f"     {prefix}-prod (PROD) by canary, undone by its alarm or by hold-rollback.",
            "",
        ]
    )
