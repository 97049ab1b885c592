"""web-push-testing (npm), the web-push ecosystem's reference test push service, run with node on 127.0.0.1.

It checks the VAPID JWT against the key given at subscribe time and decrypts each aes128gcm message; a
message it cannot take is a 400 with the reason. Installed from tests/push_service/package-lock.json with
`npm ci` on first use (`.ci/run` installs it up front). Without node/npm the tests skip, under CI=true they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "push_service"
PACKAGE = HERE / "node_modules" / "web-push-testing"


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " -- CI=true, so a missing push service is a failure", pytrace=False)
    pytest.skip(message)


def _install() -> str:
    """The node binary, with the package installed (npm ci) if it is not yet."""
    node = shutil.which("node")
    if node is None:
        _missing("web-push-testing needs Node (apt-get install nodejs npm)")
    if not PACKAGE.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("installing web-push-testing needs npm (apt-get install npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=300)
    return node


class WebPushTesting:
    """A running web-push-testing; ``origin`` goes into LASTMILE_PUSH_TEST_ORIGINS."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.origin = ""

    def __enter__(self) -> WebPushTesting:
        node = _install()
        self.process = subprocess.Popen(
            [node, "serve.js"], cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("listening "):
            self.__exit__()
            raise RuntimeError(f"web-push-testing did not start: {line!r}")
        self.origin = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            if self.process.stdin:
                self.process.stdin.close()  # serve.js exits when its stdin ends
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def _post(self, path: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.origin + path, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def subscribe(self, application_server_key: str) -> dict:
        """A browser-like PushSubscription bound to our VAPID key: endpoint, keys, and its ``clientHash``."""
        status, body = self._post("/subscribe", {"userVisibleOnly": "true", "applicationServerKey": application_server_key})
        assert 200 == status, body
        return body["data"]

    def messages(self, client_hash: str) -> list[str]:
        """The plaintexts the service decrypted for this subscription, in arrival order."""
        status, body = self._post("/get-notifications", {"clientHash": client_hash})
        assert 200 == status, body
        return body["data"]["messages"]

    def expire(self, client_hash: str) -> None:
        """Make the subscription answer 410 from now on (as a browser that unsubscribed)."""
        request = urllib.request.Request(f"{self.origin}/expire-subscription/{client_hash}", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert 200 == response.status
