"""The shop's database as one command holds it: opened when the command starts, closed when it ends."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from server.db import Database
from server.settings import Settings
from server.stores import open_database


@contextmanager
def opened_database(settings: Settings) -> Iterator[Database]:
    """The migrated database for ``settings``, closed on the way out (an error or an early return included)."""
    database = open_database(settings)
    try:
        yield database
    finally:
        database.close()
