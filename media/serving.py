"""Finding a variant's bytes for the media route: only recorded variants at configured widths exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec

from . import store
from .errors import UnknownImage
from .variants import CONTENT_TYPES, check_variant_key

_NAME = re.compile(r"^([0-9]{1,4})\.([a-z]{1,5})$")


class VariantFile(msgspec.Struct, frozen=True):
    """A variant ready to send."""

    body: bytes
    content_type: str
    etag: str


def parse_variant_name(name: str) -> tuple[int, str]:
    """``"320.avif"`` → (320, "avif"); UnknownImage for anything else."""
    match = _NAME.match(name)
    if not match:
        raise UnknownImage(f"{name[:40]!r} does not name a variant (expected WIDTH.avif|webp|jpg)")
    return int(match.group(1)), match.group(2)


def load_variant(db: Any, data_dir: Path, image_id: str, name: str) -> VariantFile:
    """The bytes, type and validator of one variant, or UnknownImage (bad id, width, format, or not built)."""
    width, fmt = parse_variant_name(name)
    check_variant_key(image_id, width, fmt)
    row = store.get_variant(db, image_id, width, fmt)
    if row is None:
        raise UnknownImage(f"image {image_id} has no {width}.{fmt} variant")
    try:
        body = (Path(data_dir) / row["path"]).read_bytes()
    except FileNotFoundError:
        raise UnknownImage(f"image {image_id} has no {width}.{fmt} variant") from None
    return VariantFile(body=body, content_type=CONTENT_TYPES[fmt], etag=row["etag"])
