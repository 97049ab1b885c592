"""Opaque, tamper-evident listing cursors: keyset position plus a fingerprint of the query."""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec

from .errors import BadCursor

# The key only makes cursors tamper-evident (a forged one is a 400, not a surprise); it guards no secret data.
_KEY = b"lastmile-cursor-v1"
_MAX_LEN = 512


class _Position(msgspec.Struct, array_like=True):
    after: str
    query: str
    score: float | None = None  # the last item's relevance score in a ranked search; None in id order


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Position)


def _fingerprint(q: str | None, category: str | None) -> str:
    return hashlib.blake2s(f"{q or ''}\x00{category or ''}".encode(), digest_size=6).hexdigest()


def encode_cursor(after_id: str, q: str | None, category: str | None, score: float | None = None) -> str:
    """A cursor that resumes after ``after_id`` (at ``score`` in a ranked search) for this same query."""
    body = _encoder.encode(_Position(after_id, _fingerprint(q, category), score))
    mac = hmac.new(_KEY, body, hashlib.blake2s).digest()[:8]
    return base64.urlsafe_b64encode(mac + body).rstrip(b"=").decode()


def decode_cursor(cursor: str, q: str | None, category: str | None) -> str:
    """The id to resume after, or BadCursor if it was not made by us for this query."""
    return decode_position(cursor, q, category)[0]


def decode_position(cursor: str, q: str | None, category: str | None) -> tuple[str, float | None]:
    """The (id, score) to resume after, or BadCursor if it was not made by us for this query."""
    if len(cursor) > _MAX_LEN:
        raise BadCursor("cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise BadCursor("cursor is not one this server made") from None
    mac, body = raw[:8], raw[8:]
    if len(mac) != 8 or not hmac.compare_digest(mac, hmac.new(_KEY, body, hashlib.blake2s).digest()[:8]):
        raise BadCursor("cursor is not one this server made")
    try:
        position = _decoder.decode(body)
    except msgspec.DecodeError:
        raise BadCursor("cursor is not one this server made") from None
    if position.query != _fingerprint(q, category):
        raise BadCursor("cursor belongs to another query (q or category changed)")
    return position.after, position.score
