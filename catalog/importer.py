"""Catalog import: validate every JSONL line, report bad ones by number, upsert the good ones idempotently."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import msgspec

from clock import now_iso

from . import store
from .errors import BadImport
from .models import ImportLine

_line_decoder = msgspec.json.Decoder(ImportLine)
BATCH = 100


@dataclass
class ImportReport:
    """What an import did: counts per outcome and every skipped line with its reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Lines left out because they were bad."""
        return len(self.problems)


def parse_lines(lines: Iterable[bytes], max_line_bytes: int) -> Iterator[tuple[int, ImportLine | str]]:
    """Each non-blank line's number with its ImportLine, or with what is wrong with it."""
    for number, raw in enumerate(lines, start=1):
        if len(raw) > max_line_bytes:
            yield number, f"line is {len(raw)} bytes, more than the limit of {max_line_bytes}"
            continue
        if not raw.strip():
            continue
        try:
            yield number, _line_decoder.decode(raw)
        except msgspec.ValidationError as exc:
            yield number, f"invalid product: {exc}"
        except msgspec.DecodeError as exc:
            yield number, f"malformed JSON: {exc}"


def _row(line: ImportLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "name": line.name,
        "description": line.description,
        "price": line.price,
        "currency": line.currency,
        "category": line.category,
        "stock": line.stock,
    }


def import_products(
    database: Any,
    parsed: Iterable[tuple[int, ImportLine | str]],
    resolve_images: Callable[[ImportLine], list[str]],
    *,
    all_or_nothing: bool = False,
    on_line: Callable[[], None] | None = None,
) -> ImportReport:
    """Upsert every good line; ``resolve_images`` turns a line's image names into stored image ids or raises.

    With ``all_or_nothing`` (the HTTP import) any bad line raises BadImport and nothing is written;
    otherwise (the CLI) bad lines are reported and skipped whole, good lines go in batches.
    """
    report = ImportReport()
    batch: list[tuple[ImportLine, list[str]]] = []

    def flush() -> None:
        if not batch:
            return
        now = now_iso()
        with database.write() as db:
            # In id order (stable: a repeated id's last line still wins), as checkout locks products in SKU order:
            # two imports, or an import and a checkout, sharing products then lock them in the same order instead of
            # deadlocking on PostgreSQL.
            for line, images in sorted(batch, key=lambda entry: entry[0].id):
                outcome = store.upsert_product(db, _row(line), images, now)
                setattr(report, outcome, getattr(report, outcome) + 1)
        batch.clear()

    ready: list[tuple[ImportLine, list[str]]] = []
    for number, item in parsed:
        if on_line:
            on_line()
        if isinstance(item, str):
            report.problems.append((number, item))
            continue
        try:
            images = resolve_images(item)
        except ValueError as exc:  # the media room's BadImage and missing files are ValueErrors here
            report.problems.append((number, str(exc)))
            continue
        if all_or_nothing:
            ready.append((item, images))
            continue
        batch.append((item, images))
        if len(batch) >= BATCH:
            flush()
    if all_or_nothing:
        if report.problems:
            raise BadImport(f"{len(report.problems)} bad line(s); nothing was imported", report.problems)
        batch.extend(ready)
    flush()
    return report


def read_image_file(images_dir: Path, name: str, max_bytes: int) -> bytes:
    """The bytes of ``name`` inside ``images_dir``; ValueError if it is outside, missing or too large."""
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise ValueError(f"image {name!r}: a file name, not a path, is expected")
    path = images_dir / name
    try:
        size = path.stat().st_size
    except OSError:
        raise ValueError(f"image {name!r}: no such file in {images_dir}") from None
    if not path.is_file():
        raise ValueError(f"image {name!r}: not a regular file")
    if size > max_bytes:
        raise ValueError(f"image {name!r}: {size} bytes is more than the limit of {max_bytes}")
    return path.read_bytes()
