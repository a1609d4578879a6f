"""JupyterLab server configuration for the Playwright (Galata) UI tests.

The assistant runs on the embedded small model with a small knowledge base built from
the test docs (tests/data/docs) in a data directory of its own, so answers have citations.
"""

import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).parent
DATA_DIR = HERE / ".copilot-data"
os.environ["IBIS_COPILOT_DATA_DIR"] = str(DATA_DIR)
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_small_index() -> None:
    from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
    from ibis_copilot.knowledge.docs_source import DocsFolderSource

    KnowledgeBase(DATA_DIR).index(
        [DocsFolderSource(HERE.parent / "tests" / "data" / "docs")], progress=False
    )


build_small_index()  # incremental: seconds when nothing changed

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - injected by Jupyter
configure_jupyter_server(c)
c.ServerApp.allow_root = True  # CI runs as root
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
