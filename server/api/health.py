"""`GET /health`: is the process up and can it read the database."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException

from server.db import Database
from server.http.api_description import problems


class Health(msgspec.Struct):
    """Liveness and database reachability."""

    status: str
    database: str


@get("/health", sync_to_thread=True, tags=["operations"], cache_control=None, summary="Liveness and database check",
     responses=problems(503))
def health(database: NamedDependency[Database]) -> Health:
    """200 when the database answers a query, a 503 problem otherwise."""
    try:
        database.ping()
    except Exception:
        raise ServiceUnavailableException("the database is not answering") from None
    return Health(status="ok", database="ok")
