"""JupyterLab server configuration for the Playwright (Galata) UI tests."""

from jupyterlab.galata import configure_jupyter_server

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - injected by Jupyter
configure_jupyter_server(c)
c.ServerApp.allow_root = True  # CI runs as root
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
