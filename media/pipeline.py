"""One original in, every variant out: decode once, resize down a chain, encode, write atomically.

Pure of the database, so that it runs in worker processes; the caller records the result.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Iterable

import msgspec
from PIL import Image

from .decode import decode
from .errors import BadImage
from .originals import content_id, save_original, write_atomically
from .placeholder import placeholder_data_uri
from .variants import AVIF_FAST_ABOVE, ENCODER_SETTINGS, FORMATS, PIL_FORMATS, WIDTHS, plan_widths, variant_relative_path


class BuiltVariant(msgspec.Struct, frozen=True):
    """One written variant file."""

    width: int  # the configured width naming it in URLs
    format: str
    pixel_width: int
    pixel_height: int
    bytes: int
    etag: str
    path: str  # relative to the data dir


class Processed(msgspec.Struct, frozen=True):
    """An accepted original with its placeholder and the variants written for it."""

    id: str
    format: str
    width: int  # display size, after EXIF orientation
    height: int
    size: int
    original_path: str
    placeholder: str
    variants: list[BuiltVariant]


def resize_chain(image: Image.Image, sizes: list[tuple[int, int]]) -> list[Image.Image]:
    """Images at ``sizes`` (largest first), each made from an earlier one: a whole-factor reduce() where the
    sizes allow it (1280 → 640 → 320 → 160), else LANCZOS from the smallest image at least twice as wide."""
    out: list[Image.Image] = []
    for size in sizes:
        source = image
        for made in out:
            if made.width >= 2 * size[0] or made is out[-1]:
                source = made
                break
        if size == source.size:
            result = source
        elif source.width % size[0] == 0 and source.height % size[1] == 0 and (
                source.width // size[0] == source.height // size[1]):
            result = source.reduce(source.width // size[0])
        else:
            result = source.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        out.append(result)
    return out


def encode(image: Image.Image, fmt: str, *, threads: int = 0) -> bytes:
    """One variant's bytes at the tuned settings; JPEG gets transparency flattened onto white."""
    params = dict(ENCODER_SETTINGS[fmt])
    if fmt == "jpg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    if fmt == "avif" and threads:
        params["max_threads"] = threads
    if fmt == "avif" and image.width > AVIF_FAST_ABOVE:
        params["speed"] = 9
    buf = io.BytesIO()
    image.save(buf, PIL_FORMATS[fmt], **params)
    return buf.getvalue()


def process_original(
    data: bytes,
    *,
    name: str,
    data_dir: Path,
    max_bytes: int,
    max_pixels: int,
    formats: Iterable[str] = FORMATS,
    threads: int = 0,
) -> Processed:
    """Check and decode an original, store it under its content address, write its variants in ``formats``.

    BadImage (naming ``name``) leaves nothing on disk.
    """
    decoded = decode(data, name=name, max_bytes=max_bytes, max_pixels=max_pixels, max_width=WIDTHS[-1])
    plan = plan_widths(decoded.width)
    sizes = [(px, max(1, round(decoded.height * px / decoded.width))) for _, px in reversed(plan)]
    images = resize_chain(decoded.image, sizes)
    # Encode everything before writing anything, so a failing encoder leaves no half set behind.
    encoded: list[tuple[int, str, Image.Image, bytes]] = []
    for (width, _), im in zip(reversed(plan), images):
        for f in formats:
            try:
                encoded.append((width, f, im, encode(im, f, threads=threads)))
            except (OSError, ValueError) as exc:  # e.g. WebP stops at 16383 px: a freak aspect ratio
                raise BadImage(f"{name}: a {im.width}x{im.height} variant cannot be encoded as {f} "
                               f"({type(exc).__name__})") from None
    placeholder = placeholder_data_uri(images[-1])
    image_id = content_id(data)
    data_dir = Path(data_dir)
    original_path = save_original(data_dir, image_id, decoded.format, data)
    built = []
    for width, f, im, blob in sorted(encoded, key=lambda e: (e[0], FORMATS.index(e[1]))):
        relative = variant_relative_path(image_id, width, f)
        write_atomically(data_dir / relative, blob)
        etag = '"' + hashlib.blake2b(blob, digest_size=12).hexdigest() + '"'
        built.append(BuiltVariant(width, f, im.width, im.height, len(blob), etag, relative))
    return Processed(image_id, decoded.format, decoded.width, decoded.height, len(data), original_path, placeholder, built)
