"""How a command module adds its commands: `command_group` for `lastmile NAME <command>`, `command` for each one."""

from __future__ import annotations

import argparse
from typing import Callable

from server.settings import Settings

Run = Callable[[Settings, argparse.Namespace], int]
"""What a command runs: ``func(settings, args)``, returning the exit status."""


def command_group(sub: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    """`lastmile NAME <command>` (the command required); add the group's commands to what this returns."""
    return sub.add_parser(name, help=help).add_subparsers(dest=f"{name}_command", required=True)


def command(commands: argparse._SubParsersAction, name: str, func: Run, help: str) -> argparse.ArgumentParser:
    """A command that runs ``func(settings, args)``; add its options to the parser this returns."""
    parser = commands.add_parser(name, help=help)
    parser.set_defaults(func=func)
    return parser
