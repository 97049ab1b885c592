"""SQL of the media room: images (content-addressed originals) and their encoded variants."""

from __future__ import annotations

from typing import Any

from clock.cache_signal import count_steps, notify_steps

DOMAIN = "media"

CACHED_TABLES = ("images", "variants")
"""Product responses embed images and their variants: every process's product cache drops them on a change."""

MIGRATIONS: list[tuple[int, str, list[str | dict]]] = [
    (
        1,
        "images",
        [
            """CREATE TABLE images (
                id TEXT PRIMARY KEY,            -- sha256 of the original bytes (content address)
                format TEXT NOT NULL,           -- Pillow format name of the original
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                original_path TEXT NOT NULL,    -- relative to the data dir
                placeholder TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
            )""",
        ],
    ),
    (
        2,
        "variants",
        [
            """CREATE TABLE variants (
                image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
                width INTEGER NOT NULL,         -- the configured width that names it in URLs
                format TEXT NOT NULL,           -- avif | webp | jpg
                pixel_width INTEGER NOT NULL,   -- actual size (smaller than width for small originals)
                pixel_height INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                etag TEXT NOT NULL,             -- strong validator of the file's bytes
                path TEXT NOT NULL,             -- relative to the data dir
                PRIMARY KEY (image_id, width, format)
            ) WITHOUT ROWID""",
        ],
    ),
    (3, "change signal", notify_steps(CACHED_TABLES)),
    (4, "change count on SQLite", count_steps(CACHED_TABLES)),
]


def put_image(db: Any, *, id: str, format: str, width: int, height: int, size: int, original_path: str) -> None:
    """Record an original once; the same content address again changes nothing."""
    db.execute(
        "INSERT INTO images (id, format, width, height, bytes, original_path) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        [id, format, width, height, size, original_path],
    )


def get_images(db: Any, ids: list[str]) -> dict[str, dict]:
    """The image rows for these ids, keyed by id (missing ids are absent)."""
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    rows = db.query(f"SELECT * FROM images WHERE id IN ({marks})", ids)
    return {row["id"]: row for row in rows}


def record_processed(db: Any, *, id: str, format: str, width: int, height: int, size: int, original_path: str,
                     placeholder: str, variants: list[dict]) -> None:
    """Record an original (display size, placeholder) and the variants written for it; re-recording replaces them."""
    put_image(db, id=id, format=format, width=width, height=height, size=size, original_path=original_path)
    db.execute("UPDATE images SET width = ?, height = ?, placeholder = ? WHERE id = ?", [width, height, placeholder, id])
    for v in variants:
        db.execute(
            "INSERT INTO variants (image_id, width, format, pixel_width, pixel_height, bytes, etag, path)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (image_id, width, format) DO UPDATE SET pixel_width = excluded.pixel_width,"
            " pixel_height = excluded.pixel_height, bytes = excluded.bytes, etag = excluded.etag, path = excluded.path",
            [id, v["width"], v["format"], v["pixel_width"], v["pixel_height"], v["bytes"], v["etag"], v["path"]],
        )


def get_variants(db: Any, ids: list[str]) -> dict[str, list[dict]]:
    """Every recorded variant of these images, by image id, ordered by width then format."""
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    rows = db.query(
        f"SELECT image_id, width, format, pixel_width, pixel_height, bytes FROM variants WHERE image_id IN ({marks})"
        " ORDER BY image_id, width, format",
        ids,
    )
    result: dict[str, list[dict]] = {i: [] for i in ids}
    for row in rows:
        result[row["image_id"]].append(row)
    return result


def get_variant(db: Any, image_id: str, width: int, format: str) -> dict | None:
    """One variant's row (path, bytes, etag), or None."""
    rows = list(db.query(
        "SELECT * FROM variants WHERE image_id = ? AND width = ? AND format = ?", [image_id, width, format]))
    return rows[0] if rows else None


def variant_formats(db: Any, image_id: str) -> dict[str, int]:
    """How many variants each format has for an image."""
    rows = db.query("SELECT format, count(*) AS n FROM variants WHERE image_id = ? GROUP BY format", [image_id])
    return {row["format"]: row["n"] for row in rows}


def all_images(db: Any) -> list[dict]:
    """id, original path and display size of every image (for rebuilds)."""
    return list(db.query("SELECT id, original_path, width, height FROM images ORDER BY id"))
