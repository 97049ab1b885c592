"""`lastmile alerts check`: run the anomaly rules (cron it every minute), post changes to the webhook, prune counters."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

from clock import iso
from insights import alerts, store
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.settings import Settings

KEEP_DAYS = 90  # the dashboard's longest trend
WEBHOOK_TIMEOUT = 5


def _post(url: str, payload: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "lastmile-alerts"})
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
        response.read(1024)


def _cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    now = datetime.now(timezone.utc)
    with opened_database(settings) as database:
        verdicts = alerts.evaluate(database, now)
        # Only the process whose write flipped a state reports it, so two cron hosts never post twice.
        changed = alerts.record(database, verdicts, now)
        failed = 0
        for alert in changed:
            print(f"alert {alert.name} {'on' if alert.on else 'off'}: {alert.detail()}")
            if settings.alert_webhook_url:
                try:
                    _post(settings.alert_webhook_url, {"alert": alert.name, "on": alert.on, "figures": alert.params,
                                                        "at": iso(now)})
                except OSError as exc:
                    failed += 1
                    print(f"alerts: the webhook did not take alert {alert.name}: {type(exc).__name__}", file=sys.stderr)
                    continue
                with database.write() as db:
                    store.mark_notified(db, alert.name, iso(now))
        before = int((now - timedelta(days=KEEP_DAYS)).timestamp()) // 60
        with database.write() as db:
            store.prune(db, before)
            store.prune_named(db, before)
        on = [a.name for a in verdicts if a.on]
        print(f"alerts: {len(on)} on{': ' + ', '.join(on) if on else ''}")
        return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `alerts check`."""
    commands = command_group(sub, "alerts", "anomaly alerts of the dashboard")
    command(commands, "check", _cmd_check, "evaluate the rules, post changes to LASTMILE_ALERT_WEBHOOK_URL")
