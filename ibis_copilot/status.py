"""What ``GET /ibis-copilot/status`` and ``ibis-copilot status`` report."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ibis_copilot._version import __version__


def _installed_version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def collect_status(data_dir: Path, index: dict[str, Any]) -> dict[str, Any]:
    """Versions, where data lives, and the state of the model and the index."""
    return {
        "version": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "ibis_version": _installed_version("ibis-framework"),
        "sqlglot_version": _installed_version("sqlglot"),
        "data_dir": str(data_dir),
        "model": {"state": "not configured", "name": None},
        "index": index,
    }
