"""The index in a real Chroma server (``chroma run`` on loopback), as teams deploy it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from knowledge_helpers import tiny_api
from local_http import free_port

from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.store import KnowledgeStore, StoreError


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "chromadb installs the `chroma` server command"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/api/v2/heartbeat", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("the Chroma server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_index_and_search_in_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    base = KnowledgeBase(tmp_path, chroma_url=chroma_url)
    report = base.index([tiny_api()], progress=False)
    assert report.sources[0].added == 4
    assert not (tmp_path / "index").exists(), "nothing is stored locally"
    assert base.search("pivot_longer", k=1)[0].path.endswith("Table.pivot_longer")
    status = KnowledgeBase(tmp_path, chroma_url=chroma_url).status()
    assert status["state"] == "ready"
    assert status["path"] == chroma_url
    assert status["chunks"] == 4


def test_an_unreachable_chroma_server_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"cannot open the knowledge index at http://127\.0\.0\.1"):
        KnowledgeStore(url=f"http://127.0.0.1:{free_port()}")
