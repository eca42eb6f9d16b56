"""Per-run state: each thread's last AWS call names its own errors; SIGTERM is an
interrupt for every command, set by cli.main and put back after it."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from lambda_release import cli
from lambda_release.aws import client as awsclient
from lambda_release.aws.client import Aws, Pool, call_of, last_call, parallel_map


class _Model:
    def __init__(self, service: str, name: str) -> None:
        self.name = name
        self.service_model = type("S", (), {"service_name": service})()


def _begin(service: str, name: str) -> None:
    # What botocore's before-call event does for every call a client makes.
    Aws._note_call(model=_Model(service, name))


def test_a_workers_error_names_the_call_of_its_own_thread() -> None:
    _begin("cloudformation", "DescribeStacks")

    def fail(name: str) -> None:
        _begin("lambda", name)
        raise RuntimeError(name)

    with Pool(max_workers=1) as pool, pytest.raises(RuntimeError) as caught:
        pool.submit(fail, "UpdateAlias").result()
    assert call_of(caught.value) == "lambda.UpdateAlias"
    # The main thread's own last call is untouched by the worker's.
    assert last_call() == "cloudformation.DescribeStacks"
    with pytest.raises(RuntimeError) as again:
        parallel_map(fail, ["GetAlias", "GetAlias"])
    assert call_of(again.value) == "lambda.GetAlias"


def test_a_run_starts_with_no_last_call(monkeypatch: pytest.MonkeyPatch) -> None:
    _begin("s3", "GetObject")
    seen: list[str] = []
    monkeypatch.setattr(cli, "_main", lambda argv: seen.append(last_call()) or 0)
    assert cli.main([]) == 0
    assert seen == [""]
    assert awsclient.last_call() == "s3.GetObject"


def test_sigterm_is_an_interrupt_and_the_handler_is_put_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), cli.sigterm_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        signal.sigtimedwait([], 1)  # the handler runs here at the latest
    assert signal.getsignal(signal.SIGTERM) is before


def test_off_the_main_thread_no_handler_is_set() -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def other() -> None:
        with cli.sigterm_as_interrupt():
            seen.append(signal.getsignal(signal.SIGTERM))

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [before]
