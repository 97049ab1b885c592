"""Originals: checked with Pillow, stored once under their content address."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path

import msgspec
from PIL import Image

from .errors import BadImage

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "AVIF": "avif", "TIFF": "tif"}


class OriginalInfo(msgspec.Struct, frozen=True):
    """What the store needs to know about an accepted original."""

    id: str
    format: str
    width: int
    height: int
    size: int
    relative_path: str


def inspect_original(data: bytes, *, name: str, max_bytes: int, max_pixels: int) -> tuple[str, int, int]:
    """Format and size of an image, or BadImage naming ``name`` (never decodes more than ``max_pixels``)."""
    if len(data) > max_bytes:
        raise BadImage(f"{name}: {len(data)} bytes is more than the limit of {max_bytes}")
    if not data:
        raise BadImage(f"{name}: the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                fmt = im.format or ""
                width, height = im.size
                if width * height > max_pixels:
                    raise BadImage(f"{name}: {width}x{height} is more than {max_pixels} pixels")
                im.verify()
            # verify() leaves the image unusable and misses truncation; a full load catches that.
            with Image.open(io.BytesIO(data)) as im:
                im.load()
    except BadImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(f"{name}: rejected as a decompression bomb") from None
    except Exception as exc:  # Pillow raises many types for broken input; all mean "not an image we take".
        raise BadImage(f"{name}: not a readable image ({type(exc).__name__})") from None
    if fmt not in ACCEPTED_FORMATS:
        raise BadImage(f"{name}: format {fmt or 'unknown'} is not accepted")
    return fmt, width, height


def save_original(data_dir: Path, data: bytes, *, name: str, max_bytes: int, max_pixels: int) -> OriginalInfo:
    """Check an original and write it once, atomically, under ``originals/<sha256>.<ext>``."""
    fmt, width, height = inspect_original(data, name=name, max_bytes=max_bytes, max_pixels=max_pixels)
    digest = hashlib.sha256(data).hexdigest()
    relative = f"originals/{digest[:2]}/{digest}.{ACCEPTED_FORMATS[fmt]}"
    target = data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return OriginalInfo(digest, fmt, width, height, len(data), relative)
