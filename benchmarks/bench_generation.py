"""Generation through the server against calling the generator directly.

Starts a real Jupyter server with the extension (the small CPU model), then, with the same
model and prompts (greedy decoding, so the same tokens): time to first token and total
latency through /complete and /chat vs the generator in this process; /status latency
while a chat is generating; and 4 concurrent chat clients plus completions (completion
p95, nothing dropped or mixed). Prints tables, writes benchmarks/results/bench_generation.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))  # the server-process helper
from _common import print_table, write_results
from jupyter_server_process import RunningServer, jupyter_server

from ibis_copilot.assistant.chat import ChatWorkflow
from ibis_copilot.assistant.complete import CompleteWorkflow, CompletionRequest
from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.models.base import CancelToken
from ibis_copilot.models.registry import local_generator

MODEL = "smollm2-135m-instruct"
COMPLETIONS = [
    {"prefix": "import ibis\nt = ibis.table({'a': 'int64'}, name='t')\nexpr = t.", "suffix": ""},
    {"prefix": "totals = orders.group_by('region').", "suffix": "\ntotals.execute()"},
    {"prefix": "def top_customers(t, n):\n    return t.", "suffix": ""},
    {"prefix": "con = ibis.duckdb.connect(", "suffix": ")"},
    {"prefix": "joined = left.join(right, ", "suffix": ""},
]
CHATS = [
    "Reply with one word: is Ibis a Python library?",
    "Say only: hello.",
    "Name one SQL database in one word.",
]


def timed_stream(lines: Any, start: float) -> tuple[float | None, float, list[dict[str, Any]]]:
    """Seconds from ``start`` (the request) to the first token and to the end."""
    first, events = None, []
    for line in lines:
        if not line:
            continue
        event = json.loads(line)
        if event["type"] == "token" and first is None:
            first = time.perf_counter() - start
        events.append(event)
    return first, time.perf_counter() - start, events


def direct(
    generator: Any, prompt: str, max_tokens: int, stops: tuple[str, ...] = ()
) -> tuple[float | None, float]:
    from ibis_copilot.models.base import GenerationParams, stop_at

    cancel = CancelToken()
    params = GenerationParams(max_tokens=max_tokens, stop=stops)
    start = time.perf_counter()
    first = None
    for _ in stop_at(generator.stream(prompt, params, cancel), stops, cancel):
        if first is None:
            first = time.perf_counter() - start
    return first, time.perf_counter() - start


class Server:
    """The extension's endpoints on a running server (tests/jupyter_server_process.py)."""

    def __init__(self, running: RunningServer) -> None:
        self.base = f"{running.url}ibis-copilot"
        self.headers = running.headers

    def stream(
        self, endpoint: str, body: dict[str, Any]
    ) -> tuple[float | None, float, list[dict[str, Any]]]:
        start = time.perf_counter()
        with httpx.stream(
            "POST", f"{self.base}/{endpoint}", json=body, headers=self.headers, timeout=300
        ) as response:
            response.raise_for_status()
            return timed_stream(response.iter_lines(), start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def measure_latency(server: Server, generator: Any) -> list[dict[str, Any]]:
    """Same prompts, greedy: the generator in this process vs through the server."""
    complete = CompleteWorkflow()
    chat = ChatWorkflow(ConversationStore(Path(tempfile.mkdtemp())))
    rows = []
    for body in COMPLETIONS:
        prompt, params = complete.prepare(generator, CompletionRequest(**body))
        d_first, d_total = direct(generator, prompt, params.max_tokens, params.stop)
        s_first, s_total, _ = server.stream("complete", body)
        rows.append(
            {
                "kind": "complete",
                "direct_first": d_first,
                "direct_total": d_total,
                "server_first": s_first,
                "server_total": s_total,
            }
        )
    for question in CHATS:
        messages = [{"role": "user", "content": question}]
        prepared = chat.prepare(generator, messages)
        d_first, d_total = direct(generator, prepared.prompt, chat.max_tokens)
        s_first, s_total, _ = server.stream("chat", {"messages": messages})
        rows.append(
            {
                "kind": "chat",
                "direct_first": d_first,
                "direct_total": d_total,
                "server_first": s_first,
                "server_total": s_total,
            }
        )
    return rows


def measure_status(server: Server) -> list[float]:
    """/status latency (ms) while a long chat is generating."""
    long_chat = threading.Thread(
        target=server.stream,
        args=("chat", {"messages": [{"role": "user", "content": "Count from 1 to 300."}]}),
    )
    long_chat.start()
    time.sleep(2)
    status_ms = []
    for _ in range(40):
        start = time.perf_counter()
        httpx.get(f"{server.base}/status", headers=server.headers, timeout=30)
        status_ms.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    long_chat.join()
    return status_ms


def measure_concurrency(server: Server) -> dict[str, list[Any]]:
    """4 chat clients and a stream of completions at once."""
    results: dict[str, list[Any]] = {"chats": [], "completions": []}

    def chat_client(number: int) -> None:
        _, total, events = server.stream(
            "chat", {"messages": [{"role": "user", "content": f"Say only the number {number}."}]}
        )
        results["chats"].append((number, total, events[-1]))

    def completion_client(body: dict[str, Any]) -> None:
        total, events = server.stream("complete", body)[1:]
        results["completions"].append((total, events[-1]))

    threads = [threading.Thread(target=chat_client, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=completion_client, args=(b,)) for b in COMPLETIONS]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    return results


def report(
    rows: list[dict[str, Any]], status_ms: list[float], results: dict[str, list[Any]]
) -> dict[str, Any]:
    summary = []
    output: dict[str, Any] = {"model": MODEL}
    for kind in ("complete", "chat"):
        mine = [row for row in rows if row["kind"] == kind]
        d_first = statistics.median(r["direct_first"] for r in mine)
        s_first = statistics.median(r["server_first"] for r in mine)
        d_total = statistics.median(r["direct_total"] for r in mine)
        s_total = statistics.median(r["server_total"] for r in mine)
        output[kind] = {
            "direct_first_s": d_first,
            "server_first_s": s_first,
            "direct_total_s": d_total,
            "server_total_s": s_total,
            "total_ratio": s_total / d_total,
            "added_p50_ms": (s_total - d_total) * 1000,
        }
        summary.append(
            [
                kind,
                f"{d_first * 1000:.0f} / {s_first * 1000:.0f}",
                f"{d_total * 1000:.0f} / {s_total * 1000:.0f}",
                f"{s_total / d_total:.3f}",
                f"{(s_total - d_total) * 1000:+.0f}",
            ]
        )
    print_table(
        [
            "workflow",
            "first token ms (direct/server)",
            "total ms (direct/server)",
            "ratio",
            "added ms",
        ],
        summary,
    )
    completion_totals = [total for total, _ in results["completions"]]
    chats_ok = [number for number, _, done in results["chats"] if done["type"] == "done"]
    ids = {done.get("conversation_id") for _, _, done in results["chats"]}
    output.update(
        {
            "status_p50_ms": statistics.median(status_ms),
            "status_p95_ms": percentile(status_ms, 0.95),
            "concurrent_completion_p95_s": percentile(completion_totals, 0.95),
            "concurrent_chats_done": len(chats_ok),
            "concurrent_distinct_conversations": len(ids),
            "concurrent_completions_done": sum(
                1 for _, done in results["completions"] if done["type"] == "done"
            ),
            "rows": rows,
        }
    )
    print()
    print_table(
        ["measure", "value", "goal"],
        [
            ["/status p95 while generating", f"{output['status_p95_ms']:.1f} ms", "<= 50 ms"],
            ["completion p95 beside 4 chats", f"{output['concurrent_completion_p95_s']:.1f} s", ""],
            ["chats finished / distinct ids", f"{len(chats_ok)}/4, {len(ids)}", "4/4, 4"],
            [
                "completions finished",
                f"{output['concurrent_completions_done']}/{len(COMPLETIONS)}",
                "all",
            ],
        ],
    )
    return output


def main() -> None:
    generator = local_generator(MODEL)
    generator.load()
    with (
        tempfile.TemporaryDirectory() as tmp,
        jupyter_server(Path(tmp), {"IBIS_COPILOT_DATA_DIR": tmp, "HF_HUB_OFFLINE": "1"}) as running,
    ):
        running.wait_for_model(timeout=300)
        server = Server(running)
        # Warm-up (not measured): first-use imports and caches on both sides.
        server.stream("complete", COMPLETIONS[0])
        server.stream("chat", {"messages": [{"role": "user", "content": CHATS[0]}]})
        rows = measure_latency(server, generator)
        status_ms = measure_status(server)
        results = measure_concurrency(server)
    output = report(rows, status_ms, results)
    print(f"\nwrote {write_results('bench_generation', output)}")


if __name__ == "__main__":
    main()
