"""Cacheable GET responses: JSON or MessagePack by Accept, strong ETag, 304, Cache-Control, Vary."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response

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
    scope = "public" if public else "private"
    headers = {
        "Cache-Control": f"{scope}, max-age={max_age}, stale-while-revalidate={stale_while_revalidate}",
        "Vary": "Accept, Accept-Encoding",
    }
    # The media type is part of the validator: JSON and MessagePack of one payload are different bytes.
    return conditional(request, body, media_type, headers, etag=strong_etag(body + media_type.encode()))


def conditional(
    request: Request, body: bytes, media_type: str, headers: dict[str, str], *, etag: str | None = None
) -> Response:
    """200 with ``body`` and a strong ETag (over ``body`` unless given), or 304 when the client holds it."""
    etag = etag or strong_etag(body)
    matched = matching_tag(request, etag)
    if matched is not None:
        return Response(content=b"", status_code=304, headers={**headers, "ETag": matched})
    return Response(content=body, media_type=media_type, headers={**headers, "ETag": etag})
