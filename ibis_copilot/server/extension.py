"""Wire the handlers into the Jupyter server."""

from __future__ import annotations

from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import url_path_join

from ibis_copilot.server.handlers import (
    API_PREFIX,
    ChatHandler,
    CompleteHandler,
    ExplainHandler,
    FeedbackHandler,
    NotFoundHandler,
    SearchHandler,
    SqlHandler,
    StatusHandler,
)
from ibis_copilot.server.services import Services
from ibis_copilot.settings import IbisCopilot


def load_extension(server_app: ServerApp) -> None:
    """Build the services from the server's config, add the routes, start the model."""
    services = Services.from_settings(IbisCopilot(config=server_app.config))
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], API_PREFIX)
    init = {"services": services}
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "status"), StatusHandler, init),
            (url_path_join(base, "search"), SearchHandler, init),
            (url_path_join(base, "chat"), ChatHandler, init),
            (url_path_join(base, "complete"), CompleteHandler, init),
            (url_path_join(base, "explain"), ExplainHandler, init),
            (url_path_join(base, "sql"), SqlHandler, init),
            (url_path_join(base, "feedback"), FeedbackHandler, init),
            (url_path_join(base, "(.*)"), NotFoundHandler, init),
        ],
    )
    web_app.settings["ibis_copilot"] = services
    if services.settings.load_model == "startup":
        services.scheduler.start(load_now=True)
        services.completion_scheduler.start(load_now=True)
    server_app.log.info("ibis-copilot: serving %s (data in %s)", base, services.data_dir)


def unload_extension(server_app: ServerApp) -> None:
    """Stop the model's worker: waiting requests are cancelled."""
    services = server_app.web_app.settings.get("ibis_copilot")
    if services is not None:
        services.scheduler.stop()
        services.completion_scheduler.stop()
