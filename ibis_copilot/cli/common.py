"""What every command shares: the parser class, settings, JSON output, reading input."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from ibis_copilot.errors import BadRequestError
from ibis_copilot.settings import IbisCopilot, load_settings

PROG = "ibis-copilot"


class CommandError(BadRequestError):
    """A usage problem reported as one line, with exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 1 with one readable line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: error: {message}\n")


def settings() -> IbisCopilot:
    """The settings the Jupyter server would use: its config files, then the environment."""
    return load_settings().settings


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def read_source(file: str) -> tuple[str, str]:
    """The text of FILE (``-``: stdin) and the name to show for it."""
    if file == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error.strerror}") from None
