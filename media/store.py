"""SQL of the media room: images (content-addressed originals) and, later, their variants."""

from __future__ import annotations

from typing import Any

DOMAIN = "media"

MIGRATIONS: list[tuple[int, str, list[str]]] = [
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
