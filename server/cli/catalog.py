"""`lastmile import-catalog` and `lastmile seed-demo`: products and their photos from a JSONL file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

import clock

from accounts.service import demo_password_hash
from catalog import store as catalog_store
from catalog.demo import DEMO_CURRENCIES, write_demo_catalog
from catalog.file_import import image_names, import_file
from loyalty.demo import seed_rewards
from insights.demo import seed_traffic
from recs import service as recs_service
from retention import facts
from retention.run import run_retention
from retention.demo import DEMO_PASSWORD, seed_shoppers
from retention.demo_calendar import seed_holidays
from retention.demo_push import DAYS_AGO, seed_push_history
from server.cli.commands import command
from server.cli.database import opened_database
from server.cli.operator import DEMO_OPERATOR, seed_demo_operator
from server.push_runtime import push_runtime
from server.settings import Settings


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    source: Path = args.file
    if not source.is_file():
        print(f"import-catalog: {source} is not a file", file=sys.stderr)
        return 2
    images_dir: Path = args.images or source.parent
    names = image_names(source, settings.max_import_line_bytes)
    with opened_database(settings) as database, tqdm(
        total=len(names), unit="img", desc="images", disable=args.quiet or not names
    ) as images_bar, tqdm(total=source.stat().st_size, unit="B", unit_scale=True, desc="import", disable=args.quiet) as bar:
        report = import_file(
            database, settings.media_root, source, images_dir, names=names,
            max_line_bytes=settings.max_import_line_bytes, max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels, workers=settings.media_workers,
            on_image=images_bar.update, on_bytes=bar.update,
        )
    for number, message in report.problems:
        print(f"{source}:{number}: skipped: {message}", file=sys.stderr)
    print(
        f"imported {source}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} skipped"
    )
    return 1 if report.problems else 0


def _cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database:
        count = catalog_store.count_products(database.read())
    if args.if_empty and count:
        print(f"seed-demo: the catalog already has {count} products; leaving it as it is")
        return 0
    demo_dir = settings.data_dir / "demo"
    jsonl = write_demo_catalog(demo_dir, count=args.count, seed=args.seed, quiet=args.quiet, currency=args.currency)
    status = _cmd_import(settings, argparse.Namespace(file=jsonl, images=demo_dir, quiet=args.quiet))
    with opened_database(settings) as database:
        seed_demo_data(settings, database, clock.now(), shoppers=args.shoppers, seed=args.seed,
                       currency=args.currency, quiet=args.quiet)
    return status


DEMO_DAYS = 90


def seed_demo_data(settings: Settings, database, now, *, shoppers: int, seed: int = 7, currency: str = "EUR",
                   quiet: bool = True) -> None:
    """Everything of the demo after its catalog: the points mall, shoppers with their histories, devices and push
    subscriptions, traffic, segments, a campaign that ran, and the console's owner."""
    config = push_runtime(settings).config
    print(f"seed-demo: {seed_rewards(database, currency=currency)} reward(s) added to the points mall")
    if shoppers:
        # One scrypt hash shared by every demo shopper: thousands of hashes would take minutes.
        shared = demo_password_hash(DEMO_PASSWORD, settings.scrypt_n)
        with tqdm(total=shoppers, unit="shopper", desc="demo shoppers", disable=quiet) as bar:
            made = seed_shoppers(database, shoppers, now, password_hash=shared, seed=seed, progress=bar.update,
                                 currency=currency, push=config)
        print(f"seed-demo: {made} demo shopper(s) with order and browse histories, devices and points spent"
              f" (sign in as shopper1@demo.lastmile.invalid, password {DEMO_PASSWORD})")
    with database.write() as db:
        added = seed_holidays(db, now.date())
    listed = ", ".join(f"{name} on {day.isoformat()}" for _, name, day, _ in added) or "kept as it was"
    print(f"seed-demo: holiday calendar: {listed}")
    info = recs_service.refresh(database, now)  # "for you" works at once; `lastmile recs refresh` keeps it fresh
    print(f"seed-demo: recommendations learnt from {info.shoppers} shopper(s), {info.items} item(s) with neighbours")
    seed_traffic(database, now, days=DEMO_DAYS)
    print(f"seed-demo: {DEMO_DAYS} days of API and sync traffic for the dashboard's charts")
    # Segments and the messages their triggers plan, as `lastmile retention run` (run it regularly) would.
    scored = run_retention(database, config, now, facts.collect, sender=None)
    segments = ", ".join(f"{k} {v}" for k, v in sorted(scored.segments.items())) or "none"
    print(f"seed-demo: shoppers scored into segments ({segments})")
    pushed = seed_push_history(database, config, now, seed=seed, currency=currency,
                               factor=DEMO_CURRENCIES.get(currency, 1))
    print(f"seed-demo: a push campaign {DAYS_AGO} days ago: {pushed.messages} message(s), {pushed.accepted} delivered,"
          f" {pushed.shown} shown, {pushed.clicked} clicked, {pushed.redeemed} redeemed")
    credentials = seed_demo_operator(settings, database)
    if credentials is None:
        print(f"seed-demo: the demo console owner {DEMO_OPERATOR} exists already")
    else:
        print(f"seed-demo: console owner {DEMO_OPERATOR}: password and TOTP secret in {credentials} (0600);"
              " sign in at /admin/signin (`lastmile operator demo-code` prints the current code)")


def _bounded(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be from {lo} to {hi}")
        return value

    return parse


def register(sub: argparse._SubParsersAction) -> None:
    """Add `import-catalog` and `seed-demo`."""
    imp = command(sub, "import-catalog", _cmd_import, "import products from a JSONL file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--images", type=Path, help="folder holding the image files the lines name")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")

    seed = command(sub, "seed-demo", _cmd_seed_demo, "generate and import the demo catalog with photo-like images")
    seed.add_argument("--if-empty", action="store_true", help="do nothing when products exist")
    seed.add_argument("--count", type=_bounded(1, 10_000), default=72, help="demo products")
    seed.add_argument("--shoppers", type=_bounded(0, 100_000), default=2000,
                      help="demo shoppers with order and browse histories")
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--quiet", action="store_true")
    seed.add_argument("--currency", choices=sorted(DEMO_CURRENCIES), default="EUR",
                      help="price the demo in this currency (CNY for the shop's Chinese programme)")
