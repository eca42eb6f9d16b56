"""Applying the sandbox's extensions to moto: only when a Sandbox starts, never on import."""

from __future__ import annotations

import logging
import threading

_lock = threading.Lock()
_done: list[bool] = []


def install() -> None:
    """Register the resource models and patch moto's Lambda, CodeDeploy and CloudFormation."""
    with _lock:
        if _done:
            return
        # Imported here, not at the top: defining the resource models registers them in moto.
        from moto.cloudformation import parsing  # noqa: PLC0415

        from lambda_release.sandbox import (  # noqa: PLC0415
            cloudformation,
            codedeploy,
            lambda_rules,
            resources,
        )

        # moto caches its model lists; forget them so the new models are seen.
        parsing.get_model_list.cache_clear()
        parsing.get_model_map.cache_clear()
        parsing.get_name_type_map.cache_clear()
        assert parsing.get_model_map()["AWS::Lambda::Alias"] is resources.SandboxLambdaAlias
        lambda_rules.install()
        codedeploy.install()
        cloudformation.install()
        # The translator and moto chat on the root logger; the sandbox's stdout is for env lines.
        for name in ("samtranslator", "moto", "werkzeug"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _done.append(True)
