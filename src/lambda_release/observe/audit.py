"""Every live path to ``$LATEST`` of a stack's functions, and any recent use of it.

For each function of the stack ``audit`` reads what can invoke it and reports
each one that names the function unqualified (or ``:$LATEST``): event source
mappings, the function URL, statements of the unqualified function's resource
policy, API Gateway REST and HTTP API integrations, EventBridge rule targets,
SNS subscriptions, S3 bucket notifications, and aliases that point at
``$LATEST``. Configuration cannot show a direct SDK ``Invoke``, so it also
sums the ``AWS/Lambda`` ``Invocations`` metric over the window for the
dimensions that mean ``$LATEST`` ran (``ExecutedVersion=$LATEST``, or a
``Resource`` that is the bare function name or ``name:$LATEST``).

A service or call the account (or the local stand-in) does not offer is not
an error: it is listed under ``not_checked`` with the reason, and the rest
still runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import Aws, error_code
from lambda_release.aws.stack import list_resources
from lambda_release.errors import OperationError
from lambda_release.output import format_table

LATEST = "$LATEST"
# Error codes that mean "nothing there", not "could not look".
ABSENT = frozenset(
    {
        "ResourceNotFoundException",
        "NotFoundException",
        "NoSuchBucket",
        "NoSuchConfiguration",
        "NoSuchEntity",
    }
)


@dataclass(frozen=True)
class LatestPath:
    """One way into ``$LATEST``: what (kind, source) reaches which function, and how."""

    function: str
    kind: str  # event-source-mapping, function-url, policy, rest-api, http-api, ...
    source: str  # the mapping's UUID, the statement id, the API id and route, ...
    target: str  # the function ARN or URI as configured
    detail: str = ""


@dataclass(frozen=True)
class NotChecked:
    check: str
    reason: str


@dataclass
class AuditReport:
    stack: str
    alias: str | None
    since: str
    functions: dict[str, str] = field(default_factory=dict)  # name -> unqualified ARN
    paths: list[LatestPath] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)
    without_alias: list[str] = field(default_factory=list)  # functions lacking ``alias``

    @property
    def clean(self) -> bool:
        return not self.paths

    def as_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "alias": self.alias,
            "since": self.since,
            "functions": self.functions,
            "paths_to_latest": [asdict(p) for p in self.paths],
            "not_checked": [asdict(n) for n in self.not_checked],
            "without_alias": self.without_alias,
            "clean": self.clean,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def as_text(self) -> str:
        lines = [f"stack {self.stack}: {len(self.functions)} function(s), since {self.since}"]
        if self.paths:
            rows = [(p.function, p.kind, p.source, p.target, p.detail) for p in self.paths]
            lines.append(f"{len(self.paths)} path(s) to $LATEST:")
            lines.append(format_table(("FUNCTION", "KIND", "SOURCE", "TARGET", "DETAIL"), rows))
        else:
            lines.append("no path to $LATEST found")
        if self.without_alias:
            lines.append(
                f"without alias {self.alias} (only reachable unqualified or by version): "
                + ", ".join(self.without_alias)
            )
        for n in self.not_checked:
            lines.append(f"not checked: {n.check}: {n.reason}")
        return "\n".join(lines) + "\n"


def parse_function_ref(ref: str) -> tuple[str, str | None]:
    """``arn:...:function:NAME[:QUALIFIER]``, ``ACCOUNT:function:NAME`` or ``NAME[:Q]``."""
    parts = ref.split(":")
    if "function" in parts:
        i = parts.index("function")
        name = parts[i + 1] if i + 1 < len(parts) else ""
        qualifier = parts[i + 2] if i + 2 < len(parts) else None
        return name, qualifier
    if len(parts) == 2:
        return parts[0], parts[1]
    return ref, None


def reaches_latest(ref: str, function: str) -> bool:
    """Whether ``ref`` names ``function`` with no qualifier or with ``$LATEST``."""
    name, qualifier = parse_function_ref(ref)
    return name == function and qualifier in (None, "", LATEST)


def _latest_refs(refs: Iterable[str], names: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(function, ref) for every ref that reaches one of ``names`` at $LATEST."""
    wanted = set(names)
    for ref in refs:
        name, _ = parse_function_ref(ref)
        if name in wanted and reaches_latest(ref, name):
            yield name, ref


def _api_uri_function(uri: str) -> str:
    """The function ARN inside an API Gateway integration URI (or the URI itself)."""
    marker = "/functions/"
    if marker in uri:
        return uri.split(marker, 1)[1].split("/invocations", 1)[0]
    return uri


class Auditor:
    """Runs every check against one account and region; one call per listing, paged."""

    def __init__(self, aws: Aws, report: AuditReport) -> None:
        self.aws = aws
        self.report = report

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def guarded(self, check: str, fn: Callable[[], None]) -> None:
        """Run one check; a service or call that is not there is noted, not fatal."""
        try:
            fn()
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            if code in ABSENT:
                return
            self.report.not_checked.append(NotChecked(check, f"{code or 'error'}: {exc}"))
        except (botocore.exceptions.BotoCoreError, NotImplementedError) as exc:
            self.report.not_checked.append(NotChecked(check, str(exc)))

    def add(self, function: str, kind: str, source: str, target: str, detail: str = "") -> None:
        self.report.paths.append(LatestPath(function, kind, source, target, detail))

    def pages(self, service: str, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        client = self.client(service)
        if client.can_paginate(operation):
            for page in client.get_paginator(operation).paginate(**kwargs):
                yield from page.get(key, [])
        else:
            yield from getattr(client, operation)(**kwargs).get(key, [])

    # -- Lambda ---------------------------------------------------------------

    def event_source_mappings(self) -> None:
        names = self.report.functions
        for m in self.pages("lambda", "list_event_source_mappings", "EventSourceMappings"):
            for fn, ref in _latest_refs([str(m.get("FunctionArn", ""))], names):
                self.add(
                    fn,
                    "event-source-mapping",
                    str(m.get("UUID")),
                    ref,
                    f"from {m.get('EventSourceArn', '?')} ({m.get('State', '?')})",
                )

    def function_url(self, name: str) -> None:
        url = self.client("lambda").get_function_url_config(FunctionName=name)
        arn = str(url.get("FunctionArn", ""))
        if reaches_latest(arn, name):
            self.add(name, "function-url", str(url.get("FunctionUrl")), arn)

    def policy(self, name: str) -> None:
        raw = self.client("lambda").get_policy(FunctionName=name)["Policy"]
        for st in json.loads(raw).get("Statement", []):
            if st.get("Effect", "Allow") != "Allow":
                continue
            principal = st.get("Principal")
            if isinstance(principal, dict):
                principal = ",".join(str(v) for v in principal.values())
            # The unqualified function's policy: statements granted with a Qualifier
            # name the alias or version in Resource (a stand-in may list them here too).
            resource = st.get("Resource")
            resources = resource if isinstance(resource, list) else [resource]
            if resource and not any(reaches_latest(str(r), name) for r in resources):
                continue
            self.add(
                name,
                "policy",
                str(st.get("Sid", "?")),
                str(resource or ""),
                f"{principal} may {st.get('Action', '?')}",
            )

    def aliases(self, name: str) -> None:
        found = list(self.pages("lambda", "list_aliases", "Aliases", FunctionName=name))
        if self.report.alias and self.report.alias not in {a.get("Name") for a in found}:
            self.report.without_alias.append(name)
        for a in found:
            weights = (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            if a.get("FunctionVersion") == LATEST or LATEST in weights:
                self.add(name, "alias", str(a.get("Name")), str(a.get("AliasArn")), "-> $LATEST")

    # -- callers in other services -----------------------------------------------

    def rest_apis(self) -> None:
        names = self.report.functions
        apigw = self.client("apigateway")
        for api in self.pages("apigateway", "get_rest_apis", "items"):
            api_id = str(api["id"])
            for res in self.pages("apigateway", "get_resources", "items", restApiId=api_id):
                for method in res.get("resourceMethods") or {}:
                    try:
                        integ = apigw.get_integration(
                            restApiId=api_id, resourceId=res["id"], httpMethod=method
                        )
                    except botocore.exceptions.ClientError as exc:
                        if error_code(exc) in ABSENT:
                            continue
                        raise
                    uri = str(integ.get("uri", ""))
                    for fn, ref in _latest_refs([_api_uri_function(uri)], names):
                        self.add(fn, "rest-api", f"{api_id} {method} {res.get('path')}", ref)

    def http_apis(self) -> None:
        names = self.report.functions
        for api in self.pages("apigatewayv2", "get_apis", "Items"):
            api_id = str(api["ApiId"])
            for integ in self.pages("apigatewayv2", "get_integrations", "Items", ApiId=api_id):
                uri = str(integ.get("IntegrationUri", ""))
                for fn, ref in _latest_refs([_api_uri_function(uri)], names):
                    self.add(fn, "http-api", f"{api_id} {integ.get('IntegrationId')}", ref)

    def eventbridge(self) -> None:
        names = self.report.functions
        events = self.client("events")
        buses = [str(b["Name"]) for b in events.list_event_buses().get("EventBuses", [])]
        for bus in buses or ["default"]:
            for rule in self.pages("events", "list_rules", "Rules", EventBusName=bus):
                targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)
                for t in targets.get("Targets", []):
                    for fn, ref in _latest_refs([str(t.get("Arn", ""))], names):
                        self.add(fn, "eventbridge", f"{bus}/{rule['Name']}/{t.get('Id')}", ref)

    def sns(self) -> None:
        names = self.report.functions
        for sub in self.pages("sns", "list_subscriptions", "Subscriptions"):
            if sub.get("Protocol") != "lambda":
                continue
            for fn, ref in _latest_refs([str(sub.get("Endpoint", ""))], names):
                self.add(fn, "sns", str(sub.get("SubscriptionArn")), ref, str(sub.get("TopicArn")))

    def s3(self) -> None:
        names = self.report.functions
        s3 = self.client("s3")
        for bucket in s3.list_buckets().get("Buckets", []):
            conf = s3.get_bucket_notification_configuration(Bucket=bucket["Name"])
            for c in conf.get("LambdaFunctionConfigurations", []):
                for fn, ref in _latest_refs([str(c.get("LambdaFunctionArn", ""))], names):
                    events = ",".join(c.get("Events", []))
                    self.add(fn, "s3", f"{bucket['Name']} {c.get('Id', '')}".strip(), ref, events)

    # -- use ------------------------------------------------------------------

    def invocations(self, name: str, start: datetime, end: datetime) -> None:
        """Invocations of $LATEST in the window, read two ways; the larger is reported.

        Directly: metrics whose ``ExecutedVersion`` is ``$LATEST`` or whose
        ``Resource`` is the bare name (or ``name:$LATEST``). Derived: Lambda
        publishes ``Resource`` (and ``ExecutedVersion``) for qualified calls, so
        the function's total minus every qualified ``Resource`` is what ran
        unqualified.
        """
        direct = 0.0
        total = 0.0
        qualified = 0.0
        for metric in self.pages(
            "cloudwatch",
            "list_metrics",
            "Metrics",
            Namespace="AWS/Lambda",
            MetricName="Invocations",
            Dimensions=[{"Name": "FunctionName", "Value": name}],
        ):
            d = {x["Name"]: x["Value"] for x in metric.get("Dimensions", [])}
            if d.get("FunctionName") != name:
                continue
            if _means_latest(d, name):
                direct += self._sum(metric["Dimensions"], start, end)
            elif set(d) == {"FunctionName"}:
                total += self._sum(metric["Dimensions"], start, end)
            elif set(d) == {"FunctionName", "Resource"}:
                qualified += self._sum(metric["Dimensions"], start, end)
        derived = total - qualified if total else 0.0
        count = max(direct, derived)
        if count > 0:
            how = "by ExecutedVersion/Resource" if direct >= derived else "total minus aliases"
            self.add(name, "invocations", how, LATEST, f"{count:g} since {start:%FT%RZ}")

    def _sum(self, dimensions: list[Any], start: datetime, end: datetime) -> float:
        stats = self.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName="Invocations",
            Dimensions=dimensions,
            StartTime=start,
            EndTime=end,
            Period=_period(start, end),
            Statistics=["Sum"],
        )
        return sum(float(p.get("Sum", 0)) for p in stats.get("Datapoints", []))


def _means_latest(dims: dict[str, str], name: str) -> bool:
    if dims.get("ExecutedVersion") == LATEST:
        return True
    resource = dims.get("Resource")
    return "ExecutedVersion" not in dims and resource in (name, f"{name}:{LATEST}")


def _period(start: datetime, end: datetime) -> int:
    """A period (multiple of 60 s) that keeps the answer under 1,440 data points."""
    seconds = max(60, int((end - start).total_seconds()))
    return max(60, -(-seconds // 1440 // 60) * 60)


def stack_functions(aws: Aws, stack: str) -> dict[str, str]:
    """Physical name -> unqualified ARN of every AWS::Lambda::Function of ``stack``."""
    cfn = aws.client("cloudformation")
    names = [
        str(r["PhysicalResourceId"])
        for r in list_resources(cfn, stack)
        if r.get("ResourceType") == "AWS::Lambda::Function" and r.get("PhysicalResourceId")
    ]
    lam = aws.client("lambda")
    result: dict[str, str] = {}
    for name in sorted(names):
        try:
            arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        except botocore.exceptions.ClientError as exc:
            raise OperationError(f"cannot read function {name} of stack {stack}: {exc}") from exc
        result[name] = str(arn).removesuffix(f":{LATEST}")
    return result


def audit_stack(
    aws: Aws,
    stack: str,
    alias: str | None = None,
    since: timedelta = timedelta(hours=24),
    now: datetime | None = None,
    functions: dict[str, str] | None = None,
) -> AuditReport:
    """Audit ``stack`` (or the given ``functions``: name -> ARN) for paths to $LATEST."""
    end = now or datetime.now(UTC)
    start = end - since
    report = AuditReport(stack=stack, alias=alias, since=f"{start:%Y-%m-%dT%H:%M:%SZ}")
    report.functions = functions if functions is not None else stack_functions(aws, stack)
    a = Auditor(aws, report)
    a.guarded("lambda event source mappings", a.event_source_mappings)
    for name in report.functions:
        a.guarded(f"lambda function URL of {name}", partial(a.function_url, name))
        a.guarded(f"lambda resource policy of {name}", partial(a.policy, name))
        a.guarded(f"lambda aliases of {name}", partial(a.aliases, name))
    a.guarded("API Gateway REST integrations", a.rest_apis)
    a.guarded("API Gateway HTTP API integrations", a.http_apis)
    a.guarded("EventBridge targets", a.eventbridge)
    a.guarded("SNS subscriptions", a.sns)
    a.guarded("S3 notifications", a.s3)
    for name in report.functions:
        a.guarded(f"CloudWatch Invocations of {name}", partial(a.invocations, name, start, end))
    return report
