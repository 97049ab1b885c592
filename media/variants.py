"""Which variants exist: configured widths, formats, encoder settings, file layout, reading them back."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import UnknownImage

WIDTHS: tuple[int, ...] = (160, 320, 640, 960, 1280)
"""The only widths a variant URL may name (no arbitrary resize parameters)."""

FORMATS: tuple[str, ...] = ("avif", "webp", "jpg")
"""Variant formats, smallest first; JPEG is the fallback every browser decodes."""

CONTENT_TYPES: dict[str, str] = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg"}

PIL_FORMATS: dict[str, str] = {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}

# Qualities tuned on the shared photos and the demo shots (bench/media.py prints bytes and PSNR):
# AVIF q50 ~ WebP q70 ~ JPEG q72 in look. Speeds: AVIF speed 9 above 480 px is ~3x faster than speed 8 for
# ~10% more bytes (still far below the default encoder's); WebP method 2 is ~3x faster than 3-4 for ~1-2%.
ENCODER_SETTINGS: dict[str, dict[str, object]] = {
    "avif": {"quality": 50, "speed": 8, "subsampling": "4:2:0"},
    "webp": {"quality": 70, "method": 2},
    "jpg": {"quality": 72, "progressive": True, "subsampling": "4:2:0"},
}
AVIF_FAST_ABOVE = 480
"""Widths above this encode AVIF at speed 9 (large images dominate the encoding time)."""

_IMAGE_ID = re.compile(r"^[0-9a-f]{64}$")


def is_image_id(value: str) -> bool:
    """True for a well-formed content address (sha256 hex)."""
    return bool(_IMAGE_ID.match(value))


def plan_widths(original_width: int) -> list[tuple[int, int]]:
    """(configured width, pixel width) pairs for an original: every configured width up to the original's,
    plus the next one holding the original at its own size (never upscaled)."""
    plan = [(w, w) for w in WIDTHS if w <= original_width]
    bigger = [w for w in WIDTHS if w > original_width]
    if bigger and (not plan or plan[-1][1] < original_width):
        plan.append((bigger[0], original_width))
    return plan


def variant_relative_path(image_id: str, width: int, fmt: str) -> str:
    """Where a variant lives under the data dir (content-addressed by the original's id)."""
    return f"variants/{image_id[:2]}/{image_id}/{width}.{fmt}"


def check_variant_key(image_id: str, width: int, fmt: str) -> None:
    """UnknownImage unless id, width and format could name a variant at all."""
    if not is_image_id(image_id):
        raise UnknownImage(f"no image with id {image_id[:80]!r}")
    if width not in WIDTHS:
        raise UnknownImage(f"width {width} is not one of {', '.join(map(str, WIDTHS))}")
    if fmt not in FORMATS:
        raise UnknownImage(f"format {fmt[:20]!r} is not one of {', '.join(FORMATS)}")


def read_variant_bytes(data_dir: Path, image_id: str, width: int, fmt: str) -> bytes:
    """The encoded bytes of one variant (for inlining a small first image), or UnknownImage."""
    check_variant_key(image_id, width, fmt)
    try:
        return (Path(data_dir) / variant_relative_path(image_id, width, fmt)).read_bytes()
    except FileNotFoundError:
        raise UnknownImage(f"image {image_id} has no {width}.{fmt} variant") from None
