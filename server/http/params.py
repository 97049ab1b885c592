"""Path and query parameter types: the one bound on integers (ids are 63-bit like the database's, past that is a
400), keyset positions, and a word out of a fixed list."""

from __future__ import annotations

from typing import Annotated, Any, Sequence

from litestar.params import Parameter, PathParameter

MAX_ID = 2**63 - 1
"""The largest id or integer a path or query may carry (SQLite INTEGER, PostgreSQL BIGINT)."""

Id = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="a positive 64-bit id")]
"""Every `{name:int}` path parameter."""

After = Annotated[int, Parameter(ge=0, le=MAX_ID, description="the last id of the previous page (0 = from the start)")]
"""A keyset position in a query."""

Before = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
"""A keyset position in a query of a list newest first: the last id of the previous page (None = from the newest)."""


def one_of(values: Sequence[str]) -> Any:
    """A query parameter that is absent or one of ``values`` (anything else is a 400); e.g. ``one_of(STATUSES)``."""
    return Annotated[str | None, Parameter(pattern=f"^({'|'.join(values)})$")]


__all__ = ["MAX_ID", "Id", "After", "Before", "one_of"]
