"""The Sandbox: moto's server on 127.0.0.1 with the sandbox's extensions, as a context manager."""

from __future__ import annotations

import json
import secrets
import sys
import urllib.request
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast

# moto is imported when a Sandbox starts, not with this module: its CloudFormation pulls in
# most of moto (over a second), and importing must change nothing (the pytest plugin imports
# this module in every test session).
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class DummyCredentials:
    """Credentials the sandbox accepts (it checks none), unique to this process.

    Unique so that a test can search everything the helper printed or recorded for
    them and prove that no credential ever leaks.
    """

    access_key_id: str
    secret_access_key: str
    session_token: str

    @classmethod
    def generate(cls) -> DummyCredentials:
        return cls(
            access_key_id="ASIASANDBOX" + secrets.token_hex(5).upper(),
            secret_access_key="sandbox-secret-" + secrets.token_hex(12),
            session_token="sandbox-token-" + secrets.token_hex(16),
        )

    def values(self) -> tuple[str, str, str]:
        return (self.access_key_id, self.secret_access_key, self.session_token)


# One set per process, like moto's state: every Sandbox of a process shares it.
CREDENTIALS = DummyCredentials.generate()


class Sandbox:
    """A local AWS stand-in on 127.0.0.1.

    `port=0` picks a free port; `minute` is how many real seconds one CodeDeploy deployment
    minute lasts; `strict` checks every answer against botocore's model (strict.py). moto
    keeps its state per process, so all Sandboxes of one process share it.
    """

    def __init__(
        self,
        port: int = 0,
        minute: float = 60.0,
        region: str = DEFAULT_REGION,
        strict: bool = False,
    ) -> None:
        if minute <= 0:
            raise ValueError(f"minute must be > 0 seconds, not {minute}")
        self._requested_port = port
        self._minute = minute
        self.region = region
        self.strict = strict
        self.account_id = DEFAULT_ACCOUNT_ID
        self._server: Any = None
        self.port = 0

    # lifecycle ------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        from lambda_release.sandbox import extensions  # noqa: PLC0415 - see the note at the top
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415
        from lambda_release.sandbox.moto_server import SandboxMotoServer  # noqa: PLC0415

        extensions.install()
        SETTINGS.minute = self._minute
        server = SandboxMotoServer(ip_address="127.0.0.1", port=self._requested_port, verbose=False)
        server.strict = self.strict
        server.start()
        self._server = server
        self.port = int(server.get_host_and_port()[1])
        # Handlers the sandbox runs (Invoke, CodeDeploy hooks) call back here, as on AWS.
        from lambda_release.sandbox.lambda_runtime import ENDPOINT  # noqa: PLC0415

        ENDPOINT["env"] = {k: v for k, v in self.env.items() if not k.startswith("SAM_")}
        # Invoke must not look for Docker: it echoes instead.
        self._post("/moto-api/config", {"lambda": {"use_docker": False}})
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # what clients need ----------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment for boto3, the AWS CLI, the SAM CLI and lambda-release."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": CREDENTIALS.access_key_id,
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS.secret_access_key,
            "AWS_SESSION_TOKEN": CREDENTIALS.session_token,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "SAM_CLI_TELEMETRY": "0",
            # sam polls stack events this often (default 5 s); the sandbox answers at once.
            "SAM_CLI_POLL_DELAY": "0.5",
        }

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for this sandbox, in its region or the one named (the stand-in
        serves every region at once and keeps each one's resources apart, as AWS does)."""
        import boto3  # noqa: PLC0415 - see the note at the top

        return cast(Any, boto3).client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=region or self.region,
            aws_access_key_id=CREDENTIALS.access_key_id,
            aws_secret_access_key=CREDENTIALS.secret_access_key,
            aws_session_token=CREDENTIALS.session_token,
        )

    # controls -------------------------------------------------------------------------------

    @property
    def minute(self) -> float:
        return self._minute

    @minute.setter
    def minute(self, seconds: float) -> None:
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        if seconds <= 0:
            raise ValueError(f"minute must be > 0 seconds, not {seconds}")
        self._minute = seconds
        SETTINGS.minute = seconds

    @property
    def drift_model(self) -> str:
        """What a deployment does over an alias moved by hand: fail, recorded or live."""
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        return SETTINGS.drift_model

    @drift_model.setter
    def drift_model(self, model: str) -> None:
        from lambda_release.sandbox.codedeploy import DRIFT_MODELS, SETTINGS  # noqa: PLC0415

        if model not in DRIFT_MODELS:
            raise ValueError(f"drift model {model!r} is not one of {', '.join(DRIFT_MODELS)}")
        SETTINGS.drift_model = model

    @property
    def clock_offset(self) -> float:
        """Seconds AWS's clock is ahead of this machine's (negative: behind): CloudFormation's
        times and the answers' Date header. A runner's clock skewed against AWS's."""
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        return SETTINGS.clock_offset

    @clock_offset.setter
    def clock_offset(self, seconds: float) -> None:
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        SETTINGS.clock_offset = float(seconds)

    def fail_stack_rollbacks(self, fail: bool = True) -> None:
        """Make stack rollbacks fail (True): stacks end UPDATE_ROLLBACK_FAILED, as when the
        version an alias must return to was deleted; False (the default) lets them finish."""
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        SETTINGS.fail_stack_rollbacks = fail

    def fail_hooks(self, fail: bool = True) -> None:
        """Make PreTraffic/PostTraffic hooks fail (True) or succeed (False, the default)."""
        from lambda_release.sandbox.codedeploy import SETTINGS  # noqa: PLC0415

        SETTINGS.fail_hooks = fail

    def reset(self) -> None:
        """Wipe all state (every service), stopping deployments in flight."""
        from lambda_release.sandbox import codedeploy, deployment_configs  # noqa: PLC0415

        operations = _stack_operations()
        for operation in list(operations.values()):
            operation.cancel()
        for runner in list(codedeploy.RUNNERS.values()):
            runner.stop(auto_rollback=False)
        for runner in list(codedeploy.RUNNERS.values()):
            runner.finished.wait(timeout=5)
        for operation in list(operations.values()):
            operation.done.wait(timeout=10)
        operations.clear()
        codedeploy.RUNNERS.clear()
        deployment_configs.reset()
        self._post("/moto-api/reset", None)
        self._post("/moto-api/config", {"lambda": {"use_docker": False}})

    def _post(self, path: str, body: Any) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(  # noqa: S310 - always our own http://127.0.0.1 URL
            self.endpoint_url + path, data=data, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()


def _stack_operations() -> dict[str, Any]:
    """The CloudFormation operations in flight, without importing moto's CloudFormation."""
    module = sys.modules.get("lambda_release.sandbox.cloudformation")
    return module.OPERATIONS if module is not None else {}
