"""Quick multi-function stacks for rollback tests: inline SAM code, released by the engine.

Each release goes through the release engine's own begin/settle (so the log
holds real entries) around a CloudFormation update of an inline-code SAM
template: the sandbox applies the SAM transform and CodeDeploy, no `sam build`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from lambda_release.aws.client import Aws
from lambda_release.log import lock
from lambda_release.log.location import LogLocation
from lambda_release.log.records import Release
from lambda_release.log.store import ReleaseLog
from lambda_release.release import drift
from lambda_release.release.begin import begin
from lambda_release.release.settle import settle
from lambda_release.release.stack_alias import StackAlias
from lambda_release.sandbox import Sandbox
from tests.support.aws_state import wait_for_stack
from tests.support.templates import sam_template, serverless_function
from tests.support.zips import zipped

ALIAS = "PROD"


def code_key(fn: str, version: str) -> str:
    return f"code/{fn}-{version}.zip"


def function_code(fn: str, version: str) -> bytes:
    """The zipped code of ``fn`` at ``version`` (it returns both)."""
    return zipped({"index.py": f"V = {fn + version!r}\ndef handler(e, c):\n    return V\n"})


def template(
    code: Mapping[str, str],
    bucket: str,
    deployment_type: str = "AllAtOnce",
    padding: int = 0,
    function_names: Mapping[str, str] | None = None,
) -> str:
    """One SAM function per key of ``code`` (logical id ``<K>Function``), its code version.

    ``padding``: that many bytes of template Metadata, to pass CloudFormation's size limits.
    ``function_names``: an explicit ``FunctionName`` for those keys (else CloudFormation's).
    """
    resources: dict[str, Any] = {}
    for fn, version in sorted(code.items()):
        named = (
            {"FunctionName": function_names[fn]} if function_names and fn in function_names else {}
        )
        resources[f"{fn}Function"] = serverless_function(
            {"CodeUri": {"Bucket": bucket, "Key": code_key(fn, version)}},
            deployment={"Type": deployment_type},
            **named,
        )
    padded = {"Metadata": {"Padding": ["x" * 100] * (padding // 100 + 1)}} if padding else {}
    body = sam_template(resources, alias_default=ALIAS, **padded)
    return yaml.safe_dump(body, sort_keys=False)


@dataclass
class Kit:
    """One stack, its log bucket and the engine over the sandbox."""

    sandbox: Sandbox
    stack: str
    bucket: str
    code: dict[str, str] = field(default_factory=dict)
    padding: int = 0  # bytes of template Metadata (see template())
    function_names: dict[str, str] = field(default_factory=dict)  # see template()

    @classmethod
    def create(cls, sandbox: Sandbox, prefix: str = "rb") -> Kit:
        tag = uuid.uuid4().hex[:8]
        kit = cls(sandbox, f"{prefix}-{tag}", f"{prefix}-log-{tag}")
        sandbox.client("s3").create_bucket(Bucket=kit.bucket)
        return kit

    @classmethod
    def in_env(cls, sandbox: Sandbox, env: pytest.MonkeyPatch, prefix: str = "rb") -> Kit:
        """A kit, with the sandbox's endpoint and credentials in the environment (``env``
        undoes them): the engine in this process and the console script reach it alike."""
        for name, value in sandbox.env.items():
            env.setenv(name, value)
        return cls.create(sandbox, prefix)

    @property
    def env(self) -> dict[str, str]:
        return dict(self.sandbox.env)

    def engine(self, endpoint_url: str | None = None) -> StackAlias:
        aws = Aws(
            region=self.sandbox.region, endpoint_url=endpoint_url or self.sandbox.endpoint_url
        )
        return StackAlias(aws, self.stack, ALIAS)

    def log(self, endpoint_url: str | None = None) -> ReleaseLog:
        return self.engine(endpoint_url).log(LogLocation(self.bucket))

    def cli_args(self) -> list[str]:
        return ["--stack", self.stack, "--alias", ALIAS, "--log-bucket", self.bucket]

    def release(
        self,
        changes: Mapping[str, str],
        deployment_type: str = "AllAtOnce",
        wait: bool = True,
        lock_timeout: float = 5,
        progress: Callable[[str], None] | None = None,
    ) -> str:
        """Change the named functions' code and release it; the release id.

        ``progress`` gets begin's lines (e.g. that it waits for the lock)."""
        self.code.update(changes)
        engine = self.engine()
        log = self.log()
        entry, _lease, problems = begin(
            engine,
            log,
            environment="test",
            mode="deploy",
            lock_ttl=300,
            lock_timeout=lock_timeout,
            progress=progress,
        )
        assert not problems, problems
        cfn = self.sandbox.client("cloudformation")
        s3 = self.sandbox.client("s3")
        for fn, version in changes.items():
            s3.put_object(
                Bucket=self.bucket, Key=code_key(fn, version), Body=function_code(fn, version)
            )
        body = template(self.code, self.bucket, deployment_type, self.padding, self.function_names)
        self.submit(body, create=engine.info(refresh=True) is None)
        if not wait:
            return str(entry["id"])
        status = wait_for_stack(cfn, self.stack)
        ok = status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        settle(engine, log, entry, sam_exit_code=0 if ok else 1, settled_by="test")
        lock.release(log, entry["id"])
        return str(entry["id"])

    def submit(self, body: str, *, create: bool = False) -> None:
        """Create or update the stack; a body over the inline limit goes by S3, as sam's."""
        cfn = self.sandbox.client("cloudformation")
        params = [{"ParameterKey": "AliasName", "ParameterValue": ALIAS}]
        caps = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
        source = {"TemplateBody": body}
        if len(body.encode()) > 51_200:
            key = f"templates/{uuid.uuid4().hex}.yaml"
            s3 = self.sandbox.client("s3")
            s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode())
            source = {"TemplateURL": f"{self.sandbox.endpoint_url}/{self.bucket}/{key}"}
        if create:
            cfn.create_stack(StackName=self.stack, Parameters=params, Capabilities=caps, **source)
        else:
            cfn.update_stack(StackName=self.stack, Parameters=params, Capabilities=caps, **source)

    def update_outside_the_log(
        self, changes: Mapping[str, str], deployment_type: str = "AllAtOnce"
    ) -> str:
        """A stack update as `sam deploy` alone would make it (no pre-flight, no log entry)."""
        self.code.update(changes)
        s3 = self.sandbox.client("s3")
        for fn, version in changes.items():
            s3.put_object(
                Bucket=self.bucket, Key=code_key(fn, version), Body=function_code(fn, version)
            )
        self.submit(
            template(self.code, self.bucket, deployment_type, self.padding, self.function_names)
        )
        return wait_for_stack(self.sandbox.client("cloudformation"), self.stack)

    # -- reading ----------------------------------------------------------------------
    def names(self) -> dict[str, str]:
        info = self.engine().info(refresh=True)
        assert info is not None
        return {f.logical_id.removesuffix("Function"): f.name for f in info.functions}

    def aliases(self, alias: str = ALIAS) -> dict[str, tuple[str | None, dict[str, float]]]:
        """Each function's alias (version, weights); version None when there is no alias."""
        lam = self.sandbox.client("lambda")
        out: dict[str, tuple[str | None, dict[str, float]]] = {}
        for fn, name in self.names().items():
            try:
                got = lam.get_alias(FunctionName=name, Name=alias)
            except lam.exceptions.ResourceNotFoundException:
                out[fn] = (None, {})
                continue
            weights = (got.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            out[fn] = (str(got["FunctionVersion"]), {k: float(v) for k, v in weights.items()})
        return out

    def versions(self, alias: str = ALIAS) -> dict[str, str | None]:
        return {fn: v for fn, (v, _) in self.aliases(alias).items()}

    def entries(self) -> list[Release]:
        return list(reversed(list(self.log().newest_first())))

    def rollback_entries(self) -> list[Release]:
        return [r for r in self.entries() if r.kind == "rollback"]


def parse_json(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)
    assert isinstance(data, dict)
    return data


def resolve_drift(
    engine: StackAlias, log: ReleaseLog, *, store: Any = None, dry_run: bool = False
) -> tuple[list[drift.DriftItem], list[str]]:
    """The deploy's drift step (realign CloudFormation after a rollback), run by a test."""
    info = engine.info(refresh=True)
    assert info is not None
    return drift.resolve_before_deploy(
        engine.client("cloudformation"),
        info,
        engine.live(info),
        list(log.newest_first()),
        progress=lambda _line: None,
        dry_run=dry_run,
        poll=0.05,
        store=store,
    )
