"""Row helpers the rooms' store and service modules share (below every room, like the clock: it imports none).

A row is what ``db.query`` yields on either store (SQLite or PostgreSQL): a dict of column name to value.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, TypeVar

T = TypeVar("T")


def one(db: Any, sql: str, params: Iterable[Any] | Mapping[str, Any]) -> dict | None:
    """The first row of a query, or None."""
    rows = list(db.query(sql, params if isinstance(params, Mapping) else list(params)))
    return rows[0] if rows else None


def from_row(struct: type[T], row: Mapping[str, Any], **computed: Any) -> T:
    """A Struct whose fields are the row's columns of the same names, but for those ``computed`` gives.

    A field with a default may be missing from the row (an older query, a column added later): it keeps its
    default. Columns that name no field are left out.
    """
    names = struct.__struct_fields__  # type: ignore[attr-defined]
    taken = {name: row[name] for name in names if name in row and name not in computed}
    return struct(**taken, **computed)


def column(db: Any, sql: str, params: Iterable[Any] | None = None) -> list:
    """The first column of every row of a query, in the query's order."""
    return [row[0] for row in db.execute(sql, params).fetchall()]
