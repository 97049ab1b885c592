"""Taking an original into the shop: check it, store it once, record it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import store
from .originals import save_original


def ingest_original(database: Any, data_dir: Path, data: bytes, *, name: str, max_bytes: int, max_pixels: int) -> str:
    """Store an original (idempotent by content) and return its image id; BadImage names ``name``."""
    info = save_original(data_dir, data, name=name, max_bytes=max_bytes, max_pixels=max_pixels)
    with database.write() as db:
        store.put_image(
            db,
            id=info.id,
            format=info.format,
            width=info.width,
            height=info.height,
            size=info.size,
            original_path=info.relative_path,
        )
    return info.id
