"""The change signal product caches listen to, as migration steps for the tables a room's product responses show.

A room lists those tables once (``CACHED_TABLES`` in its store) and its migrations add both signals from it:
on PostgreSQL a statement trigger NOTIFYs every process (server/postgres.py's ``lastmile_notify_change``);
on SQLite a row trigger counts the change in ``cache_changes`` (server/db.py), which every worker looks at.
The PostgreSQL database also matches its own statements against the same lists (``PostgresDatabase.migrate``).
"""

from __future__ import annotations

from typing import Iterable

EVENTS = ("INSERT", "UPDATE", "DELETE")


def notify_steps(tables: Iterable[str]) -> list[dict[str, str]]:
    """PostgreSQL: one statement trigger per table that sends the change signal."""
    return [
        {"postgresql": f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
                       " FOR EACH STATEMENT EXECUTE FUNCTION lastmile_notify_change()"}
        for table in tables
    ]


def count_steps(tables: Iterable[str]) -> list[dict[str, str]]:
    """SQLite: a trigger per table and event that counts the change in ``cache_changes``."""
    return [
        {"sqlite": f"CREATE TRIGGER {table}_{event.lower()}_counted AFTER {event} ON {table}"
                   " BEGIN UPDATE cache_changes SET n = n + 1; END"}
        for table in tables for event in EVENTS
    ]
