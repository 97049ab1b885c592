"""`lastmile serve`: migrate once, then run uvicorn (httptools + uvloop) with the configured workers."""

from __future__ import annotations

import argparse

import uvicorn

from server.cli.commands import command
from server.settings import Settings
from server.stores import open_database


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    # Migrate once here, so several workers do not race to create the schema.
    open_database(settings).close()
    uvicorn.run(
        "server.app:app_from_env",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        # httptools + uvloop serve ~3x the requests of h11 + asyncio here (docs/performance.md, API).
        http="httptools",
        loop="uvloop",
        log_level="info",
        access_log=False,
        proxy_headers=False,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `serve`."""
    serve = command(sub, "serve", _cmd_serve, "serve HTTP (LASTMILE_HOST/LASTMILE_PORT)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
