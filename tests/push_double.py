"""An in-process push service for tests and benches: verifies VAPID, decrypts aes128gcm, answers on demand.

It listens on 127.0.0.1 (an ephemeral port). ``new_subscription()`` makes a browser-like subscription
(its own P-256 key and auth secret) whose endpoint points here. Every POST is checked like a real push
service would: the `Authorization: vapid t=<JWT>, k=<key>` header must carry an ES256 JWT signed by the
expected VAPID key with `aud` = this origin and `exp` in the future (at most 24 h ahead), a TTL header
must be present, and the body must decrypt with the subscription's private key. Answers: 201 by
default, or whatever was queued with ``respond(sub, status, retry_after=...)``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    """One push the double accepted or refused."""

    token: str
    status: int
    headers: dict[str, str]
    claims: dict | None
    payload: bytes | None
    problem: str | None = None


@dataclass
class _Sub:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    replies: deque = field(default_factory=deque)


class PushDouble:
    """The push service double; use as a context manager."""

    def __init__(self, vapid_public_key: str | None = None, *, record_payloads: bool = True) -> None:
        self.vapid_public_key = vapid_public_key
        self.record_payloads = record_payloads
        self.received: list[Received] = []
        self.subs: dict[str, _Sub] = {}
        self.lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, extra = double._handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "PushDouble":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_subscription(self) -> dict:
        """A browser-like subscription (endpoint, keys) whose private half the double keeps."""
        token = secrets.token_urlsafe(12)
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        with self.lock:
            self.subs[token] = _Sub(key, auth)
        public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{token}", "keys": {"p256dh": _b64(public), "auth": _b64(auth)}}

    def respond(self, subscription: dict, status: int, *, retry_after: str | None = None, location: str | None = None, times: int = 1) -> None:
        """Answer the next ``times`` pushes to this subscription with ``status`` (and Retry-After or Location)."""
        token = subscription["endpoint"].rsplit("/", 1)[1]
        extra = {"Retry-After": retry_after} if retry_after else {}
        if location:
            extra["Location"] = location
        with self.lock:
            for _ in range(times):
                self.subs[token].replies.append((status, extra))

    def for_subscription(self, subscription: dict) -> list[Received]:
        """What this subscription received, in order."""
        token = subscription["endpoint"].rsplit("/", 1)[1]
        with self.lock:
            return [r for r in self.received if r.token == token]

    def _verify_vapid(self, headers: dict[str, str]) -> dict:
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        scheme, _, params = auth.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError("no vapid authorization")
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t", ""), parts.get("k", "")
        if self.vapid_public_key is not None and key != self.vapid_public_key:
            raise ValueError("unexpected VAPID key")
        signing_input, _, signature = token.rpartition(".")
        header_b64, _, claims_b64 = signing_input.partition(".")
        if json.loads(_unb64(header_b64)).get("alg") != "ES256":
            raise ValueError("JWT is not ES256")
        raw = _unb64(signature)
        if len(raw) != 64:
            raise ValueError("bad signature length")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(key))
        try:
            public.verify(
                encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                signing_input.encode(),
                ec.ECDSA(hashes.SHA256()),
            )
        except InvalidSignature:
            raise ValueError("bad JWT signature") from None
        claims = json.loads(_unb64(claims_b64))
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin}")
        now = time.time()
        if not now < int(claims.get("exp", 0)) <= now + 86_400:
            raise ValueError("exp not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub is not a contact URL")
        return claims

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        token = path.rsplit("/", 1)[-1]
        with self.lock:
            sub = self.subs.get(token) if path.startswith("/push/") else None
        if sub is None:
            self._record(Received(token, 404, headers, None, None, "unknown subscription"))
            return 404, {}
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            claims = self._verify_vapid(headers)
            if "ttl" not in lower or not lower["ttl"].isdigit():
                raise ValueError("no TTL header")
            if lower.get("content-encoding") != "aes128gcm":
                raise ValueError("not aes128gcm")
            payload = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm")
        except Exception as exc:  # the double reports every refusal, it never crashes
            self._record(Received(token, 400, headers, None, None, str(exc)))
            return 400, {}
        with self.lock:
            status, extra = sub.replies.popleft() if sub.replies else (201, {})
        self._record(Received(token, status, lower, claims, payload if self.record_payloads else None))
        return status, extra

    def _record(self, item: Received) -> None:
        with self.lock:
            self.received.append(item)
