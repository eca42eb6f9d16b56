"""Reading Lambda and CloudFormation state the way tests assert on it."""

from __future__ import annotations

import threading
from typing import Any

from tests.support.waiting import wait_until


def alias_state(lambda_client: Any, function_name: str, alias: str) -> tuple[str, dict[str, float]]:
    """(FunctionVersion, AdditionalVersionWeights) of an alias; weights are {} when not split."""
    got = lambda_client.get_alias(FunctionName=function_name, Name=alias)
    weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return str(got["FunctionVersion"]), {str(k): float(v) for k, v in weights.items()}


def stack_functions(cfn_client: Any, stack: str) -> dict[str, str]:
    """Logical id -> physical function name of every AWS::Lambda::Function in a stack."""
    found: dict[str, str] = {}
    paginator = cfn_client.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=stack):
        for r in page["StackResourceSummaries"]:
            if r["ResourceType"] == "AWS::Lambda::Function":
                found[r["LogicalResourceId"]] = r["PhysicalResourceId"]
    return found


def function_name(cfn_client: Any, stack: str, logical_id: str) -> str:
    """The physical name of one function of a stack, by logical id (e.g. 'AFunction')."""
    functions = stack_functions(cfn_client, stack)
    if logical_id not in functions:
        raise KeyError(f"{logical_id} not in stack {stack}: {sorted(functions)}")
    return functions[logical_id]


def published_versions(lambda_client: Any, function_name: str) -> list[str]:
    """Published version numbers (not $LATEST), reading every page."""
    versions: list[str] = []
    paginator = lambda_client.get_paginator("list_versions_by_function")
    for page in paginator.paginate(FunctionName=function_name):
        versions += [v["Version"] for v in page["Versions"] if v["Version"] != "$LATEST"]
    return versions


def stack_status(cfn_client: Any, stack: str) -> str:
    return str(cfn_client.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"])


def wait_for_stack(cfn_client: Any, stack: str, timeout: float = 120) -> str:
    """Poll until the stack's status no longer ends in IN_PROGRESS; return it."""

    def settled() -> str:
        status = stack_status(cfn_client, stack)
        return "" if status.endswith("IN_PROGRESS") else status

    return wait_until(settled, f"stack {stack} to leave IN_PROGRESS", timeout, interval=0.02)


class AliasWatcher:
    """Polls an alias on a thread and records each distinct (version, weights) it sees.

    For observing traffic shifting while something else (sam deploy) runs.
    """

    def __init__(self, lambda_client: Any, function_name: str, alias: str) -> None:
        self.seen: list[tuple[str, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._poll, args=(lambda_client, function_name, alias), daemon=True
        )
        self._thread.start()

    def _poll(self, lambda_client: Any, function_name: str, alias: str) -> None:
        while not self._stop.is_set():
            state = alias_state(lambda_client, function_name, alias)
            if not self.seen or self.seen[-1] != state:
                self.seen.append(state)
            self._stop.wait(0.005)

    def stop(self) -> list[tuple[str, dict[str, float]]]:
        """Stop polling; every state seen, in order."""
        self._stop.set()
        self._thread.join()
        return self.seen
