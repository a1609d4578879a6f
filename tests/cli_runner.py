"""Run the ``ibis-copilot`` command in this process, as the ``cli`` fixture does."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ibis_copilot.cli import main


@dataclass(frozen=True)
class CliResult:
    """What one ``ibis-copilot`` run printed, and its exit status."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The decoded standard output of a run that succeeded."""
        assert self.exit_code == 0, self.stderr
        return json.loads(self.stdout)


Cli = Callable[..., CliResult]


def cli_runner(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``run(*args, stdin="")``: ``main(args)`` with ``stdin`` as standard input; argparse's
    exits (``--version``, usage errors) become exit codes, as in the console script."""

    def run(*args: str, stdin: str = "") -> CliResult:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()  # what earlier steps of the test printed is not this run's
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
