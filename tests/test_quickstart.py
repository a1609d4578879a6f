"""The quickstart notebook runs from top to bottom in a real kernel."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

QUICKSTART = Path(__file__).parents[1] / "examples" / "quickstart.ipynb"


def test_quickstart_runs_and_shows_sql(
    monkeypatch: pytest.MonkeyPatch, isolated_user_dirs: Path
) -> None:
    # What `make demo` does first, on the small test docs: build an index to search.
    KnowledgeBase(isolated_user_dirs / "ibis-copilot-data").index(
        [DocsFolderSource(Path(__file__).parent / "data" / "docs")], progress=False
    )
    # `!ibis-copilot` cells find the console script as in an activated environment.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    notebook = nbformat.read(QUICKSTART, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()  # raises on errors
    markdown = [
        output.data["text/markdown"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/markdown" in output.get("data", {})
    ]
    assert any(text.startswith("**duckdb**") for text in markdown)
    assert any(text.startswith("**postgres**") for text in markdown)
    assert any("| mysql | ❌ no |" in text for text in markdown)
    streams = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert (
        "UsageError: unknown dialect 'postgress' (did you mean 'postgres'?); valid dialects:"
        in streams
    )
    assert "Traceback" not in streams
    assert "SUM(`t0`.`amount`)" in streams, "the CLI cell compiled for BigQuery"
    assert "QUALIFY" in streams or "ROW_NUMBER" in streams, "the Snowflake SQL was printed"
    assert "1. Window functions > Rank rows within each group" in streams, "search cited"
