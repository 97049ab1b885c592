"""`lastmile media rebuild`: (re)build every image's variants on all cores, with a progress bar."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from media import store as media_store
from media.batch import build_images
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.settings import Settings


def _cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database:
        rows = {row["id"]: row for row in media_store.all_images(database.read())}

        def load(image_id: str) -> bytes:
            try:
                return (settings.media_root / rows[image_id]["original_path"]).read_bytes()
            except OSError:
                raise ValueError(f"{image_id}: the original file is missing") from None

        with tqdm(total=len(rows), unit="img", desc="rebuild", disable=args.quiet) as bar:
            results = build_images(
                database, settings.media_root, list(rows), load,
                max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels,
                workers=settings.media_workers, force=not args.missing, on_done=bar.update,
            )
    failed = {k: v for k, v in results.items() if isinstance(v, ValueError)}
    for image_id, error in failed.items():
        print(f"media rebuild: {error}", file=sys.stderr)
    print(f"rebuilt {len(results) - len(failed)} image(s), {len(failed)} failed")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `lastmile media ...`."""
    commands = command_group(sub, "media", "image variants")
    rebuild = command(commands, "rebuild", _cmd_rebuild, "rebuild the variants of every image (all cores)")
    rebuild.add_argument("--missing", action="store_true", help="only build variants that do not exist yet")
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
