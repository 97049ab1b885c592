"""The `lastmile` command: every command group's module, assembled here in one list."""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from accounts.vault import KeyringError
from server.cli import alerts, catalog, keys, loyalty, media, operator, retention, serve, sync, verify
from server.data_keys import install_data_keys
from server.settings import SettingsError, load_settings

# Each group adds its subcommands: register(subparsers) -> None.
Registrar = Callable[[argparse._SubParsersAction], None]
REGISTRARS: tuple[Registrar, ...] = (
    serve.register,
    catalog.register,
    sync.register,
    media.register,
    loyalty.register,
    retention.register,
    keys.register,
    operator.register,
    alerts.register,
    verify.register,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every room's subcommands."""
    parser = argparse.ArgumentParser(prog="lastmile", description="Lastmile: serve the shop and run its operator jobs.")
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
    try:
        install_data_keys(settings)
    except KeyringError as exc:
        print(f"lastmile: bad data keys: {exc}", file=sys.stderr)
        return 2
    return args.func(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
