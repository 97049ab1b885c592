"""Brotli with gzip fallback, keeping ETags strong: each content-coding gets its own validator."""

from __future__ import annotations

import gzip

import brotli
from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware

# Already-compressed or streaming responses: images (their own codecs) and server-sent events
# (a compressor buffers, so events would not reach the client when they happen).
EXCLUDE = ["^/media/", "^/api/sync/poke"]
BROTLI_QUALITY = 5  # good ratio at low CPU
GZIP_LEVEL = 9
MINIMUM_SIZE = 256  # smaller bodies go as they are: the coding's overhead would eat the gain


def chosen_coding(accept_encoding: str) -> str | None:
    """The content-coding the middleware picks for this Accept-Encoding (its own test: br first, then gzip)."""
    if "br" in accept_encoding:
        return "br"
    if "gzip" in accept_encoding:
        return "gzip"
    return None


def compressed(body: bytes, coding: str) -> bytes:
    """``body`` in ``coding`` as the middleware would send it (gzip without a timestamp: the same bytes each
    time, as a strong validator promises)."""
    if coding == "br":
        return brotli.compress(body, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def coded_etag(etag: str, coding: str) -> str:
    """The strong validator of ``etag``'s bytes in ``coding``."""
    return etag[:-1] + ("-br" if coding == "br" else "-gzip") + '"'


class StrongEtagCompression(CompressionMiddleware):
    """Compression that suffixes a strong ETag with the coding, as RFC 9110 asks of strong validators."""

    def create_compression_send_wrapper(self, send, compression_encoding, scope):  # type: ignore[override]
        suffix = "-br" if compression_encoding == "br" else "-gzip"

        async def send_tagged(message):  # the inner wrapper calls this once it has chosen to compress
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                etag = headers.get("etag")
                # (A prepared response arrives already coded and tagged: server/http/conditional.py.)
                if (headers.get("content-encoding") and etag and etag.endswith('"') and not etag.startswith("W/")
                        and not etag.endswith(suffix + '"')):
                    headers["etag"] = coded_etag(etag, compression_encoding)
                vary = headers.get("vary")
                if vary:
                    # The middleware appends Accept-Encoding even when the handler already listed it.
                    names = [v.strip() for v in vary.split(",") if v.strip()]
                    headers["vary"] = ", ".join(_dedupe(names))
            await send(message)

        return super().create_compression_send_wrapper(send_tagged, compression_encoding, scope)


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            kept.append(name)
    return kept


def compression_config() -> CompressionConfig:
    """Brotli (quality 5: good ratio at low CPU) with gzip for clients without br."""
    return CompressionConfig(
        backend="brotli",
        brotli_quality=BROTLI_QUALITY,
        brotli_mode="text",
        brotli_gzip_fallback=True,
        gzip_compress_level=GZIP_LEVEL,
        minimum_size=MINIMUM_SIZE,
        exclude=EXCLUDE,
        middleware_class=StrongEtagCompression,
    )
