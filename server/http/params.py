"""The one bound on integers in paths and queries: ids are 63-bit like the database's, past that is a 400."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter, PathParameter

MAX_ID = 2**63 - 1
"""The largest id or integer a path or query may carry (SQLite INTEGER, PostgreSQL BIGINT)."""

Id = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="a positive 64-bit id")]
"""Every `{name:int}` path parameter."""

After = Annotated[int, Parameter(ge=0, le=MAX_ID, description="the last id of the previous page (0 = from the start)")]
"""A keyset position in a query."""

__all__ = ["MAX_ID", "Id", "After"]
