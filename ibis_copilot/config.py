"""Settings: one typed, documented Configurable for the server, and the data directory."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from traitlets import Unicode, default
from traitlets.config import Configurable

DATA_DIR_ENV = "IBIS_COPILOT_DATA_DIR"


def default_data_dir() -> Path:
    """``$IBIS_COPILOT_DATA_DIR`` if set, else ``<jupyter data dir>/ibis_copilot``."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(jupyter_data_dir()) / "ibis_copilot"


class IbisCopilot(Configurable):
    """Settings of the ibis-copilot server extension (``c.IbisCopilot.<name>``)."""

    data_dir = Unicode(
        help=(
            "Directory holding the knowledge index, caches and opt-in logs. "
            f"Defaults to ${DATA_DIR_ENV}, else <jupyter data dir>/ibis_copilot."
        ),
    ).tag(config=True)

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(default_data_dir())
