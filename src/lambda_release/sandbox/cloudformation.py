"""CloudFormation as SAM needs it, on top of moto's stacks.

moto stores stacks, change sets and events; this module changes how they are executed:

- templates with the SAM transform are expanded with the real translator and the stack's
  parameters (`sam_transform.translate`);
- executing a change set (or UpdateStack) runs on a thread, like AWS: resources are created or
  updated in dependency order, so a function's code changes before its new version is
  published, and removed resources are deleted at the end (honouring `DeletionPolicy: Retain`);
- an alias update with SAM's `CodeDeployLambdaAliasUpdate` policy starts a CodeDeploy deployment
  and the stack stays `UPDATE_IN_PROGRESS` until it ends; a failed or stopped deployment, or
  CancelUpdateStack, rolls the stack back to its previous template (`UPDATE_ROLLBACK_COMPLETE`);
  a resource that cannot be restored leaves it `UPDATE_ROLLBACK_FAILED` (refusing updates) until
  ContinueUpdateRollback, with `ResourcesToSkip`, finishes the rollback;
- stacks made through change sets get their Outputs;
- template URLs on 127.0.0.1 (or any host:port) are read path-style;
- an inline TemplateBody over 51,200 bytes is refused (a TemplateURL is not);
- GetTemplate honours `TemplateStage`: `Processed` is the template after the SAM transform,
  and `StagesAvailable` says which stages there are.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import yaml
from moto.awslambda import models as lambda_models
from moto.awslambda.utils import get_backend
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.parsing import clean_json, parse_and_update_resource
from moto.core.responses import ActionResult, EmptyResult
from moto.s3.models import s3_backends

from lambda_release.sandbox import answer_fixes, codedeploy, replacement, stack_reads, unemulated
from lambda_release.sandbox.sam_transform import SAM_TRANSFORM, translate

CODEDEPLOY_POLICY = "CodeDeployLambdaAliasUpdate"

# -- templates --------------------------------------------------------------------------------


def parsed_template(text: str) -> dict[str, Any]:
    """The template as moto reads it. Malformed text, or YAML that is no mapping, is
    CloudFormation's ValidationError "Template format error: ..." (moto answered 500)."""
    try:
        raw = cfn_models.Stack.parse_template(text)
    except (ValueError, yaml.YAMLError) as exc:  # JSONDecodeError is a ValueError
        raise ValidationError(
            message=f"Template format error: {_not_well_formed(text, exc)}"
        ) from exc
    if not isinstance(raw, dict):
        raise ValidationError(message="Template format error: unsupported structure.")
    return raw


def _not_well_formed(text: str, exc: Exception) -> str:
    """Which format failed, and where. moto tries JSON when YAML fails, so a YAML
    template's own error is found again (composed only: CloudFormation's tags need no
    constructor) rather than reported at JSON's position."""
    if isinstance(exc, json.JSONDecodeError) and text.lstrip().startswith("{"):
        return f"JSON not well-formed. (line {exc.lineno}, column {exc.colno})"
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        try:
            yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as found:
            mark = found.problem_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    return f"YAML not well-formed.{where}"


def _stack_parse_template(self: Any) -> None:
    raw = parsed_template(self.template)
    self.raw_template_dict = raw
    self.template_dict = translate(
        raw,
        getattr(self, "parameters", None) or {},
        self.region_name,
        self.account_id,
    )


def _stack_has_template(self: Any, other_template: str) -> bool:
    if not self.template:
        return False
    return bool(parsed_template(self.template) == parsed_template(other_template))


def _change_set_parse_template(self: Any) -> None:
    from samtranslator.model.exceptions import ExceptionWithMessage  # noqa: PLC0415

    raw = parsed_template(self.template)
    self.raw_template_dict = raw
    try:
        self.template_dict = translate(
            raw, self.parameters or {}, self.stack.region_name, self.stack.account_id
        )
    except ExceptionWithMessage as exc:
        # CloudFormation creates the change set and fails it with the transform's message
        # (status FAILED, reason "Transform AWS::Serverless-2016-10-31 failed with: ...");
        # create_change_set marks it. Until then it proposes no change.
        causes = [cause.message for cause in getattr(exc, "causes", [])]
        message = " ".join([exc.message, *causes])
        self.transform_failure = f"Transform {SAM_TRANSFORM} failed with: {message}"
        self.template_dict = {"Resources": {}}


def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
    """moto's reader, plus path-style URLs on an IP address or any host with a port."""
    url = urlparse(template_url)
    host = url.hostname or ""
    amazon_path_style = host.endswith("amazonaws.com") and host.startswith("s3")
    local_path_style = url.port is not None or host == "localhost" or "." not in host
    if re.fullmatch(r"[0-9.]+|\[?[0-9a-fA-F:]+\]?", host):
        local_path_style = True
    if host.endswith(".localhost"):
        # bucket.localhost:PORT/key is virtual-hosted style
        local_path_style = False
    if amazon_path_style or local_path_style:
        bucket_name, key_name = url.path.lstrip("/").split("/", 1)
    else:
        bucket_name = host.split(".")[0]
        key_name = url.path.lstrip("/")
    key = s3_backends[account_id][partition].get_object(bucket_name, key_name)
    if key is None:
        raise ValidationError(message=f"Template not found at {template_url}")
    return str(key.value.decode("utf-8"))


# -- dependency order -------------------------------------------------------------------------


def _references(node: Any, names: set[str]) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str) and value in names:
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                if target in names:
                    found.add(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                for ref in re.findall(r"\$\{([^!}][^}]*)\}", str(text)):
                    if ref.split(".")[0] in names:
                        found.add(ref.split(".")[0])
                if isinstance(value, list) and len(value) > 1:
                    found |= _references(value[1], names)
            else:
                found |= _references(value, names)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item, names)
    return found


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids, each after the resources it refers to (Ref, GetAtt, Sub, DependsOn)."""
    names = set(resources)
    deps: dict[str, set[str]] = {}
    for name, body in resources.items():
        depends = body.get("DependsOn") or []
        if isinstance(depends, str):
            depends = [depends]
        refs = _references(body.get("Properties") or {}, names)
        refs |= _references(body.get("UpdatePolicy") or {}, names)
        deps[name] = (refs | {d for d in depends if d in names}) - {name}
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen or name in path:
            return
        for dep in sorted(deps[name]):
            visit(dep, (*path, name))
        seen.add(name)
        order.append(name)

    for name in resources:
        visit(name, ())
    return order


# -- stack operations -------------------------------------------------------------------------

OPERATIONS: dict[str, StackOperation] = {}
_lock = threading.Lock()


def _event(
    stack: Any,
    logical_id: str,
    physical_id: str,
    rtype: str,
    status: str,
    reason: str | None = None,
) -> None:
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=rtype,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _stack_status(stack: Any, status: str, reason: str | None = None) -> None:
    # Status first, then the event: SAM stops streaming events at a finished stack event and
    # then asks for the status, which must already agree.
    stack.status = status
    stack._add_stack_event(status, resource_status_reason=reason)


# CloudFormation's status reason when an update replaces a resource.
NEW = "Requested update requires the creation of a new physical resource; hence creating one."


REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS"


def _physical_id(resource: Any) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


class StackOperation:
    """One CREATE or UPDATE of a stack from a (translated) template, run on a thread."""

    def __init__(
        self,
        stack: Any,
        kind: str,
        template: str,
        template_dict: dict[str, Any],
        raw_template_dict: dict[str, Any],
        parameters: dict[str, Any],
        on_done: Callable[[bool], None] | None = None,
    ) -> None:
        self.stack = stack
        self.kind = kind
        self.template = template
        self.template_dict = template_dict
        self.raw_template_dict = raw_template_dict
        self.parameters = parameters
        self.on_done = on_done
        self.cancelled = threading.Event()
        self.deployments: list[codedeploy.LambdaDeployment] = []
        self.done = threading.Event()

    # public ---------------------------------------------------------------------------------

    def start(self) -> None:
        stack = self.stack
        refuse_update_of_failed_rollback(stack)
        with _lock:
            if stack.stack_id in OPERATIONS and not OPERATIONS[stack.stack_id].done.is_set():
                raise ValidationError(
                    stack.stack_id,
                    message=f"Stack:{stack.stack_id} is in {stack.status} state and can not "
                    "be updated.",
                )
            OPERATIONS[stack.stack_id] = self
        if self.kind == "UPDATE":
            # DescribeStacks' LastUpdatedTime: set when an update starts, absent until the first
            # (moto never sets it).
            stack.last_updated_time = codedeploy.aws_now()
        _stack_status(stack, f"{self.kind}_IN_PROGRESS", "User Initiated")
        threading.Thread(target=self._run, name=f"cfn-{stack.name}", daemon=True).start()

    def cancel(self) -> None:
        self.cancelled.set()
        for deployment in self.deployments:
            deployment.stop(auto_rollback=True)

    # the run --------------------------------------------------------------------------------

    def _run(self) -> None:
        ok = False
        try:
            ok = self._create() if self.kind == "CREATE" else self._update()
        finally:
            self.done.set()
            if self.on_done is not None:
                self.on_done(ok)

    def _load(self, rm: Any, template_dict: dict[str, Any], parameters: dict[str, Any]) -> None:
        rm._template = template_dict
        rm.input_parameters = parameters
        rm.resolved_parameters = {}
        rm.load_mapping()
        rm.load_parameters()
        rm.load_conditions()
        rm._resource_json_map = template_dict["Resources"]

    def _adopt(self) -> None:
        stack = self.stack
        stack.template = self.template
        stack.template_dict = self.template_dict
        stack.raw_template_dict = self.raw_template_dict
        stack.parameters = self.parameters
        stack.description = self.template_dict.get("Description")
        stack.output_map = stack._create_output_map()

    def _create(self) -> bool:
        stack = self.stack
        rm = stack.resource_map
        created: list[str] = []
        try:
            self._load(rm, self.template_dict, self.parameters)
            rm.validate_outputs()
            for lid in dependency_order(self.template_dict["Resources"]):
                rtype = self.template_dict["Resources"][lid]["Type"]
                _event(stack, lid, "", rtype, "CREATE_IN_PROGRESS")
                resource = rm[lid]
                created.append(lid)
                _event(stack, lid, _physical_id(resource), rtype, "CREATE_COMPLETE")
            self._adopt()
            list(stack.output_map.values())  # resolve outputs now, while resources exist
        except Exception as exc:
            # As CreateStack's own path (``_creation_failed``) and CloudFormation: the
            # resource CREATE_FAILED with why, the stack's reason naming it, each resource
            # made deleted (sam's table of events shows them).
            _creation_failed(stack, exc, self.template_dict["Resources"])
            return False
        _stack_status(stack, "CREATE_COMPLETE")
        return True

    def _update(self) -> bool:
        stack = self.stack
        rm = stack.resource_map
        old = {
            "template": stack.template,
            "template_dict": stack.template_dict,
            "raw_template_dict": getattr(stack, "raw_template_dict", stack.template_dict),
            "parameters": stack.parameters,
            "input_parameters": rm.input_parameters,
            "parsed": dict(rm._parsed_resources),
            "output_map": stack.output_map,
            "description": stack.description,
        }
        new_resources = self.template_dict["Resources"]
        diff = rm.build_resource_diff(self.template_dict, self.parameters)
        added: list[str] = []
        modified: list[str] = []
        # Replaced resources: the old ones, deleted once the update has succeeded.
        replaced: dict[str, Any] = {}
        reason = "Update failed"
        # The resource being created or updated: (logical id, "create" or "update").
        doing: tuple[str, str] | None = None
        try:
            self._load(rm, self.template_dict, self.parameters)
            for lid in dependency_order(new_resources):
                if self.cancelled.is_set():
                    raise _Cancelled()
                body = new_resources[lid]
                doing = (lid, "create" if lid in diff["Add"] else "update")
                if lid in diff["Add"]:
                    _event(stack, lid, "", body["Type"], "CREATE_IN_PROGRESS")
                    resource = rm[lid]
                    added.append(lid)
                    _event(stack, lid, _physical_id(resource), body["Type"], "CREATE_COMPLETE")
                elif lid in diff["Modify"] or _references(
                    body.get("Properties") or {}, set(replaced)
                ):
                    # A resource referring to a replaced one is updated too: its Ref or
                    # GetAtt now gives the new resource (moto's diff compares text only).
                    physical = _physical_id(rm._parsed_resources.get(lid))
                    _event(stack, lid, physical, body["Type"], "UPDATE_IN_PROGRESS")
                    modified.append(lid)
                    if self._start_deployment(lid, body):
                        continue
                    if replacement.replaces(rm._parsed_resources.get(lid), body, rm, lid):
                        replaced[lid] = self._replace(lid, body["Type"], physical)
                        continue
                    changed = parse_and_update_resource(
                        lid, body, rm, account_id=stack.account_id, region_name=stack.region_name
                    )
                    if changed is not None:
                        rm._parsed_resources[lid] = changed
                    _event(stack, lid, physical, body["Type"], "UPDATE_COMPLETE")
            doing = None
            failed = self._wait_for_deployments()
            if failed:
                reason = failed
                raise _Cancelled()
            if self.cancelled.is_set():
                raise _Cancelled()
        except Exception as exc:
            reason = self._failure_reason(exc, doing, reason)
            # What replaced a resource is deleted as what the update added.
            self._roll_back(old, [*added, *replaced], modified, reason)
            return False
        self._adopt()
        self._clean_up(old["template_dict"]["Resources"], diff["Remove"], replaced)
        return True

    def _failure_reason(self, exc: Exception, doing: tuple[str, str] | None, reason: str) -> str:
        if isinstance(exc, _Cancelled):
            cancelled = self.cancelled.is_set() and reason == "Update failed"
            return "Resource update cancelled" if cancelled else reason
        if doing is not None:
            return self._resource_failed(doing, exc)
        return f"Update failed: {exc}"

    def _resource_failed(self, doing: tuple[str, str], exc: Exception) -> str:
        """As CloudFormation: the resource's CREATE_FAILED or UPDATE_FAILED event carries why,
        the stack's rollback names the resource ("The following resource(s) failed to
        create: [Broken]. "). The stand-in gave neither (only "Update failed: ...")."""
        lid, action = doing
        body = self.template_dict["Resources"][lid]
        physical = _physical_id(self.stack.resource_map._parsed_resources.get(lid))
        _event(self.stack, lid, physical, body["Type"], f"{action.upper()}_FAILED", str(exc))
        return f"The following resource(s) failed to {action}: [{lid}]. "

    def _replace(self, lid: str, rtype: str, physical: str) -> Any:
        """Create the new physical resource of ``lid``; the old one (deleted at cleanup)."""
        rm = self.stack.resource_map
        old = rm._parsed_resources.pop(lid)
        _event(self.stack, lid, physical, rtype, "UPDATE_IN_PROGRESS", NEW)
        fresh = _physical_id(rm[lid])  # created from the new properties
        _event(self.stack, lid, fresh, rtype, "UPDATE_COMPLETE")
        return old

    def _clean_up(
        self, old_resources: dict[str, Any], removed: list[str], replaced: dict[str, Any]
    ) -> None:
        """The cleanup phase: delete what was replaced or removed, unless its policy keeps it."""
        stack = self.stack
        rm = stack.resource_map
        _stack_status(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        for lid, resource in replaced.items():
            body = self.template_dict["Resources"][lid]
            if body.get("UpdateReplacePolicy") in ("Retain", "Snapshot"):
                continue
            with contextlib.suppress(Exception):
                rm._delete_resource(resource, body)
            _event(stack, lid, _physical_id(resource), body["Type"], "DELETE_COMPLETE")
        for lid in removed:
            body = old_resources[lid]
            gone = rm._parsed_resources.pop(lid, None)
            if body.get("DeletionPolicy") == "Retain" or gone is None:
                continue
            with contextlib.suppress(Exception):
                rm._delete_resource(gone, body)
            _event(stack, lid, _physical_id(gone), body["Type"], "DELETE_COMPLETE")
        _stack_status(stack, "UPDATE_COMPLETE")

    def _start_deployment(self, lid: str, body: dict[str, Any]) -> bool:
        """Hand an alias update with SAM's CodeDeploy policy to CodeDeploy; False if not one."""
        policy = (body.get("UpdatePolicy") or {}).get(CODEDEPLOY_POLICY)
        if body["Type"] != "AWS::Lambda::Alias" or not policy:
            return False
        stack = self.stack
        rm = stack.resource_map
        current = rm._parsed_resources.get(lid)
        props = clean_json(copy.deepcopy(body.get("Properties") or {}), rm)
        policy = clean_json(copy.deepcopy(policy), rm)
        target = str(props["FunctionVersion"])
        if current is None or target == current.function_version or props["Name"] != current.name:
            return False
        if replacement.function_name(props["FunctionName"]) != current.function_name:
            return False  # an alias of another function replaces this one: no traffic shift
        shift = codedeploy.AliasShift(
            function_name=current.function_name,
            alias=current.name,
            current_version=current.function_version,
            target_version=target,
            before_hook=policy.get("BeforeAllowTrafficHook"),
            after_hook=policy.get("AfterAllowTrafficHook"),
        )

        def record(deployment: codedeploy.LambdaDeployment) -> None:
            if deployment.status == "Succeeded":
                current.function_version = target
                current.routing = {"AdditionalVersionWeights": {}}
                _event(stack, lid, current.arn, body["Type"], "UPDATE_COMPLETE")

        deployment = codedeploy.LambdaDeployment(
            stack.account_id,
            stack.region_name,
            policy["ApplicationName"],
            policy["DeploymentGroupName"],
            shift,
            on_done=record,
        )
        self.deployments.append(deployment)
        deployment.start()
        return True

    def _wait_for_deployments(self) -> str | None:
        """Wait for every deployment; on the first failure stop the rest. A reason, or None."""
        pending = list(self.deployments)
        failure: str | None = None
        while pending:
            for deployment in list(pending):
                if deployment.finished.wait(timeout=0.02):
                    pending.remove(deployment)
                    if deployment.status != "Succeeded" and failure is None:
                        error = getattr(deployment.info, "error_information", {}) or {}
                        failure = (
                            f"CodeDeploy deployment {deployment.deployment_id} "
                            f"{deployment.status.lower()}: {error.get('message', '')}"
                        ).strip()
                        for other in pending:
                            other.stop(auto_rollback=True)
            if self.cancelled.is_set() and failure is None:
                failure = "Resource update cancelled"
                for other in pending:
                    other.stop(auto_rollback=True)
        return failure

    def _roll_back(
        self, old: dict[str, Any], added: list[str], modified: list[str], reason: str
    ) -> None:
        stack = self.stack
        rm = stack.resource_map
        _stack_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        for deployment in self.deployments:
            deployment.stop(auto_rollback=True)
            deployment.finished.wait(timeout=30)
        new_parsed = dict(rm._parsed_resources)
        self._load(rm, old["template_dict"], old["input_parameters"])
        rm._parsed_resources = dict(old["parsed"])
        old_resources = old["template_dict"]["Resources"]
        failed: dict[str, str] = {}
        for lid in [x for x in dependency_order(old_resources) if x in modified]:
            problem = restore_resource(stack, lid, old_resources[lid])
            if problem:
                failed[lid] = problem
        stack.template = old["template"]
        stack.template_dict = old["template_dict"]
        stack.raw_template_dict = old["raw_template_dict"]
        stack.parameters = old["parameters"]
        stack.output_map = old["output_map"]
        stack.description = old["description"]
        if failed:
            # As CloudFormation: the stack stays UPDATE_ROLLBACK_FAILED until
            # ContinueUpdateRollback (with the resources to skip) finishes the rollback.
            stack.rollback_failed = failed
            stack.rollback_cleanup = (self.template_dict["Resources"], new_parsed, added)
            _stack_status(
                stack,
                "UPDATE_ROLLBACK_FAILED",
                "The following resource(s) failed to update: [" + ", ".join(sorted(failed)) + "].",
            )
            return
        finish_rollback(stack, self.template_dict["Resources"], new_parsed, added)


def restore_resource(stack: Any, lid: str, body: dict[str, Any]) -> str | None:
    """Give one resource its previous properties again; why it failed, or None."""
    rm = stack.resource_map
    resource = rm._parsed_resources.get(lid)
    physical = _physical_id(resource)
    try:
        if body["Type"] == "AWS::Lambda::Alias" and resource is not None:
            if codedeploy.SETTINGS.fail_stack_rollbacks:
                # The sandbox's fault switch: as when the version the alias must go back to
                # was deleted (for example by a prune) while the update ran.
                raise RuntimeError(
                    'Resource handler returned message: "Function not found: '
                    f'{resource.arn.rsplit(":", 1)[0]}:{resource.function_version}" '
                    "(sandbox fault switch: stack rollbacks fail)"
                )
            _lambda_backend(stack).update_alias(
                resource.name,
                resource.function_name,
                resource.function_version,
                None,
                resource.routing,
            )
        else:
            changed = parse_and_update_resource(
                lid, body, rm, account_id=stack.account_id, region_name=stack.region_name
            )
            if changed is not None:
                rm._parsed_resources[lid] = changed
    except Exception as exc:
        _event(stack, lid, physical, body["Type"], "UPDATE_FAILED", str(exc))
        return str(exc)
    _event(stack, lid, _physical_id(rm._parsed_resources.get(lid)), body["Type"], "UPDATE_COMPLETE")
    return None


def finish_rollback(
    stack: Any, new_resources: dict[str, Any], new_parsed: dict[str, Any], added: list[str]
) -> None:
    """The cleanup of a rollback: delete what the failed update added (except Retain)."""
    rm = stack.resource_map
    _stack_status(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    for lid in reversed(added):
        body = new_resources[lid]
        resource = new_parsed.get(lid)
        if resource is None or body.get("DeletionPolicy") == "Retain":
            continue
        with contextlib.suppress(Exception):
            rm._delete_resource(resource, body)
        _event(stack, lid, _physical_id(resource), body["Type"], "DELETE_COMPLETE")
    _stack_status(stack, "UPDATE_ROLLBACK_COMPLETE")


def refuse_update_of_failed_rollback(stack: Any) -> None:
    """CloudFormation updates nothing in UPDATE_ROLLBACK_FAILED until the rollback continues."""
    if stack.status == "UPDATE_ROLLBACK_FAILED":
        raise ValidationError(
            stack.stack_id,
            message=f"Stack:{stack.stack_id} is in UPDATE_ROLLBACK_FAILED state and can not "
            "be updated.",
        )


def continue_update_rollback(stack: Any, skip: list[str]) -> None:
    """ContinueUpdateRollback: retry the resources that failed, except those to skip."""
    failed: dict[str, str] = dict(getattr(stack, "rollback_failed", {}) or {})
    unknown = sorted(set(skip) - set(failed))
    if unknown:
        raise ValidationError(
            stack.stack_id,
            message=f"Resources {unknown} cannot be skipped: only resources in the "
            f"UPDATE_FAILED state can be ({', '.join(sorted(failed))})",
        )
    _stack_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated")
    still: dict[str, str] = {}
    resources = stack.template_dict["Resources"]
    for lid in failed:
        if lid in skip:
            _event(
                stack,
                lid,
                _physical_id(stack.resource_map._parsed_resources.get(lid)),
                resources[lid]["Type"],
                "UPDATE_COMPLETE",
                "Resource skipped during rollback",
            )
            continue
        problem = restore_resource(stack, lid, resources[lid])
        if problem:
            still[lid] = problem
    if still:
        stack.rollback_failed = still
        _stack_status(
            stack,
            "UPDATE_ROLLBACK_FAILED",
            "The following resource(s) failed to update: [" + ", ".join(sorted(still)) + "].",
        )
        return
    stack.rollback_failed = {}
    new_resources, new_parsed, added = stack.rollback_cleanup
    finish_rollback(stack, new_resources, new_parsed, added)


class _Cancelled(Exception):
    pass


def _lambda_backend(stack: Any) -> Any:
    return get_backend(stack.account_id, stack.region_name)


# -- backend and response methods -------------------------------------------------------------


def _find_change_set(backend: Any, change_set_name: str, stack_name: str | None) -> Any:
    """A change set by ARN, or by name within the stack a name means: the live one. A stack
    deleted and made again keeps its name, and `sam` names every first change set alike
    (moto took the deleted stack's, already executed)."""
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    named = [
        cs
        for cs in backend.change_sets.values()
        if cs.change_set_name == change_set_name
        and (stack_name is None or stack_name in (cs.stack_name, cs.stack_id))
    ]
    live = [
        cs
        for cs in named
        if cs.stack_id in backend.stacks and backend.stacks[cs.stack_id].status != "DELETE_COMPLETE"
    ]
    if live or named:
        return (live or named)[-1]
    raise ValidationError(stack_name or change_set_name)


def _execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = _find_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise ValidationError(
            change_set.change_set_id,
            message=f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]",
        )
    stack = self.stacks[change_set.stack_id]

    def finished(ok: bool) -> None:
        change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"

    operation = StackOperation(
        stack,
        change_set.change_set_type,
        change_set.template,
        change_set.template_dict,
        getattr(change_set, "raw_template_dict", change_set.template_dict),
        dict(change_set.parameters or {}),
        on_done=finished,
    )
    operation.start()
    change_set.execution_status = "EXECUTE_IN_PROGRESS"


def _update_stack(
    self: Any,
    name: str,
    template: str,
    role_arn: str | None,
    parameters: list[dict[str, Any]],
    tags: dict[str, str] | None,
) -> Any:
    stack = self.get_stack(name)
    resolved = self._resolve_update_parameters(instance=stack, incoming_params=parameters)
    raw = parsed_template(template)
    translated = translate(raw, resolved, stack.region_name, stack.account_id)
    if role_arn:
        stack.role_arn = role_arn
    if tags is not None:
        stack.tags = tags
    StackOperation(stack, "UPDATE", template, translated, raw, resolved).start()
    return stack


def _cancel_update_stack(self: Any, stack_name: str) -> None:
    stack = self.get_stack(stack_name)
    operation = OPERATIONS.get(stack.stack_id)
    if stack.status != "UPDATE_IN_PROGRESS" or operation is None or operation.done.is_set():
        raise ValidationError(
            stack.stack_id,
            message=f"CancelUpdateStack cannot be called from current stack status {stack.status}",
        )
    operation.cancel()


def _continue_update_rollback_response(self: Any) -> Any:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    if stack.status != "UPDATE_ROLLBACK_FAILED":
        raise ValidationError(
            stack.stack_id,
            message="ContinueUpdateRollback cannot be called from current stack status "
            f"{stack.status}",
        )
    continue_update_rollback(stack, list(self._get_param("ResourcesToSkip", []) or []))
    return EmptyResult()


TEMPLATE_BODY_MAX = 51_200  # bytes: CloudFormation's limit for an inline TemplateBody


def _template_body_limited(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A request whose inline TemplateBody is over 51,200 bytes is refused, as on AWS."""

    def action(self: Any) -> Any:
        body = self._get_param("TemplateBody")
        if body and len(str(body).encode()) > TEMPLATE_BODY_MAX:
            raise ValidationError(
                message="1 validation error detected: Value at 'templateBody' failed to "
                "satisfy constraint: Member must have length less than or equal to "
                f"{TEMPLATE_BODY_MAX}"
            )
        return original(self)

    return action


def _create_change_set_wrapper(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_change_set(self: Any, stack_name: str, *args: Any, **kwargs: Any) -> Any:
        change_set_id, stack_id = _create_change_set(self, stack_name, *args, **kwargs)
        _fail_on_transform_failure(self.change_sets[change_set_id])
        return change_set_id, stack_id

    def _create_change_set(self: Any, stack_name: str, *args: Any, **kwargs: Any) -> Any:
        existing = [stack for stack in self.stacks.values() if stack.name == stack_name]
        for stack in existing:
            refuse_update_of_failed_rollback(stack)
        if kwargs.get("change_set_type") != "CREATE" or not existing:
            return original(self, stack_name, *args, **kwargs)
        # CloudFormation: a CREATE change set is for a new stack; a stack still
        # REVIEW_IN_PROGRESS (its first change set never executed) is one, and the change
        # set is made on it (its stack id kept: what sam deploy relies on). Any other
        # existing stack is refused (moto made a second stack of the same name).
        stack = existing[0]
        if stack.status != REVIEW_IN_PROGRESS:
            raise ValidationError(
                stack_name,
                message=f"Stack [{stack_name}] already exists and cannot be created again "
                f"with the changeSet [{kwargs.get('change_set_name')}].",
            )
        # moto's UPDATE branch makes the change set on the existing stack; it stays a
        # CREATE (executing it creates the stack's resources).
        change_set_id, stack_id = original(
            self, stack_name, *args, **dict(kwargs, change_set_type="UPDATE")
        )
        self.change_sets[change_set_id].change_set_type = "CREATE"
        return change_set_id, stack_id

    return create_change_set


def _fail_on_transform_failure(change_set: Any) -> None:
    """A change set whose transform failed: FAILED, not executable, its reason the transform's
    (CloudFormation's answer; moto answered an HTML 500 to CreateChangeSet)."""
    reason = getattr(change_set, "transform_failure", None)
    if reason is None:
        return
    change_set.status = "FAILED"
    change_set.execution_status = "UNAVAILABLE"
    change_set.status_reason = reason
    change_set.changes = []


def _cancel_update_stack_response(self: Any) -> Any:
    self.cloudformation_backend.cancel_update_stack(self._get_param("StackName"))
    return EmptyResult()


def _get_template_response(self: Any) -> Any:
    """GetTemplate as AWS answers it: the original or the processed template, and the stages.

    For a stack both stages are always available; for a change set the processed one is
    available once the change set is created (CloudFormation API reference, GetTemplate).
    """
    backend = self.cloudformation_backend
    stage = self._get_param("TemplateStage") or "Original"
    if stage not in ("Original", "Processed"):
        raise ValidationError(
            message=f"1 validation error detected: Value '{stage}' at 'templateStage' failed "
            "to satisfy constraint: Member must satisfy enum value set: [Original, Processed]"
        )
    change_set_name = self._get_param("ChangeSetName")
    stack_name = self._get_param("StackName")
    source: Any
    if change_set_name:
        source = _find_change_set(backend, change_set_name, stack_name)
    else:
        source = backend.get_stack(stack_name)
    if stage == "Processed":
        body: Any = json.dumps(source.template_dict)
    else:
        body = source.template
    return ActionResult({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})


def _stack_init_wrapper(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # The SAM transform needs these before moto's __init__ parses the template.
        names = ("stack_id", "name", "template", "parameters", "account_id", "region_name")
        given = dict(zip(names, args, strict=False)) | kwargs
        self.parameters = given.get("parameters") or {}
        self.region_name = given["region_name"]  # the stack's own: never a default region
        self.account_id = given.get("account_id")
        original(self, *args, **kwargs)
        if not hasattr(self, "raw_template_dict"):
            self.raw_template_dict = self.template_dict

    return __init__


def _create_resources_failing_as_aws(original: Callable[..., None]) -> Callable[..., None]:
    """CreateStack: a resource that cannot be created fails the stack, not the call. moto
    created the resources inside CreateStack and answered the resource's own error (a
    Lambda JSON error to a CloudFormation XML client, which botocore cannot read); AWS
    answers the StackId, then the resource is CREATE_FAILED with why and the stack rolls
    back to ROLLBACK_COMPLETE."""

    def create_resources(self: Any) -> None:
        try:
            original(self)
        except Exception as exc:
            _creation_failed(self, exc)

    return create_resources


def _creation_failed(stack: Any, exc: Exception, resources: Any = None) -> None:
    rm = stack.resource_map
    resources = resources or stack.template_dict.get("Resources") or {}
    order = dependency_order(resources)
    pending = [lid for lid in order if lid not in rm._parsed_resources]
    failed = pending[0] if pending else "?"
    if pending:
        why = getattr(exc, "message", None) or str(exc)
        _event(stack, failed, "", resources[failed]["Type"], "CREATE_FAILED", str(why))
    _stack_status(
        stack, "ROLLBACK_IN_PROGRESS", f"The following resource(s) failed to create: [{failed}]. "
    )
    for lid in reversed([x for x in order if x in rm._parsed_resources]):
        resource = rm._parsed_resources.pop(lid)
        with contextlib.suppress(Exception):
            if hasattr(resource, "delete"):
                resource.delete(stack.account_id, stack.region_name)
        _event(stack, lid, _physical_id(resource), resources[lid]["Type"], "DELETE_COMPLETE")
    _nothing_left(stack.resource_map)
    _stack_status(stack, "ROLLBACK_COMPLETE")


def _nothing_left(rm: Any) -> None:
    """A creation rolled back deleted every resource it made: none is left to list. The
    template's resources are dropped too, so nothing reads or deletes them as if they were
    there (moto used to make a resource on its first read; stack_reads stops that)."""
    for lid in list(rm._resource_json_map):
        rm._parsed_resources.pop(lid, None)  # parameters and pseudo parameters stay
    rm._resource_json_map = {}


def _inline_code_zipped_on_update(original: Any) -> Any:
    """moto zips a function's inline ``ZipFile`` on create only; on update it took the source
    for base64 ("Incorrect padding", or garbage code). AWS zips it both times (the
    AWS::Lambda::Function Code.ZipFile documentation). Bytes are a zip made already."""
    update = original.__func__

    def zipped_first(
        cls: Any,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        props = cloudformation_json.get("Properties") or {}
        code = props.get("Code") or {}
        if isinstance(code.get("ZipFile"), str):
            archive = cls._create_zipfile_from_plaintext_code(code["ZipFile"])
            code = {**code, "ZipFile": base64.b64encode(archive)}
            cloudformation_json = {**cloudformation_json, "Properties": {**props, "Code": code}}
        return update(
            cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
        )

    return classmethod(zipped_first)


_installed: list[bool] = []


def _number_parameters_as_strings(original: Callable[[Any], None]) -> Callable[[Any], None]:
    """AWS validates a Number parameter as a number, but ``Ref`` gives it as a string
    (List<Number>: a list of strings); moto resolves it to an int or float."""

    def load_parameters(self: Any) -> None:
        original(self)
        for name, slot in (self._template.get("Parameters") or {}).items():
            kind = slot.get("Type", "String") if isinstance(slot, dict) else "String"
            value = self.input_parameters.get(name, slot.get("Default"))
            if kind not in ("Number", "List<Number>") or value is None:
                continue
            if kind == "Number":
                text: Any = str(value)
            elif isinstance(value, str):
                text = [item.strip() for item in value.split(",")]
            else:
                text = [str(item) for item in value]
            self.resolved_parameters[name] = text
            self._parsed_resources[name] = text

    return load_parameters


def _list_change_sets_response(self: Any) -> Any:
    """ListChangeSets of the stack named (name or id), as CloudFormation does; moto listed all."""
    stack = self._get_param("StackName")
    summaries = [
        cs
        for cs in self.cloudformation_backend.list_change_sets()
        if stack in (cs.stack_name, cs.stack_id)
    ]
    return ActionResult({"Summaries": summaries})


def install() -> None:
    """Patch moto's CloudFormation; idempotent."""
    if _installed:
        return
    _installed.append(True)
    unemulated.install()
    answer_fixes.install_cloudformation()
    stack_reads.install()
    cfn_models.utcnow = codedeploy.aws_now  # type: ignore[attr-defined]
    function_cls = lambda_models.LambdaFunction
    function_cls.update_from_cloudformation_json = _inline_code_zipped_on_update(  # type: ignore[method-assign]
        function_cls.update_from_cloudformation_json
    )
    stack_cls = cfn_models.Stack
    stack_cls.__init__ = _stack_init_wrapper(stack_cls.__init__)  # type: ignore[method-assign]
    stack_cls.create_resources = _create_resources_failing_as_aws(stack_cls.create_resources)  # type: ignore[method-assign]
    resource_map = cfn_parsing.ResourceMap
    resource_map.load_parameters = _number_parameters_as_strings(resource_map.load_parameters)  # type: ignore[method-assign,assignment]
    stack_cls._parse_template = _stack_parse_template  # type: ignore[method-assign]
    stack_cls.has_template = _stack_has_template  # type: ignore[method-assign]
    cfn_models.ChangeSet._parse_template = _change_set_parse_template  # type: ignore[method-assign]
    backend_cls = cfn_models.CloudFormationBackend
    backend_cls.execute_change_set = _execute_change_set  # type: ignore[method-assign]
    backend_cls.update_stack = _update_stack  # type: ignore[method-assign]
    backend_cls.cancel_update_stack = _cancel_update_stack  # type: ignore[attr-defined]
    backend_cls.create_change_set = _create_change_set_wrapper(backend_cls.create_change_set)  # type: ignore[method-assign]
    for action in ("create_stack", "update_stack", "create_change_set", "validate_template"):
        original = getattr(cfn_responses.CloudFormationResponse, action)
        setattr(cfn_responses.CloudFormationResponse, action, _template_body_limited(original))
    cfn_responses.CloudFormationResponse.continue_update_rollback = (  # type: ignore[attr-defined]
        _continue_update_rollback_response
    )
    cfn_responses.CloudFormationResponse.cancel_update_stack = _cancel_update_stack_response  # type: ignore[attr-defined]
    cfn_responses.CloudFormationResponse.get_template = _get_template_response  # type: ignore[method-assign]
    cfn_responses.CloudFormationResponse.list_change_sets = _list_change_sets_response  # type: ignore[method-assign]
    for module in (cfn_responses, cfn_models, cfn_utils):
        setattr(module, "get_stack_from_s3_url", get_stack_from_s3_url)  # noqa: B010 - not exported
