"""What a team does after ``init``: the roles, their trust, the contexts, the first push."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    """Account, region and CircleCI ids; a shell variable stands in for what is unknown."""

    account: str = "$AWS_ACCOUNT_ID"
    region: str = "$AWS_REGION"
    org_id: str = "$CIRCLECI_ORG_ID"
    project_id: str = "$CIRCLECI_PROJECT_ID"


def commands(prefix: str, where: Where) -> list[str]:
    """The exact iam-policy commands for this app's two stacks and its two roles."""
    at = f"--account {where.account} --region {where.region}"
    trust = f"--account {where.account} --org-id {where.org_id} --project-id {where.project_id}"
    return [
        f"lambda-release iam-policy --role deploy --stack {prefix}-staging {at}",
        f"lambda-release iam-policy --role deploy --stack {prefix}-prod --alias PROD {at}",
        f"lambda-release iam-policy --trust {trust}",
        f"lambda-release iam-policy --role rollback --stack {prefix}-prod --alias PROD {at}",
        f"lambda-release iam-policy --trust {trust} --branch main",
    ]


def next_steps(prefix: str, written: list[str], where: Where | None = None) -> str:
    deploy_s, deploy_p, trust, rollback, rollback_trust = commands(prefix, where or Where())
    files = " ".join(written) if written else "(nothing changed)"
    return "\n".join(
        [
            "Next steps",
            f"  1. Review and commit what init wrote: git add {files}",
            "  2. The deploy role: its policy (one per stack) and its trust in this project:",
            f"       {deploy_s}",
            f"       {deploy_p}",
            f"       {trust}",
            "     The rollback role, trusted on main only:",
            f"       {rollback}",
            f"       {rollback_trust}",
            "     (docs/security.md lists what `sam deploy` itself needs on top.)",
            "  3. In CircleCI, the contexts: aws-deploy with AWS_ROLE_ARN; aws-prod-rollback",
            "     with AWS_ROLLBACK_ROLE_ARN, restricted to who may roll production back.",
            f"  4. Push a branch: it releases to {prefix}-staging (STAGING). Merge to main:",
            f"     {prefix}-prod (PROD) by canary, undone by its alarm or by hold-rollback.",
            "",
        ]
    )
