"""Moving one alias back, guarded by its RevisionId and verified from Lambda's answer.

``UpdateAlias`` carries the ``RevisionId`` read with the plan. If someone changed
the alias meanwhile Lambda answers 412: the alias is read again and the
decision made again (already there, move again, or refuse), never overwritten
blindly. The same guard settles "did my request apply?" after a connection
reset or a read timeout: botocore resends the request with the old RevisionId,
Lambda answers 412 if the first one applied, and the re-read shows the alias
already on its target. Throttling and 5xx answers are retried by botocore's own
retry mode, not here.
"""

from __future__ import annotations

import time
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import RateLimiter, error_code
from lambda_release.rollback.plan import DONE, MOVE, REFUSED, Step, decide

# Rounds of re-read-and-decide after 412 or "update in progress": a logic loop
# over a changing alias, bounded so that a fight with another writer ends.
MAX_ROUNDS = 5
CONFLICT_PAUSE = 0.5

MOVED = "moved"
ALREADY = "already"
FAILED = "failed"


def _weights(resp: dict[str, Any]) -> dict[str, float]:
    raw = (resp.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return {str(k): float(v) for k, v in raw.items()}


def read_alias(lam: Any, name: str, alias: str) -> tuple[str | None, dict[str, float], str]:
    """(version, weights, RevisionId); version None when the alias is gone."""
    try:
        resp = lam.get_alias(FunctionName=name, Name=alias)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None, {}, ""
        raise
    return str(resp["FunctionVersion"]), _weights(resp), str(resp.get("RevisionId", ""))


def _redecide(
    lam: Any, step: Step, alias: str, versions_exist: set[str], limiter: RateLimiter | None
) -> str | None:
    """After a 412 or a conflict: read the alias again and decide again; its RevisionId.

    None when the step is finished (already there, refused, or the read failed).
    """
    if limiter is not None:
        limiter.wait()
    try:
        version, weights, revision = read_alias(lam, step.name, alias)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as err:
        step.result, step.reason = FAILED, f"could not read the alias again: {err}"
        return None
    decide(step, version, weights, versions_exist)
    if step.action == DONE:
        step.result = ALREADY
        return None
    if step.action == REFUSED:
        step.result = REFUSED
        return None
    return revision


def _verify(step: Step, resp: dict[str, Any]) -> None:
    """Judge the move from Lambda's answer, not from the request."""
    version, weights = str(resp.get("FunctionVersion")), _weights(resp)
    step.current, step.weights = version, weights
    if version == step.target and not weights:
        step.result = MOVED
    else:
        step.result = FAILED
        step.reason = f"Lambda answered {version} with routing {weights}, not {step.target}"


def move_back(
    lam: Any,
    step: Step,
    alias: str,
    revision_id: str,
    versions_exist: set[str],
    limiter: RateLimiter | None = None,
) -> Step:
    """Carry out ``step`` (action MOVE); its ``result`` says what happened."""
    if step.action != MOVE:
        step.result = ALREADY if step.action == DONE else step.result
        return step
    revision: str | None = revision_id
    for _ in range(MAX_ROUNDS):
        if limiter is not None:
            limiter.wait()
        try:
            resp = lam.update_alias(
                FunctionName=step.name,
                Name=alias,
                FunctionVersion=step.target,
                RoutingConfig={"AdditionalVersionWeights": {}},
                RevisionId=revision,
            )
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            if code not in ("PreconditionFailedException", "ResourceConflictException"):
                step.result, step.reason = FAILED, f"UpdateAlias failed: {exc}"
                return step
            if code == "ResourceConflictException":
                time.sleep(CONFLICT_PAUSE)  # "an update is in progress": read again shortly
            revision = _redecide(lam, step, alias, versions_exist, limiter)
            if revision is None:
                return step
            continue
        except botocore.exceptions.BotoCoreError as exc:
            step.result = FAILED
            step.reason = f"no answer from Lambda ({exc}): run the same command again"
            return step
        _verify(step, resp)
        return step
    step.result = FAILED
    step.reason = f"the alias kept changing under us ({MAX_ROUNDS} rounds): run the command again"
    return step
