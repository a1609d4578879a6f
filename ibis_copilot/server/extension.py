"""Wire the handlers into the Jupyter server."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import url_path_join

from ibis_copilot.config import IbisCopilot, knowledge_base
from ibis_copilot.server.handlers import (
    API_PREFIX,
    NotFoundHandler,
    SearchHandler,
    StatusHandler,
)


def load_extension(server_app: ServerApp) -> None:
    """Create the settings and the knowledge base from the server's config; add routes."""
    settings = IbisCopilot(config=server_app.config)
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], API_PREFIX)
    init = {"knowledge": knowledge_base(settings), "data_dir": Path(settings.data_dir)}
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "status"), StatusHandler, init),
            (url_path_join(base, "search"), SearchHandler, init),
            (url_path_join(base, "(.*)"), NotFoundHandler, init),
        ],
    )
    server_app.log.info("ibis-copilot: serving %s (data in %s)", base, settings.data_dir)
