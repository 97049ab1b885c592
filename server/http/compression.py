"""Brotli with gzip fallback, keeping ETags strong: each content-coding gets its own validator."""

from __future__ import annotations

from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware

# Already-compressed or streaming responses: images (their own codecs) and server-sent events
# (a compressor buffers, so events would not reach the client when they happen).
EXCLUDE = ["^/media/", "^/api/sync/poke"]


class StrongEtagCompression(CompressionMiddleware):
    """Compression that suffixes a strong ETag with the coding, as RFC 9110 asks of strong validators."""

    def create_compression_send_wrapper(self, send, compression_encoding, scope):  # type: ignore[override]
        suffix = "-br" if compression_encoding == "br" else "-gzip"

        async def send_tagged(message):  # the inner wrapper calls this once it has chosen to compress
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                etag = headers.get("etag")
                if headers.get("content-encoding") and etag and etag.endswith('"') and not etag.startswith("W/"):
                    headers["etag"] = etag[:-1] + suffix + '"'
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
        brotli_quality=5,
        brotli_gzip_fallback=True,
        minimum_size=256,
        exclude=EXCLUDE,
        middleware_class=StrongEtagCompression,
    )
