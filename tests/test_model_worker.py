"""The model in its own process, with the real small model (SmolLM2-135M, CPU): the
worker speaks the OpenAI protocol behind a bearer token, streams through the scheduler,
and its supervisor reports, survives and restarts after kill -9, a hang, a failed load,
repeated crashes and memory running out mid-request.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from local_http import QuietHandler, local_server

from ibis_copilot.assistant.generation import Generation, Prompt, generate_events
from ibis_copilot.models import supervisor as supervisor_module
from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams, Generator
from ibis_copilot.models.openai_backend import OpenAICompatibleGenerator
from ibis_copilot.models.scheduler import GenerationTimeoutError, Priority, Scheduler
from ibis_copilot.models.supervisor import MAX_FAILED_LOADS, WorkerSupervisor
from ibis_copilot.models.worker_generator import WorkerGenerator

pytestmark = pytest.mark.slow

MODEL = "smollm2-135m-instruct"
PARAMS = GenerationParams(max_tokens=16)
QUESTION = [{"role": "user", "content": "List ten Python data libraries, one per line."}]


@pytest.fixture(scope="module")
def supervisor() -> Iterator[WorkerSupervisor]:
    supervisor = WorkerSupervisor(MODEL)
    supervisor.endpoint()  # started and loaded once for the module
    yield supervisor
    supervisor.stop()


def chat(max_tokens: int):  # type: ignore[no-untyped-def]
    def prepare(generator: Generator) -> Prompt:
        prompt = generator.render_chat(QUESTION)
        return Prompt(prompt, GenerationParams(max_tokens=max_tokens), QUESTION)

    return prepare


async def events(scheduler: Scheduler, max_tokens: int) -> list[dict[str, object]]:
    stream = generate_events(
        scheduler, Priority.CHAT, chat(max_tokens), Generation(), cancel=None, started=True
    )
    return [event async for event in stream]


def test_the_worker_streams_what_the_model_writes(supervisor: WorkerSupervisor) -> None:
    generator = WorkerGenerator(supervisor)
    params = GenerationParams(max_tokens=12)
    pieces = list(generator.stream_chat(QUESTION, params, CancelToken()))
    assert len(pieces) > 1, "streamed in pieces"
    prompt = generator.render_chat(QUESTION)
    assert QUESTION[0]["content"] in prompt
    assert generator.count_tokens(prompt) > generator.count_tokens(QUESTION[0]["content"])
    assert generator.context_length == 8192, "read from the model in the worker"


def test_a_rendered_prompts_token_count_needs_no_second_call(
    supervisor: WorkerSupervisor,
) -> None:
    generator = WorkerGenerator(supervisor)
    prompt = generator.render_chat(QUESTION)
    endpoint, pid = supervisor.endpoint(), supervisor.pid
    assert pid is not None
    asked = httpx.post(
        f"{endpoint.base_url}/tokenize", json={"prompt": prompt}, headers=endpoint.headers
    ).json()["count"]
    os.kill(pid, signal.SIGSTOP)  # a call to the worker now would hang
    try:
        assert generator.count_tokens(prompt) == asked, "the count came with the template"
    finally:
        os.kill(pid, signal.SIGCONT)


def test_the_worker_refuses_requests_without_its_token(supervisor: WorkerSupervisor) -> None:
    endpoint = supervisor.endpoint()
    body = {"model": MODEL, "prompt": "x", "max_tokens": 2, "stream": True}
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        response = httpx.post(f"{endpoint.base_url}/v1/completions", json=body, headers=headers)
        assert response.status_code == 401
        assert "token" in response.json()["error"]["message"]
    assert endpoint.base_url.startswith("http://127.0.0.1:")


def test_the_token_is_not_in_the_workers_command_line_or_environment(
    supervisor: WorkerSupervisor,
) -> None:
    endpoint, pid = supervisor.endpoint(), supervisor.pid
    assert pid is not None
    for part in ("cmdline", "environ"):
        assert endpoint.token.encode() not in Path(f"/proc/{pid}/{part}").read_bytes()


def test_kill_9_mid_stream_is_an_error_event_then_the_worker_is_back(
    supervisor: WorkerSupervisor,
) -> None:
    scheduler = Scheduler(WorkerGenerator(supervisor), preempt=True)
    killed_pid = supervisor.pid
    assert killed_pid is not None

    async def scenario() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        stream = generate_events(
            scheduler, Priority.CHAT, chat(200), Generation(), cancel=None, started=True
        )
        seen: list[dict[str, object]] = []
        async for event in stream:
            seen.append(event)
            if len(seen) == 3:
                os.kill(killed_pid, signal.SIGKILL)
        return seen, await events(scheduler, 8)

    first, second = asyncio.run(scenario())
    scheduler.stop()
    assert first[-1]["type"] == "error"
    message = str(first[-1]["error"]["message"])  # type: ignore[index]
    assert "killed by SIGKILL" in message
    assert second, "the next request is answered after the restart"
    assert {event["type"] for event in second} == {"token"}
    status = supervisor.status()
    assert status["state"] == "ready"
    assert status["pid"] not in (None, killed_pid)
    assert status["restarts"] == 1
    assert status["last_exit"]["pid"] == killed_pid
    assert status["last_exit"]["what"] == "killed by SIGKILL"
    assert status["last_exit"]["at"]


def test_a_hung_worker_hits_the_deadline_and_is_replaced(supervisor: WorkerSupervisor) -> None:
    scheduler = Scheduler(WorkerGenerator(supervisor), timeout=3, preempt=True)
    hung = supervisor.pid
    assert hung is not None
    os.kill(hung, signal.SIGSTOP)  # alive, but answers nothing

    async def scenario() -> None:
        stream = generate_events(scheduler, Priority.CHAT, chat(50), Generation(), cancel=None)
        with pytest.raises(GenerationTimeoutError, match="longer than 3 s"):
            _ = [event async for event in stream]

    asyncio.run(scenario())
    scheduler.stop()
    deadline = time.monotonic() + 120  # a bound against hanging, not a timing requirement
    while supervisor.status().get("last_exit", {}).get("pid") != hung:
        assert time.monotonic() < deadline, "the hung worker was never killed"
        time.sleep(0.5)
    supervisor.endpoint()  # the health checks killed it; a new one loads
    assert supervisor.pid not in (None, hung)
    assert "stopped answering" in supervisor.status()["last_exit"]["what"]


def test_a_model_that_cannot_load_stays_down_with_the_reason(tmp_path: Path) -> None:
    supervisor = WorkerSupervisor(str(tmp_path / "no-model"))
    with pytest.raises(GenerationError, match="the model worker is down: cannot load model"):
        supervisor.endpoint()
    status = supervisor.status()
    assert status["state"] == "down"
    assert status["failed_loads"] == MAX_FAILED_LOADS
    assert "cannot load model" in status["reason"]
    assert status["pid"] is None
    supervisor.stop()


def test_a_completion_pauses_a_generating_chat_which_then_resumes(
    supervisor: WorkerSupervisor,
) -> None:
    scheduler = Scheduler(WorkerGenerator(supervisor), preempt=True)

    def completion(generator: Generator) -> Prompt:
        return Prompt("import ibis\nt = ibis.table({'a': 'int64'})\nexpr = t.", PARAMS)

    async def scenario() -> tuple[str, list[int], str]:
        alone = "".join(
            str(event["text"]) for event in await events(scheduler, 60) if event["type"] == "token"
        )
        chat_pieces: list[str] = []
        chat_done = asyncio.Event()

        async def run_chat() -> None:
            stream = generate_events(scheduler, Priority.CHAT, chat(60), Generation(), cancel=None)
            async for event in stream:
                chat_pieces.append(str(event["text"]))
            chat_done.set()

        task = asyncio.create_task(run_chat())
        while len(chat_pieces) < 3:
            await asyncio.sleep(0.01)
        during: list[int] = []  # chat pieces so far, at each completion token
        stream = generate_events(
            scheduler, Priority.COMPLETION, completion, Generation(), cancel=None
        )
        async for _ in stream:
            during.append(len(chat_pieces))
        await task
        return alone, during, "".join(chat_pieces)

    alone, during, resumed = asyncio.run(scenario())
    scheduler.stop()
    assert len(during) > 1, "the completion streamed while the chat was generating"
    assert during[-1] - during[0] <= 1, "the chat waited (one step in flight may finish)"
    assert resumed == alone, "the chat resumed where it paused: the same greedy answer"


def test_a_worker_that_keeps_dying_after_loading_stays_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(supervisor_module, "MAX_CRASHES", 2)  # two loads, not five
    supervisor = WorkerSupervisor(MODEL)
    killed = []
    for _ in range(2):
        supervisor.endpoint()
        pid = supervisor.pid
        assert pid is not None
        assert pid not in killed
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
        deadline = time.monotonic() + 60  # a bound against hanging, not a timing requirement
        while supervisor.status().get("last_exit", {}).get("pid") != pid:
            assert time.monotonic() < deadline, "the killed worker was never noticed"
            time.sleep(0.1)
    with pytest.raises(GenerationError, match="ended 2 times in a row within 60 s of loading"):
        supervisor.endpoint()
    status = supervisor.status()
    assert status["state"] == "down"
    assert status["crashes"] == 2
    assert "last: killed by SIGKILL" in status["reason"]
    assert status["restarts"] == 1, "restarted once, then left down"
    supervisor.stop()


def test_a_worker_past_its_memory_limit_stays_down_with_the_reason() -> None:
    supervisor = WorkerSupervisor(MODEL, memory_limit_mb=400)
    with pytest.raises(GenerationError, match=r"memory limit 400 MiB"):
        supervisor.endpoint()
    status = supervisor.status()
    assert status["state"] == "down"
    assert status["last_exit"]["what"].startswith("failed to start: cannot load model")
    supervisor.stop()


def test_memory_running_out_mid_request_ends_that_request_and_the_worker_serves_on(
    supervisor: WorkerSupervisor,
) -> None:
    # The limit: what a loaded, warmed-up worker maps, plus 300 MiB; a prompt of ~6,800
    # tokens (inside the model's 8,192) needs more than that for its attention.
    loaded = Path(f"/proc/{supervisor.pid}/status").read_text()
    mapped_mib = int(loaded.split("VmSize:")[1].split()[0]) // 1024
    limited = WorkerSupervisor(MODEL, memory_limit_mb=mapped_mib + 300)
    generator = WorkerGenerator(limited)
    long_prompt = "import ibis\n" + "t = t.mutate(x=t.x + 1)\n" * 400
    assert generator.count_tokens(long_prompt) < generator.context_length
    with pytest.raises(GenerationError, match="can't allocate memory"):
        list(generator.stream(long_prompt, PARAMS, CancelToken()))
    answer = "".join(generator.stream("import ibis\n", PARAMS, CancelToken()))
    assert answer, "the same worker answers the next request"
    status = limited.status()
    assert status["state"] == "ready"
    assert status["restarts"] == 0
    limited.stop()


def test_a_stream_cut_off_before_done_is_an_error() -> None:
    """A worker killed between two events may close its socket cleanly: without
    ``[DONE]`` the answer is incomplete, never shown as finished."""

    class CutOff(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b'data: {"choices": [{"text": "partial"}]}\n\n')

    with local_server(CutOff) as base:
        client = OpenAICompatibleGenerator(f"{base}/v1", MODEL)
        pieces: list[str] = []
        with pytest.raises(GenerationError, match="closed the stream before it was done"):
            pieces.extend(client.stream("x", PARAMS, CancelToken()))
    assert pieces == ["partial"]
