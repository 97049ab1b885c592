"""Every request body passes here: size, nesting depth, 64-bit integers and clear decoding errors, for all routes.

Two doors, one set of checks: JSONBody routes get them from `BoundedRequest` (the app's request class, whose
`json()` Litestar calls to decode a body), raw-body routes (sync, orders, admin import) from `read_body`.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.exceptions import ClientException, HTTPException, SerializationException

MAX_DEPTH = 32
"""Deepest nesting of arrays/objects accepted in a body; ours need 5, decoders recurse per level."""
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
"""Integers a body may carry: what a database column holds (SQLite and PostgreSQL BIGINT)."""
OFFLOAD_BYTES = 65_536
"""Bodies larger than this are checked in a worker thread (the scan is linear but not free)."""

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')  # linear: once escapes are gone, every quote is a string delimiter
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_LONG_INT = re.compile(rb"(?<![\w.+-])-?\d{19,}(?![\w.])")  # integer literals with 19+ digits, not floats
_SURROGATE_HINT = re.compile(rb"\\u[dD][89a-fA-F]")
_ESCAPE_TOKEN = re.compile(rb"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


class BadBody(ClientException):
    """A body that cannot be taken as it is: malformed, nested too deeply, an integer out of range."""

    status_code = 400
    problem_slug = "bad-body"


def _lone_surrogate(body: bytes) -> str | None:
    """A description of the first `\\uD800`-`\\uDFFF` escape that is not half of a pair, if there is one."""
    if not _SURROGATE_HINT.search(body):
        return None
    pending: re.Match | None = None  # a high surrogate waiting for its low half
    for m in _ESCAPE_TOKEN.finditer(body):
        code = int(m.group(1), 16) if m.group(1) else -1
        if pending is not None:
            if m.start() == pending.end() and 0xDC00 <= code <= 0xDFFF:
                pending = None
                continue
            break
        if 0xD800 <= code <= 0xDBFF:
            pending = m
        elif 0xDC00 <= code <= 0xDFFF:
            return f"a lone UTF-16 surrogate {m.group().decode()} at byte {m.start()} (a low half without its high half)"
    if pending is None:
        return None
    return f"a lone UTF-16 surrogate {pending.group().decode()} at byte {pending.start()} (a high half without its low half)"


def check_json(body: bytes, *, max_depth: int = MAX_DEPTH) -> None:
    """BadBody if the JSON (or JSON lines) text nests deeper than ``max_depth``, carries an integer outside
    64 bits or a lone surrogate; malformed text is left to the decoder, which says where."""
    unescaped = _ESCAPE.sub(b"", body)
    outside_strings = _STRING.sub(b"", unescaped)
    skeleton = outside_strings.translate(None, _NOT_BRACKET)
    if skeleton and max(accumulate(map(_STEP.__getitem__, skeleton))) > max_depth:
        raise BadBody(f"the body nests arrays/objects deeper than {max_depth} levels")
    for m in _LONG_INT.finditer(outside_strings):
        if not INT_MIN <= int(m.group()) <= INT_MAX:
            raise BadBody(f"the integer {m.group()[:24].decode()}... is outside the 64-bit range this API accepts")
    surrogate = _lone_surrogate(body)
    if surrogate:
        raise BadBody(f"the body holds {surrogate}; JSON strings must be whole Unicode characters")


def check_msgpack(body: bytes, *, max_depth: int = MAX_DEPTH) -> None:
    """BadBody if the MessagePack value nests deeper than ``max_depth`` or carries a uint64 past INT_MAX;
    malformed data is left to the decoder."""
    pos, size = 0, len(body)
    left = [1]  # items still to read at each open level; the outer 1 is the top-level value
    while left and pos < size:
        if left[-1] == 0:
            left.pop()
            continue
        left[-1] -= 1
        b = body[pos]
        pos += 1
        if b <= 0x7F or b >= 0xE0 or b in (0xC0, 0xC2, 0xC3):  # fixints, nil, false, true
            continue
        count = -1
        if 0x80 <= b <= 0x8F:
            count = 2 * (b & 0x0F)
        elif 0x90 <= b <= 0x9F:
            count = b & 0x0F
        elif 0xA0 <= b <= 0xBF:
            pos += b & 0x1F
        elif b in (0xC4, 0xD9):
            pos += 1 + body[pos] if pos < size else 1
        elif b in (0xC5, 0xDA):
            pos += 2 + int.from_bytes(body[pos:pos + 2], "big")
        elif b in (0xC6, 0xDB):
            pos += 4 + int.from_bytes(body[pos:pos + 4], "big")
        elif b == 0xC7:
            pos += 2 + body[pos] if pos < size else 1
        elif b == 0xC8:
            pos += 3 + int.from_bytes(body[pos:pos + 2], "big")
        elif b == 0xC9:
            pos += 5 + int.from_bytes(body[pos:pos + 4], "big")
        elif b == 0xCF:
            if int.from_bytes(body[pos:pos + 8], "big") > INT_MAX:
                raise BadBody("an unsigned integer in the body is outside the 64-bit signed range this API accepts")
            pos += 8
        elif b in (0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xD0, 0xD1, 0xD2, 0xD3):
            pos += {0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}[b]
        elif 0xD4 <= b <= 0xD8:
            pos += 1 + (1 << (b - 0xD4))
        elif b in (0xDC, 0xDE):
            count = int.from_bytes(body[pos:pos + 2], "big") * (2 if b == 0xDE else 1)
            pos += 2
        elif b in (0xDD, 0xDF):
            count = int.from_bytes(body[pos:pos + 4], "big") * (2 if b == 0xDF else 1)
            pos += 4
        else:  # 0xC1 is never used: malformed, the decoder reports it
            return
        if count >= 0:
            left.append(count)
            if len(left) - 1 > max_depth:
                raise BadBody(f"the body nests arrays/maps deeper than {max_depth} levels")


def check_structure(body: bytes, content_type: str) -> None:
    """The checks of the body's codec (MessagePack when the content type says so, JSON otherwise)."""
    if "msgpack" in content_type:
        check_msgpack(body)
    else:
        check_json(body)


async def checked(body: bytes, content_type: str) -> bytes:
    """``body`` once it passed check_structure (large bodies are checked off the event loop)."""
    if len(body) > OFFLOAD_BYTES:
        await to_thread.run_sync(check_structure, body, content_type)
    else:
        check_structure(body, content_type)
    return body


async def read_body(request: Request, limit: int, *, structured: bool = True) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` bytes (nothing past the limit is buffered);
    ``structured`` bodies (JSON, JSON lines, MessagePack) also pass check_structure."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(status_code=413, detail=f"request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    return await checked(body, request.headers.get("content-type", "")) if structured else body


def decode_error_detail(body: bytes, exc: Exception) -> str:
    """What the decoder's complaint means for this body (msgspec calls a lone surrogate 'truncated')."""
    surrogate = _lone_surrogate(body)
    return f"the body holds {surrogate}" if surrogate else str(exc)


class BoundedRequest(Request):
    """The app's request class: `json()` and `msgpack()` (how Litestar decodes every JSONBody) check first."""

    async def json(self) -> Any:
        """The decoded JSON body, after check_json; BadBody saying what is wrong."""
        body = await self.body()
        await checked(body, "application/json")
        try:
            return await super().json()
        except SerializationException as exc:
            raise BadBody(f"the body is not valid JSON: {decode_error_detail(body, exc)}") from None

    async def msgpack(self) -> Any:
        """The decoded MessagePack body, after check_msgpack."""
        body = await self.body()
        await checked(body, "application/msgpack")
        try:
            return await super().msgpack()
        except SerializationException as exc:
            raise BadBody(f"the body is not valid MessagePack: {exc}") from None
