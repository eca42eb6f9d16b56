"""moto's threaded server, loading the sandbox's CloudFormation on the first CloudFormation call.

moto builds each service's app on that service's first request; importing its CloudFormation
pulls in most of moto (about a second), so the sandbox patches it then, not at start. App
creation holds moto's dispatcher lock, so no CloudFormation request is served unpatched.
"""

from __future__ import annotations

import socket
import time
from email.utils import formatdate
from threading import Thread
from typing import Any, cast

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from lambda_release.errors import OperationError
from lambda_release.sandbox import extensions


def create_sandbox_backend_app(service: str) -> Any:
    if service == "cloudformation":
        extensions.install_cloudformation()
    return cast(Any, create_backend_app)(service)


class SandboxMotoServer(ThreadedMotoServer):
    # Strict mode (strict.py): every answer checked against botocore's model of AWS's API.
    strict = False

    def start(self) -> None:
        # As moto's, with the app factory above, but the socket is bound here, in the caller:
        # moto binds in its thread, where a taken port ends the thread and start() waits forever.
        check_port_free(self._ip_address, self._port)
        app: Any = AwsClockApp(DomainDispatcherApplication(create_sandbox_backend_app))
        # Answers corrected as AWS gives them, always; checked against the model when strict.
        from lambda_release.sandbox.strict import CHECKS, StrictApp  # noqa: PLC0415

        app = StrictApp(app, CHECKS if self.strict else None)
        try:
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
        except SystemExit:  # werkzeug exits when it cannot bind (a race with the check)
            raise OperationError(port_taken(self._ip_address, self._port)) from None
        self._thread = Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._server_ready_event.set()


class AwsClockApp:
    """Every answer's Date header from AWS's clock (the sandbox's clock offset), as werkzeug
    would write it from this machine's: the product reads AWS's time there."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        offset = SETTINGS.clock_offset
        if not offset:
            return self.app(environ, start_response)

        def dated(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != "date"]
            kept.append(("Date", formatdate(time.time() + offset, usegmt=True)))
            return start_response(status, kept, exc_info)

        return self.app(environ, dated)


def port_taken(ip_address: str, port: int) -> str:
    return (
        f"port {port} on {ip_address} is already in use: stop what listens there, "
        "or give another --port (0: any free port)"
    )


def check_port_free(ip_address: str, port: int) -> None:
    """Refuse a taken port in one line, as the server would bind it (SO_REUSEADDR)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip_address, port))
        except OSError:
            raise OperationError(port_taken(ip_address, port)) from None
