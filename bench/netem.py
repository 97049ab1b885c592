"""Chrome DevTools network emulation for a page AND its service workers (shared by bench/ and browser tests).

`Network.emulateNetworkConditions` on a page does not slow the fetches its service worker makes, so a
warm visit would look faster than it is. This applies the same conditions to every service worker target
too, through a browser-level CDP session (`Target.attachToTarget` + `Target.sendMessageToTarget`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from itertools import count


@dataclass(frozen=True)
class Conditions:
    """One of Chrome DevTools' throttling presets: latency per request, throughput in bytes per second."""

    name: str
    latency_ms: float
    down_bps: int
    up_bps: int
    offline: bool = False

    def cdp(self) -> dict:
        """Parameters of Network.emulateNetworkConditions."""
        return {
            "offline": self.offline,
            "latency": self.latency_ms,
            "downloadThroughput": self.down_bps,
            "uploadThroughput": self.up_bps,
        }


SLOW_3G = Conditions("Slow 3G", 2000, 50_000, 50_000)
SLOW_4G = Conditions("Slow 4G", 562.5, 180_000, 180_000)
OFFLINE = Conditions("offline", 0, -1, -1, offline=True)
NO_THROTTLE = Conditions("none", 0, -1, -1)


class NetworkEmulator:
    """Applies conditions to one page and to the service workers of the browser."""

    def __init__(self, browser, page):
        self._page_session = page.context.new_cdp_session(page)
        self._page_session.send("Network.enable")
        # Bytes that crossed the (emulated) network: the page's own requests and its workers' fetches.
        # A response the worker answers from its cache has encodedDataLength 0 on the page side.
        self.page_bytes = 0
        self.worker_bytes = 0
        self._inflight: set[str] = set()
        self._page_session.on("Network.requestWillBeSent", lambda p: self._inflight.add(p["requestId"]))
        self._page_session.on("Network.loadingFinished", self._page_finished)
        self._page_session.on("Network.loadingFailed", lambda p: self._inflight.discard(p["requestId"]))
        self._browser_session = browser.new_browser_cdp_session()
        self._ids = count(1)
        self._answers: dict[int, dict] = {}
        self._worker_sessions: dict[str, str] = {}  # targetId -> sessionId
        self._browser_session.on("Target.receivedMessageFromTarget", self._received)
        self.conditions = NO_THROTTLE

    def _received(self, event: dict) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self._answers[message["id"]] = message
        elif message.get("method") == "Network.loadingFinished":
            self.worker_bytes += int(message["params"].get("encodedDataLength", 0))

    def _page_finished(self, params: dict) -> None:
        self._inflight.discard(params["requestId"])
        self.page_bytes += int(params.get("encodedDataLength", 0))

    def wait_for_idle(self, page, quiet_ms: int = 500, cap_ms: int = 20_000) -> None:
        """Wait until the page has had no request in flight for ``quiet_ms`` (at most ``cap_ms``)."""
        quiet = waited = 0
        while waited < cap_ms and quiet < quiet_ms:
            page.wait_for_timeout(100)
            waited += 100
            quiet = quiet + 100 if not self._inflight else 0

    def reset_bytes(self) -> None:
        """Start counting bytes over the network afresh."""
        self.page_bytes = 0
        self.worker_bytes = 0

    def _send_to_worker(self, session_id: str, method: str, params: dict, timeout: float = 5.0) -> dict:
        ident = next(self._ids)
        self._browser_session.send(
            "Target.sendMessageToTarget",
            {"sessionId": session_id, "message": json.dumps({"id": ident, "method": method, "params": params})},
        )
        deadline = time.monotonic() + timeout
        while ident not in self._answers:  # answers arrive as events on the Playwright dispatcher
            if time.monotonic() > deadline:
                raise TimeoutError(f"service worker did not answer {method}")
            self._browser_session.send("Browser.getVersion")  # pumps the event loop
        return self._answers.pop(ident)

    def service_workers(self) -> list[str]:
        """Target ids of the service workers running now."""
        targets = self._browser_session.send("Target.getTargets")["targetInfos"]
        return [t["targetId"] for t in targets if t["type"] == "service_worker"]

    def apply(self, conditions: Conditions, workers: Conditions | None = None) -> None:
        """Emulate ``conditions`` on the page and ``workers`` (default: the same) on every running service worker."""
        self.conditions = conditions
        self._page_session.send("Network.emulateNetworkConditions", conditions.cdp())
        worker_conditions = workers or conditions
        for target_id in self.service_workers():
            session_id = self._worker_sessions.get(target_id)
            if session_id is None:
                session_id = self._browser_session.send(
                    "Target.attachToTarget", {"targetId": target_id, "flatten": False}
                )["sessionId"]
                self._worker_sessions[target_id] = session_id
                self._send_to_worker(session_id, "Network.enable", {})
            self._send_to_worker(session_id, "Network.emulateNetworkConditions", worker_conditions.cdp())

    def page_session(self):
        """The page's CDP session (for Network events and cache control)."""
        return self._page_session

    def close(self) -> None:
        """Detach from the workers and the page."""
        for session_id in self._worker_sessions.values():
            try:
                self._browser_session.send("Target.detachFromTarget", {"sessionId": session_id})
            except Exception:
                pass
        self._browser_session.detach()
        self._page_session.detach()
