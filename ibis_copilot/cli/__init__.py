"""The ``ibis-copilot`` command: one module per family of sub-commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ibis_copilot._version import __version__
from ibis_copilot.cli import (
    assistant_commands,
    code_commands,
    knowledge_commands,
    mcp_command,
    training_commands,
)
from ibis_copilot.cli.common import PROG, Parser
from ibis_copilot.errors import CopilotError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = Parser(prog=PROG, description="An AI assistant for Ibis in JupyterLab.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    assistant_commands.add_parsers(commands)
    code_commands.add_parsers(commands)
    knowledge_commands.add_parsers(commands)
    mcp_command.add_parsers(commands)
    training_commands.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 1
    try:
        args.handler(args)
    except CopilotError as error:
        print(f"{PROG}: {error.cli_label}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ibis-copilot ... | head`: the reader has what it wanted
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
