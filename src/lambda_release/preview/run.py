"""The preview, read and put together: the stack's functions now, their built code, the
template's traffic plans, and the change set the release would execute."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import botocore.exceptions

from lambda_release.aws.client import parallel_map
from lambda_release.aws.stack import list_resources, physical_ids
from lambda_release.errors import OperationError
from lambda_release.preview.change_set import preview_change_set
from lambda_release.preview.plan import COMPARED, LiveVersion, function_preview
from lambda_release.preview.traffic import SERVERLESS_FUNCTION, traffic_plans
from lambda_release.release.stack_alias import StackAlias
from lambda_release.template.built_code import built_code
from lambda_release.template.sam_globals import globals_taken
from lambda_release.template.secrets import Value


def live_versions(engine: StackAlias) -> dict[str, LiveVersion]:
    """Logical id -> the version its alias serves now (one GetFunctionConfiguration each)."""
    info = engine.info()
    if info is None:
        return {}
    lam = engine.client("lambda")

    def one(pair: tuple[str, str]) -> tuple[str, LiveVersion] | None:
        lid, name = pair
        try:
            got = lam.get_function_configuration(FunctionName=name, Qualifier=engine.alias)
        except botocore.exceptions.ClientError:
            return None  # no alias yet
        config = {k: got.get(k) for k in COMPARED}
        return lid, LiveVersion(str(got.get("Version")), str(got.get("CodeSha256", "")), config)

    pairs = [(f.logical_id, f.name) for f in info.functions]
    return dict(r for r in parallel_map(one, pairs, engine.limiter) if r is not None)


def function_props(template: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Each serverless function's properties, with the Globals it takes under its own."""
    section = (template.get("Globals") or {}).get("Function") or {}
    out: dict[str, Mapping[str, Any]] = {}
    for lid, res in (template.get("Resources") or {}).items():
        if isinstance(res, Mapping) and res.get("Type") == SERVERLESS_FUNCTION:
            out[str(lid)] = {**globals_taken(res, section), **(res.get("Properties") or {})}
    return out


def preview(
    engine: StackAlias,
    *,
    template: Mapping[str, Any] | None,
    template_path: Path | None,
    parameters: Mapping[str, str],
    sam_command: Sequence[Value],
    sam_env: Mapping[str, str],
    run_sam: Callable[..., int] | None,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """What the release will change (``run_sam`` None: no change set, say why)."""
    info = engine.info()
    physical = (
        physical_ids(list_resources(engine.client("cloudformation"), engine.stack)) if info else {}
    )
    live = live_versions(engine)
    built = (
        built_code(template_path) if template_path is not None and template_path.is_file() else {}
    )
    props = function_props(template or {})
    plans = traffic_plans(template or {}, physical, parameters)
    if run_sam is None:
        changes, said = None, "not created: the pre-flight refused"
    else:
        try:
            view = preview_change_set(engine, sam_command, sam_env, run_sam, progress)
        except OperationError as exc:  # a role that may not create one: the rest still shows
            changes, said = None, f"not created: {exc}"
        else:
            changes = view.changes
            said = (
                "created, described and deleted; never executed"
                if view.created
                else "sam found nothing to change"
            )
    names = sorted({*props, *live})
    return {
        "functions": [
            function_preview(
                lid,
                live=live.get(lid),
                built=built.get(lid),
                props=props.get(lid, {}),
                traffic=plans.get(lid),
                changes=changes,
            )
            for lid in names
        ],
        "change_set": said,
        "stack_changes": None if changes is None else [c.as_json() for c in changes],
    }
