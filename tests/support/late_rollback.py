"""The stand-in's CodeDeploy making its rollback deployment late, as a loaded machine (or,
in an order AWS does not document, CodeDeploy itself) may.

The sandbox runs in the test process, so patching how a deployment makes its rollback
reaches the deployments' threads; one place knows that private method's name.
"""

from __future__ import annotations

import time

import pytest

from lambda_release.sandbox.codedeploy import LambdaDeployment


def rollbacks_made_late(
    monkeypatch: pytest.MonkeyPatch, seconds: float, *, stop_shows_first: bool = False
) -> None:
    """Every rollback deployment is made ``seconds`` late; with ``stop_shows_first`` the
    stopped deployment already reads ``Stopped`` meanwhile (no ``rollbackInfo`` yet)."""
    create = LambdaDeployment._create_rollback

    def late(self: LambdaDeployment) -> LambdaDeployment:
        if stop_shows_first:
            self.info.status = "Stopped"
        time.sleep(seconds)
        return create(self)

    monkeypatch.setattr(LambdaDeployment, "_create_rollback", late)
