"""Decoding an original safely and cheaply: limits first, JPEG draft, EXIF orientation, sRGB, 8-bit RGB(A)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageCms, ImageOps

from .errors import BadImage

log = logging.getLogger("lastmile.media")

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "AVIF": "avif", "TIFF": "tif"}
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
MAX_SIDE = 16_383
"""Longest side accepted: WebP's own limit, and far beyond any photo's (a 1 x 49,000,000 strip is a bomb)."""
MAX_ASPECT = 20
"""Longest side over shortest: past this a product photo is a strip no variant can show."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """An original decoded for variants: its format, display size (after orientation), an RGB/RGBA image."""

    format: str
    width: int
    height: int
    image: Image.Image


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def set_pixel_limit(max_pixels: int) -> None:
    """Pillow's own bomb check follows our setting (it warns past the limit and refuses past twice it)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


def _open(data: bytes, name: str, max_bytes: int, max_pixels: int) -> Image.Image:
    if not data:
        raise BadImage(f"{name}: the file is empty")
    if len(data) > max_bytes:
        raise BadImage(f"{name}: {len(data)} bytes is more than the limit of {max_bytes}")
    set_pixel_limit(max_pixels)
    try:
        # Past twice the limit Pillow refuses at once; between once and twice it only warns, and the
        # explicit check below refuses (warning filters are process-global, so they are not relied on).
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise BadImage(f"{name}: rejected as a decompression bomb (more than {max_pixels} pixels)") from None
    except Exception as exc:  # Pillow raises many types for junk; all mean "not an image we take"
        raise BadImage(f"{name}: not a readable image ({type(exc).__name__})") from None
    fmt = im.format or ""
    if fmt not in ACCEPTED_FORMATS:
        raise BadImage(f"{name}: format {fmt or 'unknown'} is not accepted")
    try:
        _check_header(im, name, max_pixels)
    except BadImage:
        im.close()
        raise
    return im


def _check_header(im: Image.Image, name: str, max_pixels: int) -> None:
    """Refuse by what the header says (sides, aspect, pixels, frames): nothing is decoded to find out."""
    fmt = im.format or ""
    width, height = im.size
    if width < 1 or height < 1 or max(width, height) > MAX_SIDE:
        raise BadImage(f"{name}: {width}x{height} has a side outside 1..{MAX_SIDE} pixels")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise BadImage(f"{name}: {width}x{height} is stretched more than {MAX_ASPECT}:1")
    if width * height > max_pixels:
        raise BadImage(f"{name}: {width}x{height} is more than the limit of {max_pixels} pixels")
    try:
        animated = bool(getattr(im, "is_animated", False))  # reads frame headers only (GIF: up to frame 2)
    except Exception as exc:
        raise BadImage(f"{name}: not a readable image ({type(exc).__name__})") from None
    if animated:
        # Refused, not cut to a first frame: that frame is often blank or a fade-in, so the shop would
        # show a picture the operator never saw; a still exported on purpose is what a product page needs.
        raise BadImage(f"{name}: animated images are not accepted; upload a still ({fmt})")


def to_srgb(im: Image.Image) -> Image.Image:
    """Pixels converted from an embedded ICC profile to sRGB (a broken profile is ignored, not fatal)."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK", "L", "LA"):
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if im.mode in ("RGBA", "LA"):
            alpha = im.getchannel("A")
            base = im.convert("RGB" if im.mode == "RGBA" else "L")
            out = ImageCms.profileToProfile(base, source, _srgb(), outputMode="RGB")
            assert out is not None
            out.putalpha(alpha)
            return out
        out = ImageCms.profileToProfile(im, source, _srgb(), outputMode="RGB")
        assert out is not None
        return out
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        log.info("ignoring an unusable ICC profile (%s)", type(exc).__name__)
        return im


def to_8bit_rgb(im: Image.Image) -> Image.Image:
    """RGB, or RGBA when there is real transparency; 16-bit and float greys are scaled, not clipped."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        if mode.startswith("I;16"):
            im, lo, hi = im.convert("I"), 0, 65535
        else:
            lo, hi = im.getextrema()  # type: ignore[misc]
            if mode == "I" and 0 <= lo and hi <= 65535:
                lo, hi = 0, (65535 if hi > 255 else 255)
        scale = 255 / ((hi - lo) or 1)
        im = im.point(lambda v: v * scale - lo * scale).convert("L")
        mode = "L"
    if mode in ("RGB", "RGBA"):
        out = im
    elif mode in ("P", "PA", "LA", "La", "RGBa", "1", "L") and (im.has_transparency_data or mode in ("PA", "LA", "La", "RGBa")):
        out = im.convert("RGBA")
    else:
        out = im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, L, 1, P without transparency
    if out.mode == "RGBA" and out.getchannel("A").getextrema() == (255, 255):
        out = out.convert("RGB")  # opaque after all: no alpha plane to encode
    return out


def decode(data: bytes, *, name: str, max_bytes: int, max_pixels: int, max_width: int) -> Decoded:
    """Decode for variants no wider than ``max_width``: JPEG draft scaling, orientation, sRGB, 8-bit RGB(A)."""
    im = _open(data, name, max_bytes, max_pixels)
    try:
        fmt = im.format or ""
        orientation = 1
        try:
            orientation = int(im.getexif().get(0x0112, 1) or 1)
        except Exception:  # a broken EXIF block is metadata we drop anyway
            orientation = 1
        stored_w, stored_h = im.size
        width, height = (stored_h, stored_w) if orientation in _ROTATED else (stored_w, stored_h)
        if fmt == "JPEG" and width > max_width:
            # DCT scaling while decoding: 1/2, 1/4 or 1/8 of the work, never below the size we need.
            want_w = max_width
            want_h = max(1, round(height * max_width / width))
            req = (want_h, want_w) if orientation in _ROTATED else (want_w, want_h)
            im.draft(im.mode if im.mode in ("RGB", "L", "CMYK") else None, req)
        im.load()
        if orientation != 1:
            im = ImageOps.exif_transpose(im)
        im = to_8bit_rgb(to_srgb(im))
    except BadImage:
        raise
    except Image.DecompressionBombError:
        raise BadImage(f"{name}: rejected as a decompression bomb (more than {max_pixels} pixels)") from None
    except Exception as exc:  # truncated data, corrupt streams, codec errors
        raise BadImage(f"{name}: not a readable image ({type(exc).__name__}: {str(exc)[:80]})") from None
    im.info = {}  # strip EXIF, XMP, ICC, comments: nothing of the original's metadata reaches a variant
    return Decoded(fmt, width, height, im)
