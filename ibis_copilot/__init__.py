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


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Register the ``/ibis-copilot/`` HTTP handlers with the running Jupyter server."""
    from ibis_copilot.server.extension import load_extension

    load_extension(server_app)


def _unload_jupyter_server_extension(server_app: Any) -> None:
    from ibis_copilot.server.extension import unload_extension

    unload_extension(server_app)
