"""The helper that runs a Jupyter server in a subprocess for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest
from jupyter_server_process import ServerProcessError, jupyter_server


def test_the_server_answers_then_is_stopped(tmp_path: Path) -> None:
    with jupyter_server(tmp_path, {"IBIS_COPILOT_DATA_DIR": str(tmp_path / "data")}) as server:
        status = server.get_json("ibis-copilot/status")
        assert status["data_dir"] == str(tmp_path / "data"), "the environment reached it"
    assert server.process.poll() is not None, "stopped at the end of the block"


def test_a_server_that_dies_is_reported_with_the_end_of_its_log(tmp_path: Path) -> None:
    with (
        pytest.raises(ServerProcessError, match=r"exited with 1[\s\S]*port only accepts one"),
        jupyter_server(tmp_path, args=["--port=nope"]),
    ):
        pass
