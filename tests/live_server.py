"""A live uvicorn server in a thread on 127.0.0.1 for tests that need real HTTP (browsers, SSE pokes)."""

from __future__ import annotations

import socket
import threading
import time


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A uvicorn server in a thread, serving the app on 127.0.0.1; ``requests`` logs every HTTP request path."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[str] = []  # "GET /p/X" per request the server received, in order

        async def logged(scope, receive, send):
            if scope["type"] == "http":
                query = scope.get("query_string", b"").decode("latin-1")
                self.requests.append(f"{scope['method']} {scope['path']}" + (f"?{query}" if query else ""))
            await app(scope, receive, send)

        config = uvicorn.Config(logged, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
