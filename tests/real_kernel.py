"""A real IPython kernel (ipykernel in a subprocess) driven through jupyter_client, as
JupyterLab drives one: for tests of what the kernel sends on its channels, and when."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

#: A bound on every wait, against a kernel that never answers (not a timing requirement).
WAIT_S = 120.0

Message = dict[str, Any]


class Kernel:
    """A started kernel: execute cells, read their replies, and read IOPub in order
    (every message read is kept in ``iopub``, so a test can check what came before what)."""

    def __init__(self, client: BlockingKernelClient) -> None:
        self.client = client
        self.iopub: list[Message] = []

    def execute(self, code: str) -> str:
        """Send a cell (as a notebook does: stored in history); its message id."""
        return str(self.client.execute(code, store_history=True))

    def reply(self, msg_id: str) -> Message:
        """The shell reply to ``msg_id`` (other replies are skipped)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                message: Message = self.client.get_shell_msg(timeout=1)
            except Empty:
                continue
            if message["parent_header"].get("msg_id") == msg_id:
                return message
        raise AssertionError(f"no reply to {msg_id} within {WAIT_S:g} s")

    def run_ok(self, code: str) -> None:
        """Run a cell that must succeed, and read its IOPub to the end."""
        msg_id = self.execute(code)
        content = self.reply(msg_id)["content"]
        assert content["status"] == "ok", content
        self.until(lambda m: _idle(m, msg_id))

    def until(self, wanted: Callable[[Message], bool]) -> Message:
        """Read IOPub until a message is ``wanted``; it is returned (and kept)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                message: Message = self.client.get_iopub_msg(timeout=1)
            except Empty:
                continue
            self.iopub.append(message)
            if wanted(message):
                return message
        raise AssertionError(f"not seen within {WAIT_S:g} s; IOPub so far: {self.iopub}")


def _idle(message: Message, msg_id: str) -> bool:
    return bool(
        message["msg_type"] == "status"
        and message["content"]["execution_state"] == "idle"
        and message["parent_header"].get("msg_id") == msg_id
    )


def plain_text(message: Message) -> str:
    """The ``text/plain`` of a display, update or result message ('' for others)."""
    return str(message.get("content", {}).get("data", {}).get("text/plain", ""))


def display_id(message: Message) -> str | None:
    return message.get("content", {}).get("transient", {}).get("display_id")


@contextmanager
def real_kernel(directory: Path, env: Mapping[str, str]) -> Iterator[Kernel]:
    """Start this environment's ``python3`` kernel in ``directory`` with ``env`` added to
    this process's environment; shut it down afterwards."""
    manager = KernelManager(kernel_name="python3", connection_file=str(directory / "kernel.json"))
    manager.start_kernel(env={**os.environ, **env}, cwd=str(directory))
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=WAIT_S)
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
