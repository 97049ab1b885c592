"""`lastmile keys status|rotate|retire`: the data keys that seal personal data at rest."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from accounts import key_rotation, vault
from server.cli.commands import command, command_group
from server.cli.database import opened_database
from server.settings import Settings
from server.stores import STORES


def _specs() -> tuple:
    return tuple(spec for store in STORES for spec in getattr(store, "SEALED", ()))


def _cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database:
        keyring = vault.installed()
        source = "LASTMILE_DATA_KEYS" if settings.data_keys else str(settings.data_dir / vault.KEY_FILE)
        print(f"keys: current {keyring.current.kid}, readable {', '.join(k.kid for k in keyring.keys)} (from {source})")
        for name, n in key_rotation.stale_counts(database, _specs()).items():
            print(f"{name}: {n} not yet under {keyring.current.kid}")
    return 0


def _cmd_rotate(settings: Settings, args: argparse.Namespace) -> int:
    with opened_database(settings) as database:
        if settings.data_keys:
            # The operator put the new key first in LASTMILE_DATA_KEYS; the values follow it here.
            keyring = vault.installed()
        else:
            keyring = key_rotation.add_file_key(settings.data_dir)
        specs = _specs()
        total = sum(key_rotation.stale_counts(database, specs).values())
        with tqdm(total=total, unit="value", desc=f"re-seal under {keyring.current.kid}", disable=args.quiet) as bar:
            moved = key_rotation.reseal_everything(database, specs, progress=bar.update)
    old = [k.kid for k in keyring.keys[1:]]
    print(f"keys rotate: {moved} values now sealed under {keyring.current.kid}", end="")
    if old:
        hint = "drop them from LASTMILE_DATA_KEYS" if settings.data_keys else "`lastmile keys retire` drops them"
        print(f"; older keys {', '.join(old)} stay readable until then: restart the servers, then {hint}")
    else:
        print()
    return 0


def _cmd_retire(settings: Settings, args: argparse.Namespace) -> int:
    if settings.data_keys:
        print("keys retire: the keys come from LASTMILE_DATA_KEYS; remove old ones there", file=sys.stderr)
        return 2
    with opened_database(settings) as database:
        try:
            dropped = key_rotation.retire_old_keys(database, settings.data_dir, _specs())
        except vault.VaultError as exc:
            print(f"keys retire: {exc}", file=sys.stderr)
            return 1
    print(f"keys retire: dropped {', '.join(dropped) or 'nothing'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `keys status|rotate|retire`."""
    commands = command_group(sub, "keys", "data keys sealing personal data at rest")
    command(commands, "status", _cmd_status, "the keys, and values not yet under the current key")
    rotate = command(commands, "rotate", _cmd_rotate, "a new current key (key file), every value re-sealed under it")
    rotate.add_argument("--quiet", action="store_true", help="no progress bar")
    command(commands, "retire", _cmd_retire, "drop older keys from the key file once nothing needs them")
