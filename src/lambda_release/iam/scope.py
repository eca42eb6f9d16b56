"""What a policy is scoped to (account, region, stack, alias, release log), as ARNs.

CloudFormation names what SAM creates without an explicit name
``<stack>-<LogicalId>-<SUFFIX>`` (functions, CodeDeploy applications and
deployment groups), so ``<stack>-*`` reaches the stack's resources while the
whole name fits (64 characters for a function); functions given a
``FunctionName`` need ``--function-prefix``. A stack named like another
stack's name plus ``-...`` (``my-lambda-prod-eu`` beside ``my-lambda-prod``)
would share the pattern, so grants on functions also require the tag
``aws:cloudformation:stack-name`` that CloudFormation puts on every resource
it creates (``aws:`` tags cannot be set by anyone else): exactly the stack's
own functions. CodeDeploy has no such tag check, so its grants name SAM's application
itself: ``<stack>-ServerlessDeploymentApplication-*``, which ``my-lambda-prod-eu``'s
application (``my-lambda-prod-eu-ServerlessDeploymentApplication-...``) does not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lambda_release.errors import UsageError
from lambda_release.log.location import ROOT, LogLocation
from lambda_release.names import validate_alias, validate_stack_name

# The stack `sam deploy --resolve-s3` creates; the helper reads its bucket from it.
SAM_MANAGED_STACK = "aws-sam-cli-managed-default"
SAM_MANAGED_BUCKET = "aws-sam-cli-managed-default-samclisourcebucket-*"

# The logical id SAM gives the CodeDeploy application of every DeploymentPreference.
SAM_CODEDEPLOY_APPLICATION = "ServerlessDeploymentApplication"

# The condition key of the tag CloudFormation sets on each resource of a stack.
STACK_TAG_KEY = "aws:ResourceTag/aws:cloudformation:stack-name"

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_WILDCARDS = re.compile(r"[*?]")


def partition_of(region: str) -> str:
    """The ARN partition of ``region`` (aws, aws-cn, aws-us-gov)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class Scope:
    """The resources one role may touch."""

    account: str
    region: str
    stack: str
    alias: str | None = None
    log: LogLocation | None = None  # None: the bucket `sam deploy --resolve-s3` manages
    function_prefixes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not _ACCOUNT.match(self.account):
            raise UsageError(f"--account {self.account!r} is not a 12-digit AWS account id")
        if not _REGION.match(self.region):
            raise UsageError(f"--region {self.region!r} is not an AWS region such as us-east-1")
        validate_stack_name(self.stack, what="--stack")
        if self.alias is not None:
            validate_alias(self.alias, what="--alias")
        for p in self.function_prefixes:
            if not p or _WILDCARDS.search(p):
                raise UsageError(
                    f"--function-prefix {p!r} must be a non-empty function name prefix "
                    "without * or ?"
                )
        if self.log is not None and _WILDCARDS.search(self.log.uri):
            raise UsageError(f"--log-bucket {self.log.uri!r} must not contain * or ?")

    @property
    def partition(self) -> str:
        return partition_of(self.region)

    def _arn(
        self, service: str, resource: str, *, region: bool = True, account: bool = True
    ) -> str:
        r = self.region if region else ""
        a = self.account if account else ""
        return f"arn:{self.partition}:{service}:{r}:{a}:{resource}"

    # -- resources of the stack ------------------------------------------------

    def functions(self) -> list[str]:
        """The stack's functions, any qualifier (`*` also matches `:PROD`, `:7`)."""
        prefixes = self.function_prefixes or (f"{self.stack}-",)
        return [self._arn("lambda", f"function:{p}*") for p in prefixes]

    def functions_condition(self) -> dict[str, dict[str, str]]:
        """Only functions CloudFormation created for this very stack (see the module's text)."""
        return {"StringEquals": {STACK_TAG_KEY: self.stack}}

    def stack_arn(self, name: str | None = None) -> str:
        return self._arn("cloudformation", f"stack/{name or self.stack}/*")

    def deployment_groups(self, pattern: str | None = None) -> str:
        """Every deployment group of the stack's CodeDeploy application (or ``pattern``).

        CloudFormation names the application ``<stack>-ServerlessDeploymentApplication-<id>``
        and each group ``<stack>-<Function>DeploymentGroup-<id>``; the application's full
        logical id after ``<stack>-`` is what keeps a stack named ``<stack>-<anything>`` out
        (``<stack>-*/*`` matched its groups too)."""
        sam = f"{self.stack}-{SAM_CODEDEPLOY_APPLICATION}-*/{self.stack}-*"
        return self._arn("codedeploy", f"deploymentgroup:{pattern or sam}")

    def alarms(self) -> str:
        return self._arn("cloudwatch", "alarm:*")

    # -- the release log ---------------------------------------------------------

    @property
    def bucket(self) -> str:
        return self.log.bucket if self.log else SAM_MANAGED_BUCKET

    def log_prefix(self) -> str:
        """The key prefix of this stack's (and alias's) release log."""
        head = f"{self.log.prefix}/" if self.log and self.log.prefix else ""
        tail = f"{self.alias}/" if self.alias else ""
        return f"{head}{ROOT}/{self.stack}/{tail}"

    def stack_log_prefix(self) -> str:
        """The key prefix under which each alias of this stack has its log."""
        head = f"{self.log.prefix}/" if self.log and self.log.prefix else ""
        return f"{head}{ROOT}/{self.stack}/"

    def log_objects(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}/{self.log_prefix()}*"

    def log_bucket(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"

    # -- account-wide reads (audit) ------------------------------------------------

    def all_buckets(self) -> str:
        return f"arn:{self.partition}:s3:::*"

    def api_gateway(self, path: str) -> str:
        return self._arn("apigateway", path, account=False)

    def event_rules(self) -> str:
        return self._arn("events", "rule/*")
