"""The inline placeholder: a tiny WebP as a data URI (≤ MAX_PLACEHOLDER_CHARS), shown blurred while the image loads."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageFilter

MAX_PLACEHOLDER_CHARS = 300
_PREFIX = "data:image/webp;base64,"
# Longest side in pixels, then quality: tried in order until the data URI fits the budget.
_TRIES = ((16, 40), (12, 35), (10, 30), (8, 25), (6, 20), (4, 10))


def placeholder_data_uri(image: Image.Image) -> str:
    """A data URI of at most MAX_PLACEHOLDER_CHARS characters that looks like a blurred ``image``."""
    source = image.convert("RGBA" if image.mode == "RGBA" else "RGB")
    for side, quality in _TRIES:
        scale = side / max(source.size)
        size = (max(1, round(source.width * scale)), max(1, round(source.height * scale)))
        small = source.resize(size, Image.Resampling.BOX).filter(ImageFilter.SMOOTH)
        buf = io.BytesIO()
        small.save(buf, "WEBP", quality=quality, method=6)
        uri = _PREFIX + base64.b64encode(buf.getvalue()).decode("ascii")
        if len(uri) <= MAX_PLACEHOLDER_CHARS:
            return uri
    return ""  # unreachable in practice (a 4 px WebP is ~60 bytes); an empty placeholder is still valid
