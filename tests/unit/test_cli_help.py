"""`lastmile ... --help` prints for every command group and command (argparse %-formats each help text)."""

from __future__ import annotations

import argparse

import pytest

from server.cli.main import build_parser


def _commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()):
    yield words
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*words, name))


@pytest.mark.parametrize("words", list(_commands(build_parser())), ids=lambda words: " ".join(("lastmile", *words)))
def test_every_help_prints(words, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*words, "--help"])
    assert 0 == exited.value.code
    assert capsys.readouterr().out.startswith(f"usage: {' '.join(('lastmile', *words))}")
