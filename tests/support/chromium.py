"""A page opened in headless Chromium (Debian's `chromium`), as a person's browser would:
its DOM once rendered, a phone-sized screenshot, and every request it tried to make.

Every request goes through a proxy of ours on 127.0.0.1 (loopback included: ``<-loopback>``)
that answers nothing and records what was asked, so "the page made no network request" is
what Chromium did, not what the HTML looks like. Screenshots are kept under
build/test-artifacts/ (CircleCI can store that folder).
"""

from __future__ import annotations

import http.server
import re
import socketserver
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.requires import require_tool

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
HOW = "install Debian's chromium (`apt-get install -y chromium`; .ci/run does)"
PHONE = "390,1600"  # CSS pixels: a phone's width
# What Chromium asks of Google for itself (sign-in, its start page's services) with the
# flags below still set, whatever the page: left out of a page's requests. A page's own
# request shows as the URL it names (a GET, or a CONNECT to its host).
BROWSER_OWN = re.compile(r"^CONNECT (www|accounts)\.google\.com:443$")


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def _any(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_CONNECT = do_HEAD = _any

    def log_message(self, *_args: object) -> None:
        return None


@contextmanager
def recording_proxy() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", seen
        finally:
            server.shutdown()


@dataclass
class Opened:
    dom: str
    requests: list[str]
    screenshot: Path


def open_page(page: Path, screenshot_name: str) -> Opened:
    """``page`` rendered by headless Chromium: its DOM, the requests it tried, a screenshot."""
    chromium = require_tool("chromium", HOW)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / screenshot_name
    with recording_proxy() as (proxy, seen), tempfile.TemporaryDirectory() as profile:
        base = [
            chromium,
            "--headless",
            "--no-sandbox",  # root in a container
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-domain-reliability",
            "--no-pings",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,"
            "AutofillServerCommunication,Translate,CertificateTransparencyComponentUpdater",
            f"--proxy-server={proxy}",
            "--proxy-bypass-list=<-loopback>",
            f"--window-size={PHONE}",
            f"--user-data-dir={profile}",
        ]
        url = page.resolve().as_uri()
        dom = subprocess.run(
            [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        ).stdout
        subprocess.run(
            [*base, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True
        )
        requests = [r for r in seen if not BROWSER_OWN.match(r)]
    return Opened(dom, requests, shot)
