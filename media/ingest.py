"""Taking an original into the shop: check it, store it once, build its variants, record it all."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable

import msgspec

from . import store
from .errors import BadImage
from .originals import content_id
from .pipeline import Processed, process_original
from .variants import FORMATS, plan_widths

log = logging.getLogger("lastmile.media")

QUICK_FORMATS: tuple[str, ...] = ("webp", "jpg")
"""Built before an upload is answered; AVIF (the slow encoder) follows in the background."""


def record(database: Any, processed: Processed) -> None:
    """Write one processed original and its variants in one transaction."""
    with database.write() as db:
        store.record_processed(db, **msgspec.to_builtins(processed))  # the variants become dicts too


def missing_formats(db: Any, image_id: str, formats: Iterable[str] = FORMATS) -> list[str]:
    """The formats (of ``formats``) whose variants are not all recorded for this image; all of them if unknown."""
    rows = store.get_images(db, [image_id])
    if image_id not in rows:
        return list(formats)
    expected = len(plan_widths(rows[image_id]["width"]))
    have = store.variant_formats(db, image_id)
    return [f for f in formats if have.get(f, 0) < expected]


def ingest_original(
    database: Any,
    data_dir: Path,
    data: bytes,
    *,
    name: str,
    max_bytes: int,
    max_pixels: int,
    formats: Iterable[str] = FORMATS,
    threads: int = 0,
) -> str:
    """Store an original and its variants in ``formats`` (idempotent by content); BadImage names ``name``."""
    if len(data) > max_bytes:
        raise BadImage(f"{name}: {len(data)} bytes is more than the limit of {max_bytes}")
    image_id = content_id(data)
    todo = missing_formats(database.read(), image_id, formats)
    if not todo:
        return image_id  # same bytes as before: nothing to decode, encode or write
    processed = process_original(
        data, name=name, data_dir=data_dir, max_bytes=max_bytes, max_pixels=max_pixels, formats=todo, threads=threads
    )
    record(database, processed)
    return image_id


def build_missing(database: Any, data_dir: Path, image_id: str, *, max_bytes: int, max_pixels: int,
                  formats: Iterable[str] = FORMATS) -> list[str]:
    """Build whatever variants of a stored image are missing (AVIF after an upload); the formats built."""
    todo = missing_formats(database.read(), image_id, formats)
    row = store.get_images(database.read(), [image_id]).get(image_id)
    if not todo or row is None:
        return []
    data = (Path(data_dir) / row["original_path"]).read_bytes()
    try:
        processed = process_original(data, name=image_id, data_dir=data_dir, max_bytes=max_bytes,
                                     max_pixels=max_pixels, formats=todo)
    except BadImage:
        log.warning("stored original %s can no longer be decoded; its variants stay as they are", image_id)
        return []
    record(database, processed)
    return todo
