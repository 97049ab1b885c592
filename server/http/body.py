"""Reading a raw request body with a route-specific size limit."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import HTTPException


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` bytes (nothing past the limit is buffered)."""
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
    return b"".join(chunks)
