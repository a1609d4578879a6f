"""The package ships and enables both halves of the extension."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent


def jupyter(*args: str) -> str:
    result = subprocess.run(
        [str(BIN / "jupyter"), *args], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout + result.stderr


def test_server_extension_is_enabled() -> None:
    output = jupyter("server", "extension", "list")
    line = next(line for line in output.splitlines() if line.strip().startswith("ibis_copilot "))
    assert "enabled" in line
    assert "ibis_copilot 0" in output.split("Validating ibis_copilot...")[1].splitlines()[1]


def test_labextension_is_enabled() -> None:
    output = jupyter("labextension", "list")
    line = next(line for line in output.splitlines() if "ibis-copilot v" in line)
    assert "enabled" in line
    assert "OK" in line


def test_wheel_ships_the_labextension_and_server_config(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("ibis_copilot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = next(name.split("/")[0] for name in names if ".data/" in name)
    shared = f"{data}/data/share/jupyter/labextensions/ibis-copilot"
    assert f"{shared}/package.json" in names
    assert f"{shared}/install.json" in names
    assert any(name.startswith(f"{shared}/static/remoteEntry.") for name in names)
    assert f"{shared}/schemas/ibis-copilot/plugin.json" in names
    config = f"{data}/data/etc/jupyter/jupyter_server_config.d/ibis_copilot.json"
    server_config = json.loads(zipfile.ZipFile(wheel).read(config))
    assert server_config["ServerApp"]["jpserver_extensions"]["ibis_copilot"] is True
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert (
        "ibis-copilot = ibis_copilot.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    )
