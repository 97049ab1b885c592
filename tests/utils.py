"""Plain helpers the tests share (import them; never import from another test module)."""

from __future__ import annotations

from pathlib import Path


def raw_database_bytes(path: Path) -> bytes:
    """The bytes of the SQLite file and its -wal file as they sit on disk (no checkpoint first)."""
    return b"".join(Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists())
