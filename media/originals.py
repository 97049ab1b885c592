"""Originals: stored once under their content address (sha256 of the bytes), written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .decode import ACCEPTED_FORMATS


def content_id(data: bytes) -> str:
    """The image id: sha256 of the original bytes (same bytes, same id, no work twice)."""
    return hashlib.sha256(data).hexdigest()


def original_relative_path(image_id: str, pil_format: str) -> str:
    """Where an original lives under the data dir."""
    return f"originals/{image_id[:2]}/{image_id}.{ACCEPTED_FORMATS[pil_format]}"


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the whole new one, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_original(data_dir: Path, image_id: str, pil_format: str, data: bytes) -> str:
    """Write an accepted original once; returns its path relative to the data dir."""
    relative = original_relative_path(image_id, pil_format)
    if not (Path(data_dir) / relative).exists():
        write_atomically(Path(data_dir) / relative, data)
    return relative
