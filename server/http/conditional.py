"""Cacheable GET responses: JSON or MessagePack by Accept, strong ETag, 304, Cache-Control, Vary."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.utils.scope.state import ScopeState

from server.http.compression import MINIMUM_SIZE, chosen_coding, coded_etag, compressed

MSGPACK = "application/msgpack"
JSON = "application/json"
_json = msgspec.json.Encoder()
_msgpack = msgspec.msgpack.Encoder()

# Suffixes the compression middleware adds to a strong ETag per content-coding (see server/http/compression.py).
CODING_SUFFIXES = ("-br", "-gzip")


def wants_msgpack(request: Request) -> bool:
    """True when the client prefers MessagePack over JSON."""
    accept = request.headers.get("accept", "")
    if "msgpack" not in accept:
        return False
    return request.accept.best_match([JSON, MSGPACK, "application/x-msgpack"], default=JSON) != JSON


def encode(request: Request, payload: Any) -> tuple[bytes, str]:
    """The payload in the representation the client asked for, with its media type."""
    if wants_msgpack(request):
        return _msgpack.encode(payload), MSGPACK
    return _json.encode(payload), JSON


class PreparedResponse(Response[bytes]):
    """A cacheable 200 whose status line, headers and compressed bodies are made once, when it is made, and
    then served as they are to every request: what the product cache keeps. Litestar's own path builds a
    header list per request (each header added one by one, then content-type and content-length looked up
    among them) and the compression middleware compresses the body again for every client that takes br or
    gzip: most of what a cached product GET cost beyond the bare endpoint (docs/performance.md, API)."""

    def __init__(self, body: bytes, media_type: str, headers: dict[str, str]):
        super().__init__(content=body, media_type=media_type, headers=headers)
        self.etag = headers["ETag"]
        self._variants = {None: _raw_start(headers, media_type, body)}
        if len(body) >= MINIMUM_SIZE:
            for coding in ("br", "gzip"):
                packed = compressed(body, coding)
                coded = {**headers, "ETag": coded_etag(self.etag, coding), "Content-Encoding": coding}
                self._variants[coding] = _raw_start(coded, media_type, packed)

    def to_asgi_response(self, app, request, **options):  # type: ignore[override]
        """The prepared bytes in the client's coding, unless the route adds anything of its own (then
        Litestar's general path, the middleware compressing)."""
        if any(options.get(name) for name in ("background", "cookies", "encoded_headers", "headers", "is_head_response")):
            return super().to_asgi_response(app, request, **options)
        coding = chosen_coding(request.headers.get("accept-encoding", ""))
        return _PreparedSend(*self._variants.get(coding) or self._variants[None])


def _raw_start(headers: dict[str, str], media_type: str, body: bytes) -> tuple[tuple[tuple[bytes, bytes], ...], bytes, bool]:
    """The encoded header list of a 200 with this body, the body, and whether it is already content-coded."""
    raw = (
        *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()),
        (b"content-type", media_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("latin-1")),
    )
    return raw, body, "Content-Encoding" in headers


class _PreparedSend:
    """The ASGI app of a prepared response: fresh messages each time (middlewares edit the start message's
    header list in place)."""

    __slots__ = ("headers", "body", "coded")

    def __init__(self, headers: tuple[tuple[bytes, bytes], ...], body: bytes, coded: bool):
        self.headers = headers
        self.body = body
        self.coded = coded

    async def __call__(self, scope, receive, send) -> None:
        if self.coded:
            ScopeState.from_scope(scope).is_cached = True  # already compressed: the middleware passes it on as is
        await send({"type": "http.response.start", "status": 200, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def prepared(request: Request, payload: Any, *, max_age: int, stale_while_revalidate: int) -> PreparedResponse:
    """The payload encoded for this client (JSON or MessagePack) as a public cacheable 200, ready to serve
    many times (``answer`` picks it or a 304 per request)."""
    body, media_type = encode(request, payload)
    headers = cache_headers(max_age=max_age, stale_while_revalidate=stale_while_revalidate, public=True)
    headers["ETag"] = representation_etag(body, media_type)
    return PreparedResponse(body, media_type, headers)


def answer(request: Request, response: PreparedResponse) -> Response:
    """``response``, or a 304 when the client already holds its bytes."""
    matched = matching_tag(request, response.etag)
    if matched is None:
        return response
    headers = {name: value for name, value in response.headers.items() if name != "ETag"}
    return Response(content=b"", status_code=304, headers={**headers, "ETag": matched})


def cache_headers(*, max_age: int, stale_while_revalidate: int, public: bool) -> dict[str, str]:
    """Cache-Control and Vary of a cacheable GET."""
    scope = "public" if public else "private"
    return {
        "Cache-Control": f"{scope}, max-age={max_age}, stale-while-revalidate={stale_while_revalidate}",
        "Vary": "Accept, Accept-Encoding",
    }


def representation_etag(body: bytes, media_type: str) -> str:
    """The media type is part of the validator: JSON and MessagePack of one payload are different bytes."""
    return strong_etag(body + media_type.encode())


def strong_etag(body: bytes) -> str:
    """A strong validator of exactly these bytes."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]  # If-None-Match uses the weak comparison (RFC 9110 13.1.2)
    for suffix in CODING_SUFFIXES:
        if tag.endswith(suffix + '"'):
            return tag[: -len(suffix) - 1] + '"'
    return tag


def matching_tag(request: Request, etag: str) -> str | None:
    """The If-None-Match entry that matches ``etag`` (as the client sent it), or None."""
    header = request.headers.get("if-none-match")
    if not header:
        return None
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or _opaque(tag) == etag:
            return tag if tag != "*" else etag
    return None


def cacheable(
    request: Request,
    payload: Any,
    *,
    max_age: int,
    stale_while_revalidate: int,
    public: bool = True,
) -> Response:
    """200 with the encoded payload, or 304 when the client already has these bytes."""
    body, media_type = encode(request, payload)
    return cacheable_bytes(
        request, body, media_type, max_age=max_age, stale_while_revalidate=stale_while_revalidate, public=public
    )


def cacheable_bytes(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    max_age: int,
    stale_while_revalidate: int,
    public: bool = True,
) -> Response:
    """As ``cacheable``, for a payload already encoded."""
    headers = cache_headers(max_age=max_age, stale_while_revalidate=stale_while_revalidate, public=public)
    return conditional(request, body, media_type, headers, etag=representation_etag(body, media_type))


def conditional(
    request: Request, body: bytes, media_type: str, headers: dict[str, str], *, etag: str | None = None
) -> Response:
    """200 with ``body`` and a strong ETag (over ``body`` unless given), or 304 when the client holds it."""
    etag = etag or strong_etag(body)
    matched = matching_tag(request, etag)
    if matched is not None:
        return Response(content=b"", status_code=304, headers={**headers, "ETag": matched})
    return Response(content=body, media_type=media_type, headers={**headers, "ETag": etag})
