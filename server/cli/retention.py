"""`lastmile retention run|report` and `lastmile push test --email E`."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone

import msgspec
from tqdm import tqdm

from accounts import service as accounts_service
from clock import iso
from retention import email_store, facts, push_store
from retention.delivery import deliver_due
from retention.email_delivery import deliver_email_due
from retention.planner import enqueue_message
from retention.run import run_retention
from retention.tracking import format_report, report
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.cli.exclusive import busy
from server.push_runtime import email_sender, push_runtime
from server.settings import Settings


def _run_once(settings: Settings, args: argparse.Namespace) -> int:
    runtime = push_runtime(settings)
    now = datetime.now(timezone.utc)
    emails = None
    with opened_database(settings) as database, database.exclusive("retention-run") as alone:
        if not alone:  # deliveries are claimed with SKIP LOCKED anyway; scoring twice is only waste
            return busy("retention run")
        total = accounts_service.shopper_count(database.read())
        sender = None if args.no_send else runtime.sender()
        try:
            with tqdm(total=total, unit="shopper", desc="segments+triggers", disable=args.quiet) as bar:
                report = run_retention(database, runtime.config, now, facts.collect, sender=None, progress=bar.update)
            if sender is not None:
                due = push_store.pending_count(database.read(), iso(now))
                with tqdm(total=due, unit="push", desc="deliveries", disable=args.quiet) as bar:
                    report.delivery = deliver_due(database, sender, now=now, progress=bar.update)
            mailer = None if args.no_send else email_sender(settings)
            if mailer is not None:
                due = email_store.pending_count(database.read(), iso(now))
                with tqdm(total=due, unit="email", desc="emails", disable=args.quiet) as bar:
                    emails = deliver_email_due(database, mailer, now=now, progress=bar.update)
        finally:
            if sender is not None:
                sender.close()
    segments = ", ".join(f"{k} {v}" for k, v in sorted(report.segments.items())) or "none"
    messages = ", ".join(f"{k} {v}" for k, v in sorted(report.messages.items())) or "none"
    print(f"retention run: {report.shoppers} shoppers ({segments}); new messages: {messages}; skipped: {report.errors}")
    if report.delivery is not None:
        d = report.delivery
        print(f"deliveries: {d.sent} sent, {d.accepted} accepted, {d.retried} to retry, {d.gone} gone, "
              f"{d.failed} failed, {d.rejected} rejected, {d.lost} lost claims")
    if emails is not None:
        print(f"emails: {emails.sent} sent, {emails.retried} to retry, {emails.rejected} rejected, {emails.failed} failed, "
              f"{emails.dropped} dropped (consent withdrawn), {emails.lost} lost claims")
    return 0


def _cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not args.every:
        return _run_once(settings, args)
    while True:  # a simple scheduler for one host; Ctrl-C stops it
        _run_once(settings, args)
        time.sleep(args.every)


def _cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database, database.snapshot() as db:
        rows = report(db)
    if args.json:
        print(msgspec.json.encode(rows).decode())
    else:
        print(format_report(rows) if rows else "no messages yet")
    return 0


def _cmd_push_test(settings: Settings, args: argparse.Namespace) -> int:
    runtime = push_runtime(settings)
    now = datetime.now(timezone.utc)
    with opened_database(settings) as database:
        user_id = accounts_service.shopper_id(database.read(), args.email)
        if user_id is None:
            print(f"push test: no shopper with email {args.email}", file=sys.stderr)
            return 2
        if not push_store.user_subscriptions(database.read(), user_id):
            print("push test: that shopper has no push subscription on any device", file=sys.stderr)
            return 1
        # A test goes out now: no quiet hours, no caps.
        config = replace(runtime.config, quiet_hours=(0, 0), cap_per_day=10**6, cap_per_week=10**6)
        with database.write() as db:
            enqueue_message(db, user_id=user_id, trigger="test", dedupe=f"test:{now.isoformat()}", context={},
                            campaign=None, now=now, config=config)
        sender = runtime.sender()
        try:
            result = deliver_due(database, sender, now=now)
        finally:
            sender.close()
    print(f"push test: {result.accepted} of {result.sent} devices accepted; statuses {result.statuses}; {result.gone} gone")
    return 0 if result.accepted else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add `retention run`, `retention report` and `push test`."""
    commands = command_group(sub, "retention", "segments, triggers, campaigns and push delivery")
    run = command(commands, "run", _cmd_run, "score shoppers, fire triggers and campaigns, send due notifications")
    run.add_argument("--no-send", action="store_true", help="plan only; leave deliveries in the outbox")
    run.add_argument("--every", type=int, default=0, metavar="SECONDS", help="repeat every SECONDS (a simple scheduler)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    report = command(commands, "report", _cmd_report,
                     "funnel, conversion (95%% interval), lift p-value, winner and ROI per arm")
    report.add_argument("--json", action="store_true", help="the rows as JSON (as GET /api/admin/retention/report)")

    push = command_group(sub, "push", "web push tools")
    test = command(push, "test", _cmd_push_test, "send a test notification to a shopper's devices")
    test.add_argument("--email", required=True)
