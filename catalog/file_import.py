"""Import a JSONL file and a folder of photos: every photo on all cores first, then the products in batches.

The CLI (`lastmile import-catalog`) and the console's upload both run this; bad lines are skipped and reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from media.batch import build_images

from .importer import ImportReport, import_products, parse_lines, read_image_file
from .models import ImportLine


def image_names(source: Path, max_line_bytes: int) -> list[str]:
    """Every image name the good lines of an import file mention, once each, in order."""
    with source.open("rb") as f:
        names = (name for _, item in parse_lines((raw.rstrip(b"\r\n") for raw in f), max_line_bytes)
                 if not isinstance(item, str) for name in item.images)
        return list(dict.fromkeys(names))


def import_file(
    database: Any,
    data_dir: Path,
    source: Path,
    images_dir: Path,
    *,
    max_line_bytes: int,
    max_bytes: int,
    max_pixels: int,
    workers: int,
    names: list[str] | None = None,
    on_image: Callable[[], None] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> ImportReport:
    """Build the photos the file names, then upsert its good lines; ``on_image``/``on_bytes`` report progress."""
    names = image_names(source, max_line_bytes) if names is None else names
    built = build_images(
        database, data_dir, names, lambda name: read_image_file(images_dir, name, max_bytes),
        max_bytes=max_bytes, max_pixels=max_pixels, workers=workers, on_done=on_image,
    )

    def resolve(line: ImportLine) -> list[str]:
        ids = []
        for name in line.images:
            outcome = built[name]
            if isinstance(outcome, ValueError):
                raise outcome
            ids.append(outcome)
        return ids

    with source.open("rb") as f:

        def lines():
            for raw in f:
                if on_bytes:
                    on_bytes(len(raw))
                yield raw.rstrip(b"\r\n")

        return import_products(database, parse_lines(lines(), max_line_bytes), resolve)
