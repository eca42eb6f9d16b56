"""moto's threaded server, loading the sandbox's CloudFormation on the first CloudFormation call.

moto builds each service's app on that service's first request; importing its CloudFormation
pulls in most of moto (about a second), so the sandbox patches it then, not at start. App
creation holds moto's dispatcher lock, so no CloudFormation request is served unpatched.
"""

from __future__ import annotations

from typing import Any, cast

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from lambda_release.sandbox import extensions


def create_sandbox_backend_app(service: str) -> Any:
    if service == "cloudformation":
        extensions.install_cloudformation()
    return cast(Any, create_backend_app)(service)


class SandboxMotoServer(ThreadedMotoServer):
    def _server_entry(self) -> None:
        # As moto's, with the app factory above.
        app = DomainDispatcherApplication(create_sandbox_backend_app)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
