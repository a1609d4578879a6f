"""ibis-copilot: an AI assistant for writing Ibis dataframe code in JupyterLab.

Importing this package stays light: the kernel side (``%load_ext ibis_copilot``) and
the server side (the Jupyter server extension) are loaded lazily by their entry points,
so loading the magics never imports ``jupyter_server``.
"""

from __future__ import annotations

from typing import Any

from ibis_copilot._version import __version__

__all__ = ["__version__", "load_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and the error helper (``%load_ext ibis_copilot``)."""
    from ibis_copilot.kernel import error_hook
    from ibis_copilot.kernel.ask_magic import AskMagics
    from ibis_copilot.kernel.fix_magic import FixMagics
    from ibis_copilot.kernel.sql_magic import IbisSqlMagics

    ipython.register_magics(IbisSqlMagics)
    ipython.register_magics(AskMagics)
    ipython.register_magics(FixMagics)
    error_hook.register(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "ibis-copilot"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "ibis_copilot"}]


#: What ``pip install`` adds the server side with; the base install is the kernel side only.
SERVER_EXTRA_FIX = 'pip install "ibis-copilot[server]"'

#: Top-level modules of the ``server`` extra that the server extension needs.
_SERVER_MODULES = (
    "jupyter_server",
    "chromadb",
    "sentence_transformers",
    "transformers",
    "gguf",
    "accelerate",
    "griffe",
    "yaml",
    "tqdm",
    "bs4",
)


def _missing_server_modules() -> list[str]:
    """The ``server`` extra's modules that this environment cannot import (none imported)."""
    from importlib.util import find_spec

    missing = []
    for name in _SERVER_MODULES:
        try:
            found = find_spec(name) is not None
        except ValueError:  # already imported, without a spec: present
            found = True
        if not found:
            missing.append(name)
    return missing


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Register the ``/ibis-copilot/`` HTTP handlers with the running Jupyter server.

    The wheel enables this extension wherever it is installed, also in a kernel-only
    environment without the ``server`` extra: there it logs one warning with the fix and
    leaves the Jupyter server running.
    """
    missing = _missing_server_modules()
    if missing:
        server_app.log.warning(
            "ibis-copilot: server extension not loaded, this environment lacks %s "
            "(the kernel magics work without them); to fix: %s",
            ", ".join(missing),
            SERVER_EXTRA_FIX,
        )
        return
    from ibis_copilot.server.extension import load_extension

    load_extension(server_app)


def _unload_jupyter_server_extension(server_app: Any) -> None:
    if _missing_server_modules():
        return  # never loaded
    from ibis_copilot.server.extension import unload_extension

    unload_extension(server_app)
