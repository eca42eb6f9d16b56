"""Run one job of a config on this machine the way CircleCI runs it.

Each ``run`` step is a script run by ``/bin/bash -eo pipefail`` with
``BASH_ENV`` pointing at one file for the whole job (bash sources it before
every step, as on CircleCI), the job's and the step's ``environment``, and
the step's ``working_directory`` (relative to the job's). ``checkout`` clones
a fixture repository at the pipeline's branch; ``store_artifacts`` copies
into a folder; ``persist_to_workspace``/``attach_workspace`` use a folder
shared between runs; ``restore_cache``/``save_cache`` use a folder of caches
(keys rendered with ``{{ arch }}``, ``{{ checksum "file" }}``,
``{{ .Environment.NAME }}``; restore takes the newest cache whose key starts
with one of ``keys``, in order; a saved key is never overwritten). Step
``environment`` values reach the script as CircleCI writes them: booleans as
``1``/``0``, nothing expanded. Steps of orbs that are not inlined
(``aws-cli/setup``) and ``setup_remote_docker`` are logged and skipped. The
executor's image is not pulled: the job runs on this machine, with whatever
tools are on PATH.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from orbtools.awscli import aws_cli_setup
from orbtools.compiler import Compiler, Job, Scope, Step, env_text, workflow_invocations
from orbtools.images import HOST, ImageProfile
from orbtools.params import CompileError

__all__ = ["CompileError", "JobResult", "LocalRun", "StepResult"]


@dataclass
class StepResult:
    name: str
    kind: str
    status: str  # success, failed, skipped, noop
    exit_code: int = 0
    seconds: float = 0.0
    output: str = ""


@dataclass
class JobResult:
    job: str
    status: str
    steps: list[StepResult] = field(default_factory=list)
    bash_env: str = ""

    def step(self, name: str) -> StepResult:
        for result in self.steps:
            if result.name == name:
                return result
        raise KeyError(name)


@dataclass
class LocalRun:
    """One job run: where things live and what CircleCI would have set."""

    config: Mapping[str, Any]
    inline_orbs: Mapping[str, Mapping[str, Any]]
    home: Path
    repo: Path | None = None
    branch: str | None = None
    artifacts: Path | None = None
    workspace: Path | None = None
    cache: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    pipeline_id: str = "00000000-0000-0000-0000-000000000001"
    pipeline_number: int = 1
    pipeline_parameters: Mapping[str, Any] = field(default_factory=dict)
    log: TextIO = field(default_factory=lambda: sys.stderr)
    # The workspace layers attach_workspace copies (those of the jobs upstream through
    # `requires`, see orbtools.workflow); None: ``workspace`` itself, one for every job.
    attach_from: Sequence[Path] | None = None
    # The bash and python3 the steps run with (orbtools.images); HOST: this machine's.
    profile: ImageProfile = HOST

    def pipeline(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "git.branch": self.branch or "",
            "git.tag": "",
            "git.revision": self._revision(),
            "number": self.pipeline_number,
            "id": self.pipeline_id,
            "project.slug": "gh/local/project",
            "project.type": "github",
            "project.git_url": str(self.repo or ""),
            "trigger_source": "local",
        }
        declared = self.config.get("parameters") or {}
        for name, decl in declared.items():
            values[f"parameters.{name}"] = self.pipeline_parameters.get(name, decl.get("default"))
        return values

    def invocation(self, name: str) -> tuple[str, dict[str, Any]]:
        """A workflow's job entry by its name (or reference): (job reference, arguments)."""
        for _workflow, ref, args in workflow_invocations(self.config, self.pipeline()):
            if args.get("name", ref) == name:
                return ref, args
        raise CompileError(f"no workflow job named {name!r}")

    def run_invocation(self, name: str, **overrides: Any) -> JobResult:
        """Run a workflow's job entry as the workflow would, with some arguments replaced."""
        ref, args = self.invocation(name)
        return self.run(ref, {**args, **overrides})

    def compile(self, job: str, args: Mapping[str, Any] | None = None) -> Job:
        scope = Scope.of("config", self.config, self.inline_orbs)
        return Compiler(scope, self.pipeline()).job(job, dict(args or {}))

    def run(self, job: str, args: Mapping[str, Any] | None = None) -> JobResult:
        compiled = self.compile(job, args)
        self.home.mkdir(parents=True, exist_ok=True)
        workdir = self._path(compiled.working_directory, self.home)
        workdir.mkdir(parents=True, exist_ok=True)
        bash_env = Path(tempfile.mkstemp(prefix="bash_env.", dir=self.home)[1])
        base_env = {
            **os.environ,
            "HOME": str(self.home),
            "CI": "true",
            "CIRCLECI": "true",
            "CIRCLE_JOB": compiled.name,
            "CIRCLE_BUILD_NUM": "1",
            "CIRCLE_BUILD_URL": f"https://circleci.local/job/{compiled.name}/1",
            "CIRCLE_WORKFLOW_ID": "00000000-0000-0000-0000-00000000000f",
            "CIRCLE_PIPELINE_ID": str(self.pipeline()["id"]),
            "CIRCLE_PIPELINE_NUMBER": str(self.pipeline_number),
            # OIDC: CircleCI sets both tokens in every job of a project with OIDC; here they
            # are placeholders (aws-cli/setup below never sends them anywhere).
            "CIRCLE_OIDC_TOKEN": "local-oidc-token-v1",
            "CIRCLE_OIDC_TOKEN_V2": "local-oidc-token-v2",
            "CIRCLE_SHA1": str(self.pipeline()["git.revision"]),
            "CIRCLE_WORKING_DIRECTORY": str(workdir),
            "BASH_ENV": str(bash_env),
            **compiled.environment,
            **self.env,
        }
        base_env = self.profile.environ(base_env)
        if self.branch:
            base_env["CIRCLE_BRANCH"] = self.branch
        else:
            base_env.pop("CIRCLE_BRANCH", None)
        result = JobResult(compiled.name, "success")
        print(f"== job {compiled.name} (executor {compiled.executor}) in {workdir}", file=self.log)
        for index, step in enumerate(compiled.steps):
            name = str(step.spec.get("name") or _default_name(step))
            if not _should_run(step.when, result.status):
                result.steps.append(StepResult(name, step.kind, "skipped"))
                print(f"-- skipped: {name}", file=self.log)
                continue
            started = time.monotonic()
            outcome = self._step(step, name, workdir, base_env, index)
            outcome.seconds = time.monotonic() - started
            result.steps.append(outcome)
            if outcome.status == "failed":
                result.status = "failed"
        result.bash_env = bash_env.read_text(encoding="utf-8")
        print(f"== job {compiled.name}: {result.status}", file=self.log)
        return result

    def _step(  # noqa: PLR0911 - one return per step kind
        self, step: Step, name: str, workdir: Path, env: dict[str, str], index: int
    ) -> StepResult:
        print(f"-- {step.kind}: {name}", file=self.log)
        spec = step.spec
        if step.kind == "run":
            return self._run(spec, name, workdir, env, index)
        if step.kind == "checkout":
            dest = self._path(str(spec.get("path", ".")), workdir)
            return self._checkout(name, dest)
        if step.kind == "store_artifacts":
            source = self._path(str(spec["path"]), workdir)
            if self.artifacts is None:
                return StepResult(name, step.kind, "noop", output="no artifacts folder given")
            dest = self.artifacts / str(spec.get("destination", source.name))
            if not source.exists():
                return StepResult(name, step.kind, "success", output=f"{source} does not exist")
            _copy(source, dest)
            return StepResult(name, step.kind, "success", output=f"stored {source} as {dest}")
        if step.kind in ("restore_cache", "save_cache"):
            return self._cache_step(step.kind, spec, name, workdir, env)
        if step.kind == "persist_to_workspace":
            return self._persist(spec, name, workdir)
        if step.kind == "attach_workspace":
            layers = [self.workspace] if self.attach_from is None else list(self.attach_from)
            for layer in layers:
                if layer is not None and layer.exists():
                    _copy(layer, self._path(str(spec["at"]), workdir))
            return StepResult(name, step.kind, "success")
        if step.kind == "external" and spec.get("step") == "aws-cli/setup":
            # The job's own home, as a container's: a test's environment may carry the host's
            # HOME, and the emulation must never write the host's ~/.aws (it did).
            job_env = {**env, "HOME": str(self.home)}
            out = aws_cli_setup(spec.get("args") or {}, job_env, Path(env["BASH_ENV"]))
            self.log.write(out.output)
            return StepResult(name, step.kind, out.status, out.exit_code, output=out.output)
        what = spec.get("step", step.kind)
        print(f"   {what} is another orb's or a remote step: a logged no-op here", file=self.log)
        return StepResult(name, step.kind, "noop")

    def _persist(self, spec: Mapping[str, Any], name: str, workdir: Path) -> StepResult:
        """CircleCI fails the step when a path matches nothing ("The specified paths did
        not match any files"), and copies what matched into the job's workspace layer."""
        root = self._path(str(spec["root"]), workdir)
        missing = [str(rel) for rel in spec.get("paths") or [] if not (root / rel).exists()]
        if missing:
            text = f"The specified paths did not match any files in {root}: {', '.join(missing)}"
            print(f"   {text}", file=self.log)
            return StepResult(name, "persist_to_workspace", "failed", 1, output=text)
        for rel in spec.get("paths") or []:
            if self.workspace is not None:
                _copy(root / rel, self.workspace / rel)
        return StepResult(name, "persist_to_workspace", "success")

    def _run(
        self, spec: Mapping[str, Any], name: str, workdir: Path, env: dict[str, str], index: int
    ) -> StepResult:
        cwd = self._path(str(spec.get("working_directory", ".")), workdir)
        cwd.mkdir(parents=True, exist_ok=True)
        script = self.home / f".step-{index}.sh"
        script.write_text(str(spec["command"]), encoding="utf-8")
        step_env = {**env}
        for key, value in (spec.get("environment") or {}).items():
            step_env[str(key)] = env_text(value)  # booleans as 1/0, as CircleCI writes them
        # The image profile's bash runs the step when the step names no shell of its own.
        shell = str(spec.get("shell", f"{self.profile.bash()} -eo pipefail")).split()
        silence = duration(str(spec.get("no_output_timeout", "10m")))
        code, output, timed_out = _run_watched([*shell, str(script)], cwd, step_env, silence)
        self.log.write(output)
        status = "success" if code == 0 else "failed"
        if timed_out:
            print(f"   killed: no output for {silence:g} s (no_output_timeout)", file=self.log)
        elif status == "failed":
            print(f"   exit {code}", file=self.log)
        return StepResult(name, "run", status, code, output=output)

    def _cache_step(
        self, kind: str, spec: Mapping[str, Any], name: str, workdir: Path, env: Mapping[str, str]
    ) -> StepResult:
        if self.cache is None:
            return StepResult(name, kind, "noop", output="no cache folder given")
        if kind == "save_cache":
            key = cache_key(str(spec["key"]), workdir, env, self.pipeline())
            dest = self.cache / _safe(key)
            if dest.exists():
                return StepResult(name, kind, "success", output=f"cache {key} exists; not saved")
            for rel in spec.get("paths") or []:
                source = self._path(str(rel), workdir)
                if source.exists():
                    _archive_copy(source, dest / _safe(str(rel)))
            (dest / ".paths").parent.mkdir(parents=True, exist_ok=True)
            (dest / ".paths").write_text("\n".join(map(str, spec.get("paths") or [])))
            print(f"   saved cache {key}", file=self.log)
            return StepResult(name, kind, "success", output=f"saved {key}")
        keys = spec.get("keys") or [spec.get("key")]
        saved = (
            sorted(
                (p for p in self.cache.iterdir() if (p / ".paths").exists()),
                key=lambda p: p.stat().st_mtime,
                reverse=True,
            )
            if self.cache.exists()
            else []
        )
        for template in keys:
            prefix = _safe(cache_key(str(template), workdir, env, self.pipeline()))
            for found in saved:
                if found.name.startswith(prefix):
                    for rel in (found / ".paths").read_text().splitlines():
                        if (found / _safe(rel)).exists():  # a path absent when saved
                            _archive_copy(found / _safe(rel), self._path(rel, workdir))
                    print(f"   restored cache {found.name}", file=self.log)
                    return StepResult(name, kind, "success", output=f"restored {found.name}")
        print("   no cache found", file=self.log)
        return StepResult(name, kind, "success", output="no cache found")

    def _checkout(self, name: str, dest: Path) -> StepResult:
        if self.repo is None:
            return StepResult(name, "checkout", "failed", 1, output="no fixture repository given")
        dest.mkdir(parents=True, exist_ok=True)
        if any(dest.iterdir()):
            # CircleCI's checkout refuses a non-empty non-git folder too.
            if not (dest / ".git").exists():
                return StepResult(name, "checkout", "failed", 1, output=f"{dest} is not empty")
        else:
            subprocess.run(["git", "clone", "--quiet", str(self.repo), str(dest)], check=True)
        if self.branch:
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(dest),
                    "checkout",
                    "--quiet",
                    "-B",
                    self.branch,
                    f"origin/{self.branch}",
                ],
                check=False,
                capture_output=True,
            )
        return StepResult(name, "checkout", "success")

    def _path(self, path: str, base: Path) -> Path:
        if path == "~" or path.startswith("~/"):
            return self.home / path[2:]
        candidate = Path(path)
        return candidate if candidate.is_absolute() else base / candidate

    def _revision(self) -> str:
        if self.repo is None:
            return "0" * 40
        proc = subprocess.run(
            ["git", "-C", str(self.repo), "rev-parse", self.branch or "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.stdout.strip() or "0" * 40


CACHE_TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def arch() -> str:
    """``{{ arch }}`` as CircleCI documents it: OS, architecture, CPU family_model
    (``linux-amd64-6_62``); where /proc/cpuinfo names no family (arm64), OS and architecture."""
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    found: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            found.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    text = f"{platform.system().lower()}-{machine}"
    if "cpu family" in found and "model" in found:
        text += f"-{found['cpu family']}_{found['model']}"
    return text


def cache_key(
    template: str,
    workdir: Path,
    env: Mapping[str, str],
    pipeline: Mapping[str, Any] | None = None,
) -> str:
    """A cache key with CircleCI's templates filled in (checksum, arch, epoch, .Branch,
    .Revision, .BuildNum, .Environment.X)."""
    values = {
        ".Branch": str((pipeline or {}).get("git.branch", env.get("CIRCLE_BRANCH", ""))),
        ".Revision": str((pipeline or {}).get("git.revision", env.get("CIRCLE_SHA1", ""))),
        ".BuildNum": env.get("CIRCLE_BUILD_NUM", ""),
    }

    def fill(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr == "arch":
            return arch()
        if expr == "epoch":
            return str(int(time.time()))
        if expr in values:
            return values[expr]
        checksum = re.fullmatch(r'checksum\s+"([^"]+)"', expr)
        if checksum:
            path = Path(checksum.group(1).replace("~", env.get("HOME", "~"), 1))
            path = path if path.is_absolute() else workdir / path
            if not path.is_file():
                raise CompileError(f"cache key {template!r}: {path} does not exist")
            return hashlib.sha256(path.read_bytes()).hexdigest()
        if expr.startswith(".Environment."):
            return env.get(expr.removeprefix(".Environment."), "<no value>")
        raise CompileError(f"cache key {template!r}: unknown template {{{{ {expr} }}}}")

    return CACHE_TEMPLATE.sub(fill, template)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def duration(text: str) -> float:
    """CircleCI's durations: a decimal with a unit, 20m, 1.25h, 5s."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh])", text.strip())
    if match is None:
        raise CompileError(f"no_output_timeout {text!r} is not like 20m, 1.25h or 5s")
    return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


def _run_watched(
    argv: list[str], cwd: Path, env: Mapping[str, str], silence: float
) -> tuple[int, str, bool]:
    """Run, collecting output; kill the step after ``silence`` seconds without any (as CircleCI)."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    chunks: list[str] = []
    last = [time.monotonic()]

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            chunks.append(line)
            last[0] = time.monotonic()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    timed_out = False
    while proc.poll() is None:
        if time.monotonic() - last[0] > silence:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    code = proc.wait()
    reader.join(timeout=5)
    return code, "".join(chunks), timed_out


def _should_run(when: str, job_status: str) -> bool:
    if when == "always":
        return True
    if when == "on_fail":
        return job_status == "failed"
    return job_status == "success"


def _default_name(step: Step) -> str:
    if step.kind == "run":
        return str(step.spec.get("command", "")).splitlines()[0][:60]
    if step.kind == "external":
        return str(step.spec.get("step"))
    return step.kind


def _archive_copy(source: Path, dest: Path) -> None:
    """A cache's copy: ``cp -a`` (links, modes, times kept), about as fast as CircleCI's untar."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() and source.is_dir():
        subprocess.run(["cp", "-a", f"{source}/.", str(dest)], check=True)
    else:
        subprocess.run(["cp", "-a", str(source), str(dest)], check=True)


def _copy(source: Path, dest: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, dest, dirs_exist_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
