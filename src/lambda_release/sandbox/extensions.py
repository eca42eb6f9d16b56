"""Applying the sandbox's extensions to moto: only when a Sandbox starts, never on import."""

from __future__ import annotations

import logging
import threading

_lock = threading.Lock()
_done: set[str] = set()


def install() -> None:
    """Register the resource models and patch moto's Lambda and CodeDeploy (cheap, at start)."""
    with _lock:
        if "core" in _done:
            return
        # Imported here, not at the top: defining the resource models registers them in moto.
        from lambda_release.sandbox import (  # noqa: PLC0415
            alarms,
            codedeploy,
            deployment_groups,
            lambda_paging,
            lambda_rules,
            lambda_runtime,
            resources,
            s3_keys,
        )

        assert resources.MODELS
        lambda_rules.install()
        alarms.install()
        lambda_runtime.install()
        lambda_paging.install()
        deployment_groups.install()
        codedeploy.install()
        s3_keys.install()
        # The translator and moto chat on the root logger; the sandbox's stdout is for env lines.
        for name in ("samtranslator", "moto", "werkzeug"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _done.add("core")


def install_cloudformation() -> None:
    """Patch moto's CloudFormation (imports most of moto: done on its first request)."""
    install()
    with _lock:
        if "cloudformation" in _done:
            return
        from moto.cloudformation import parsing  # noqa: PLC0415

        from lambda_release.sandbox import cloudformation, resources  # noqa: PLC0415

        # moto caches its model lists; forget them so the sandbox's models are seen.
        parsing.get_model_list.cache_clear()
        parsing.get_model_map.cache_clear()
        parsing.get_name_type_map.cache_clear()
        if parsing.get_model_map()["AWS::Lambda::Alias"] is not resources.SandboxLambdaAlias:
            raise RuntimeError("moto did not pick up the sandbox's CloudFormation models")
        cloudformation.install()
        _done.add("cloudformation")
