"""`--postgres` for the bench scripts: a throwaway PostgreSQL cluster (tests/pg_cluster.py) and a fresh database."""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

from tests.pg_cluster import Cluster


@contextlib.contextmanager
def postgres_url(enabled: bool) -> Iterator[str | None]:
    """With ``enabled``: LASTMILE_DATABASE_URL set to a new database of a cluster started here (stopped after)."""
    if not enabled:
        yield None
        return
    cluster = Cluster().start()
    try:
        cluster.execute("CREATE DATABASE bench")
        url = cluster.url("bench")
        previous = os.environ.get("LASTMILE_DATABASE_URL")
        os.environ["LASTMILE_DATABASE_URL"] = url  # the servers and seed commands inherit it
        try:
            yield url
        finally:
            if previous is None:
                os.environ.pop("LASTMILE_DATABASE_URL", None)
            else:
                os.environ["LASTMILE_DATABASE_URL"] = previous
    finally:
        cluster.stop()
