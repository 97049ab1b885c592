"""`lastmile sync-maintenance`: prune old tombstones, expired device and operator tokens, old sign-in attempts (daily)."""

from __future__ import annotations

import argparse
import time

from accounts import store as accounts_store
from operators import service as operators_service
from server.cli.commands import command
from server.cli.database import opened_database
from server.http.roles import operator_policy
from server.settings import Settings
from sync import engine


ACTIVE_DAYS_KEPT = 100
"""Days of device activity kept: the dashboard's longest trend is 90 days."""


def _cmd_maintenance(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database:
        now = time.time()
        pruned = engine.prune_tombstones(database, settings.sync_tombstone_days, now=now)
        with database.write() as db:
            expired = accounts_store.delete_expired_devices(
                db, int(now - settings.token_idle_days * 86_400), int(now - settings.token_max_days * 86_400)
            )
            accounts_store.prune_attempts(db, now - settings.login_window_seconds)
            accounts_store.prune_active_days(db, int(now) // 86_400 - ACTIVE_DAYS_KEPT)
        operators_service.prune(database, operator_policy(settings), now)
    print(f"sync-maintenance: {pruned} tombstones pruned, {expired} expired devices signed out")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the sync/accounts maintenance subcommand."""
    command(sub, "sync-maintenance", _cmd_maintenance, "prune sync tombstones, expired tokens and old login attempts")
