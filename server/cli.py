"""The `lastmile` command: serve, import the catalog, seed the demo; rooms add their own subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from tqdm import tqdm

from .cli_loyalty import register as register_loyalty
from .cli_media import register as _register_media
from .cli_sync import register as register_sync
from .settings import Settings, SettingsError, load_settings

# Each entry adds subcommands: register(subparsers) -> None. Rooms append theirs in their own module.
Registrar = Callable[[argparse._SubParsersAction], None]


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from .stores import open_database

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


def _image_names(source: Path, max_line_bytes: int) -> list[str]:
    """Every image name the good lines of an import file mention, once each, in order."""
    from catalog.importer import parse_lines

    with source.open("rb") as f:
        names = (name for _, item in parse_lines((raw.rstrip(b"\r\n") for raw in f), max_line_bytes)
                 if not isinstance(item, str) for name in item.images)
        return list(dict.fromkeys(names))


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from catalog.importer import import_products, parse_lines, read_image_file
    from catalog.models import ImportLine
    from media.batch import build_images

    from .stores import open_database

    source: Path = args.file
    if not source.is_file():
        print(f"import-catalog: {source} is not a file", file=sys.stderr)
        return 2
    images_dir: Path = args.images or source.parent
    database = open_database(settings)

    # First every image on all cores (bounded window), then the products in batches.
    names = _image_names(source, settings.max_import_line_bytes)
    with tqdm(total=len(names), unit="img", desc="images", disable=args.quiet or not names) as bar:
        built = build_images(
            database,
            settings.data_dir,
            names,
            lambda name: read_image_file(images_dir, name, settings.max_upload_bytes),
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
            workers=settings.media_workers,
            on_done=bar.update,
        )

    def resolve(line: ImportLine) -> list[str]:
        ids = []
        for name in line.images:
            outcome = built[name]
            if isinstance(outcome, ValueError):
                raise outcome
            ids.append(outcome)
        return ids

    with source.open("rb") as f, tqdm(
        total=source.stat().st_size, unit="B", unit_scale=True, desc="import", disable=args.quiet
    ) as bar:

        def lines():
            for raw in f:
                bar.update(len(raw))
                yield raw.rstrip(b"\r\n")

        report = import_products(database, parse_lines(lines(), settings.max_import_line_bytes), resolve)
    database.close()
    for number, message in report.problems:
        print(f"{source}:{number}: skipped: {message}", file=sys.stderr)
    print(
        f"imported {source}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.skipped} skipped"
    )
    return 1 if report.problems else 0


def _cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from catalog import store as catalog_store
    from catalog.demo import write_demo_catalog

    from .stores import open_database

    database = open_database(settings)
    count = catalog_store.count_products(database.read())
    database.close()
    if args.if_empty and count:
        print(f"seed-demo: the catalog already has {count} products; leaving it as it is")
        return 0
    demo_dir = settings.data_dir / "demo"
    jsonl = write_demo_catalog(demo_dir, count=args.count, seed=args.seed, quiet=args.quiet)
    status = _cmd_import(settings, argparse.Namespace(file=jsonl, images=demo_dir, quiet=args.quiet))
    from loyalty.demo import seed_rewards

    database = open_database(settings)
    print(f"seed-demo: {seed_rewards(database)} reward(s) added to the points mall")
    database.close()
    return status


def _register_core(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="serve HTTP (LASTMILE_HOST/LASTMILE_PORT)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.set_defaults(func=_cmd_serve)

    imp = sub.add_parser("import-catalog", help="import products from a JSONL file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--images", type=Path, help="folder holding the image files the lines name")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=_cmd_import)

    seed = sub.add_parser("seed-demo", help="generate and import the demo catalog with photo-like images")
    seed.add_argument("--if-empty", action="store_true", help="do nothing when products exist")
    seed.add_argument("--count", type=int, default=72)
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--quiet", action="store_true")
    seed.set_defaults(func=_cmd_seed_demo)


REGISTRARS: list[Registrar] = [
    _register_core,
    register_sync,
    _register_media,
    register_loyalty,
]


from .cli_retention import register as register_retention  # noqa: E402

REGISTRARS.append(register_retention)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every room's subcommands."""
    parser = argparse.ArgumentParser(prog="lastmile", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"lastmile: bad setting: {exc}", file=sys.stderr)
        return 2
    return args.func(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
