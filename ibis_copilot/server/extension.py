"""Wire the handlers into the Jupyter server."""

from __future__ import annotations

import atexit

from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import url_path_join

from ibis_copilot.assistant.service import Assistant
from ibis_copilot.server.handlers import (
    API_PREFIX,
    ChatHandler,
    CompleteHandler,
    ExplainHandler,
    FeedbackHandler,
    ModelSqlHandler,
    NotFoundHandler,
    SearchHandler,
    StatusHandler,
)
from ibis_copilot.server.mcp_handler import McpHandler
from ibis_copilot.settings import load_settings

ROUTES = [
    ("status", StatusHandler),
    ("search", SearchHandler),
    ("chat", ChatHandler),
    ("complete", CompleteHandler),
    ("explain", ExplainHandler),
    ("sql", ModelSqlHandler),
    ("feedback", FeedbackHandler),
    ("mcp", McpHandler),
    ("(.*)", NotFoundHandler),
]


def load_extension(server_app: ServerApp) -> None:
    """Build the Assistant from the server's config, add the routes, start the model."""
    settings = load_settings(server_app.config).settings
    assistant = Assistant.from_settings(settings)
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], API_PREFIX)
    init = {"assistant": assistant}
    web_app.add_handlers(
        ".*$", [(url_path_join(base, path), handler, init) for path, handler in ROUTES]
    )
    web_app.settings["ibis_copilot"] = assistant
    # Module extensions get no shutdown call from Jupyter: stop the model workers at exit
    # (a worker also exits by itself when this process dies and its stdin closes).
    atexit.register(assistant.stop)
    if settings.load_model == "startup":
        assistant.start(load_now=True)
    server_app.log.info("ibis-copilot: serving %s (data in %s)", base, assistant.data_dir)


def unload_extension(server_app: ServerApp) -> None:
    """Stop the model's workers and worker processes: waiting requests are cancelled."""
    assistant = server_app.web_app.settings.get("ibis_copilot")
    if assistant is not None:
        assistant.stop()
