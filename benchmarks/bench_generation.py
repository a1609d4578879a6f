"""Generation through the server against calling the generator directly.

For each ``--process`` (``worker``: the model in its own supervised process, the default;
``server``: in the Jupyter server process) it starts a real Jupyter server with the
extension (the small CPU model) and measures, with the same model and prompts (greedy,
so the same tokens) as the generator called in this process: time to first token and
total latency through /complete and /chat; /status latency while chats generate; a
completion's first token idle and beside four generating chats (nothing dropped or
mixed); the Jupyter server's resident memory; for the worker, kill -9 mid-stream (time
to the error event, time until a new request is answered). ``--batching`` also compares
four chats generated in turn, as one padded batch and by transformers' continuous
batching, in this process. Prints tables, writes benchmarks/results/bench_generation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
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
from ibis_copilot.models.base import CancelToken, GenerationParams, stop_at, stop_repeating
from ibis_copilot.models.registry import local_generator

MODEL = "smollm2-135m-instruct"
COMPLETIONS = [
    {"prefix": "import ibis\nt = ibis.table({'a': 'int64'}, name='t')\nexpr = t.", "suffix": ""},
    {"prefix": "totals = orders.group_by('region').", "suffix": "\ntotals.execute()"},
    {"prefix": "def top_customers(t, n):\n    return t.", "suffix": ""},
    {"prefix": "con = ibis.duckdb.connect(", "suffix": ")"},
    {"prefix": "joined = left.join(right, ", "suffix": ""},
]
#: Chats that keep the model busy while other things are measured.
LONG_CHATS = [
    "Name five Python libraries for data work, one line each.",
    "Explain in a short paragraph what a SQL join does.",
    "Give three tips for writing readable pandas code.",
    "Describe in a few sentences what a dataframe is.",
]
#: Seconds of quiet before each timed generation.
PAUSE_SECONDS = 0.5
#: A chat still generating when its worker is killed (its third token).
KILLED_CHAT = "Count from 1 to 300, one number per line."
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


def direct(generator: Any, prompt: str, params: GenerationParams) -> tuple[float | None, float]:
    """First-piece and total seconds of the generator called here with the server's own
    prompt and parameters (stop sequences, the names allowed after a dot)."""
    cancel = CancelToken()
    start = time.perf_counter()
    first = None
    # The same text filters as the server's (stop sequences, a loop cut short), so both
    # sides generate the same tokens and only the path differs.
    stopped = stop_at(generator.stream(prompt, params, cancel), params.stop, cancel)
    pieces = stop_repeating(stopped, cancel)
    for _ in pieces:
        if first is None:
            first = time.perf_counter() - start
    return first, time.perf_counter() - start


class Server:
    """The extension's endpoints on a running server (tests/jupyter_server_process.py)."""

    def __init__(self, running: RunningServer) -> None:
        self.url = running.url
        self.base = f"{running.url}ibis-copilot"
        # One client, as a browser keeps one: a new httpx client per request spends
        # ~20 ms building its TLS context, which would be counted as server latency.
        self.http = httpx.Client(headers=running.headers, timeout=300)

    def stream(
        self, endpoint: str, body: dict[str, Any]
    ) -> tuple[float | None, float, list[dict[str, Any]]]:
        start = time.perf_counter()
        with self.http.stream("POST", f"{self.base}/{endpoint}", json=body) as response:
            response.raise_for_status()
            return timed_stream(response.iter_lines(), start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def measure_latency(server: Server, generator: Any, repeat: int = 1) -> list[dict[str, Any]]:
    """Same prompts, greedy: the generator in this process vs through the server, each
    pair run back to back (``repeat`` rounds, the side that goes first alternating), so
    that load swings hit both sides; each run starts after a pause, on a quiet CPU (the
    other process's math threads keep spinning for a while after its last token)."""
    complete = CompleteWorkflow()
    chat = ChatWorkflow(ConversationStore(Path(tempfile.mkdtemp())))
    runs: list[tuple[str, dict[str, Any], str, GenerationParams]] = []
    for body in COMPLETIONS:
        prompt, params = complete.prepare(generator, CompletionRequest(**body))
        runs.append(("complete", body, prompt, params))
    for question in CHATS:
        body = {"messages": [{"role": "user", "content": question}]}
        prepared = chat.prepare(generator, body["messages"])
        runs.append(("chat", body, prepared.prompt, GenerationParams(chat.max_tokens)))
    rows = []
    for round_number in range(repeat):
        for kind, body, prompt, params in runs:
            timings: dict[str, tuple[float | None, float]] = {}
            sides = ("direct", "server") if round_number % 2 == 0 else ("server", "direct")
            for side in sides:
                time.sleep(PAUSE_SECONDS)
                if side == "direct":
                    timings[side] = direct(generator, prompt, params)
                else:
                    timings[side] = server.stream(kind, body)[:2]
            rows.append(
                {
                    "kind": kind,
                    "direct_first": timings["direct"][0],
                    "direct_total": timings["direct"][1],
                    "server_first": timings["server"][0],
                    "server_total": timings["server"][1],
                }
            )
    return rows


def measure_status(server: Server) -> dict[str, list[float]]:
    """Latency (ms) of the extension's /status and, as the baseline in the same run,
    Jupyter's own /api/status, polled in turn while two long chats are generating."""
    chats = [
        threading.Thread(target=server.stream, args=("chat", chat_body(question)))
        for question in LONG_CHATS[:2]
    ]
    for thread in chats:
        thread.start()
    time.sleep(2)
    urls = {"status": f"{server.base}/status", "jupyter": f"{server.url}api/status"}
    latency: dict[str, list[float]] = {name: [] for name in urls}
    while any(thread.is_alive() for thread in chats) and len(latency["status"]) < 200:
        for name, url in urls.items():
            start = time.perf_counter()
            server.http.get(url).raise_for_status()
            latency[name].append((time.perf_counter() - start) * 1000)
            time.sleep(0.05)
    for thread in chats:
        thread.join()
    return latency


def chat_body(question: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}]}


def completion_first_tokens(server: Server, rounds: int, until: Any = None) -> list[float]:
    """First-token seconds of completions one after another (``until()``: stop early)."""
    firsts: list[float] = []
    for number in range(rounds):
        if until is not None and until():
            break
        first, _, events = server.stream("complete", COMPLETIONS[number % len(COMPLETIONS)])
        if first is not None and events[-1]["type"] == "done":
            firsts.append(first)
    return firsts


def measure_beside_chats(server: Server) -> dict[str, Any]:
    """Completions while four chat clients generate; did every chat finish, unmixed?"""
    chats: list[tuple[int, dict[str, Any]]] = []

    def chat_client(number: int) -> None:
        events = server.stream("chat", chat_body(LONG_CHATS[number]))[2]
        chats.append((number, events[-1]))

    threads = [threading.Thread(target=chat_client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # the first chat is generating, the others wait their turn
    firsts = completion_first_tokens(
        server, 10, until=lambda: not any(thread.is_alive() for thread in threads)
    )
    for thread in threads:
        thread.join()
    return {
        "completion_first_s": firsts,
        "chats_done": sum(1 for _, done in chats if done["type"] == "done"),
        "distinct_conversations": len({done.get("conversation_id") for _, done in chats}),
    }


def worker_pid(server: Server) -> int:
    status = server.http.get(f"{server.base}/status").json()
    return int(status["model"]["worker"]["pid"])


def measure_kill(server: Server) -> dict[str, float]:
    """kill -9 of the worker mid-stream: seconds to the error event, and until a new
    request (sent at once) gets its first token."""
    pid = worker_pid(server)
    killed_at = 0.0
    error_seen = False
    start = time.perf_counter()
    with server.http.stream("POST", f"{server.base}/chat", json=chat_body(KILLED_CHAT)) as response:
        tokens = 0
        for line in response.iter_lines():
            event = json.loads(line) if line else {}
            if event.get("type") == "token":
                tokens += 1
                if tokens == 3:
                    os.kill(pid, signal.SIGKILL)
                    killed_at = time.perf_counter()
            elif event.get("type") == "error":
                error_seen = True
                break
    error_s = time.perf_counter() - killed_at
    sent_s = time.perf_counter() - killed_at
    first, _, events = server.stream("chat", chat_body(CHATS[1]))
    if first is None or events[-1]["type"] != "done" or not error_seen:
        raise RuntimeError(f"no error event, or the next request failed: {events[-1]}")
    return {
        "error_event_s": error_s,
        "answered_s": sent_s + first,  # kill -> the new request's first token
        "stream_s": killed_at - start,
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def measure_batching(generator: Any, max_tokens: int = 48) -> dict[str, Any]:
    """Four chats, the same number of tokens each: in turn, as one padded batch, and by
    continuous batching (``generate_batch``); tokens per second of each."""
    tokenizer, model = generator._tokenizer, generator._model
    prompts = [generator.render_chat([{"role": "user", "content": q}]) for q in LONG_CHATS]
    fixed = {"max_new_tokens": max_tokens, "min_new_tokens": max_tokens, "do_sample": False}
    start = time.perf_counter()
    for prompt in prompts:
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        model.generate(**inputs, **fixed, pad_token_id=tokenizer.eos_token_id)
    in_turn = time.perf_counter() - start
    tokenizer.padding_side = "left"
    batch = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    start = time.perf_counter()
    model.generate(**batch, **fixed, pad_token_id=tokenizer.eos_token_id)
    padded = time.perf_counter() - start
    tokens = max_tokens * len(prompts)
    output: dict[str, Any] = {
        "tokens": tokens,
        "in_turn_tok_s": tokens / in_turn,
        "padded_batch_tok_s": tokens / padded,
    }
    try:
        from transformers import GenerationConfig

        config = GenerationConfig(
            max_new_tokens=max_tokens, do_sample=False, eos_token_id=-1, pad_token_id=0
        )
        ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
        start = time.perf_counter()
        results = model.generate_batch(ids, generation_config=config)
        made = sum(len(result.generated_tokens) for result in results.values())
        output["continuous_tok_s"] = made / (time.perf_counter() - start)
    except Exception as error:  # noqa: BLE001 - reported, not fatal
        output["continuous_error"] = f"{type(error).__name__}: {error}"
    return output


def run_mode(
    process: str, generator: Any, only: str | None = None, repeat: int = 1
) -> dict[str, Any]:
    """Every measurement against a server whose model runs as ``process`` (``only``:
    "memory", the load time and resident memory; "kill", those and kill -9 recovery)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"IBIS_COPILOT_DATA_DIR": tmp, "HF_HUB_OFFLINE": "1"}
        # Deadlines are not measured here: a chat waiting behind three others may be slow.
        args = [f"--IbisCopilot.model_process={process}", "--IbisCopilot.request_timeout=900"]
        with jupyter_server(Path(tmp), env, args=args) as running:
            started = time.perf_counter()
            running.wait_for_model(timeout=600)
            load_s = time.perf_counter() - started
            server = Server(running)
            # Warm-up (not measured): first-use imports and caches on both sides.
            server.stream("complete", COMPLETIONS[0])
            server.stream("chat", chat_body(CHATS[0]))
            pid = running.process.pid
            output: dict[str, Any] = {"load_s": load_s, "server_rss_ready_mib": rss_mib(pid)}
            if process == "worker":
                output["worker_rss_mib"] = rss_mib(worker_pid(server))
            if only == "kill" and process == "worker":
                output["kill"] = measure_kill(server)
            if only == "latency":
                output["rows"] = measure_latency(server, generator, repeat)
                output["status_ms"] = measure_status(server)
            if only:
                return output
            output["rows"] = measure_latency(server, generator, repeat)
            output["status_ms"] = measure_status(server)
            output["completion_idle_first_s"] = completion_first_tokens(server, 10)
            output["beside_chats"] = measure_beside_chats(server)
            output["server_rss_after_mib"] = rss_mib(pid)
            if process == "worker":
                output["kill"] = measure_kill(server)
    return output


def latency_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind: medians of each side, and the medians of the pairs' differences (first
    token) and ratios (total), which load swings between pairs do not skew."""
    summary: dict[str, Any] = {}
    for kind in ("complete", "chat"):
        mine = [row for row in rows if row["kind"] == kind and row["server_first"] is not None]
        summary[kind] = {
            "pairs": len(mine),
            "direct_first_ms": statistics.median(r["direct_first"] for r in mine) * 1000,
            "server_first_ms": statistics.median(r["server_first"] for r in mine) * 1000,
            "first_added_ms": statistics.median(r["server_first"] - r["direct_first"] for r in mine)
            * 1000,
            "direct_total_ms": statistics.median(r["direct_total"] for r in mine) * 1000,
            "server_total_ms": statistics.median(r["server_total"] for r in mine) * 1000,
            "total_ratio": statistics.median(r["server_total"] / r["direct_total"] for r in mine),
        }
    return summary


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    """Medians, ratios and p95s of one mode's raw measurements."""
    summary: dict[str, Any] = latency_summary(raw["rows"])
    idle = raw["completion_idle_first_s"]
    busy = raw["beside_chats"]["completion_first_s"]
    summary.update(
        {
            "status_p50_ms": statistics.median(raw["status_ms"]["status"]),
            "status_p95_ms": percentile(raw["status_ms"]["status"], 0.95),
            "jupyter_status_p95_ms": percentile(raw["status_ms"]["jupyter"], 0.95),
            "completion_first_p95_idle_ms": percentile(idle, 0.95) * 1000,
            "completion_first_p95_beside_4_chats_ms": percentile(busy, 0.95) * 1000
            if busy
            else None,
            "completions_beside_chats": len(busy),
            "chats_done": raw["beside_chats"]["chats_done"],
            "distinct_conversations": raw["beside_chats"]["distinct_conversations"],
            "load_s": raw["load_s"],
            "server_rss_ready_mib": raw["server_rss_ready_mib"],
            "server_rss_after_mib": raw["server_rss_after_mib"],
        }
    )
    for key in ("worker_rss_mib", "kill"):
        if key in raw:
            summary[key] = raw[key]
    return summary


def report(summaries: dict[str, dict[str, Any]]) -> None:
    rows = []
    for process, summary in summaries.items():
        for kind in ("complete", "chat"):
            k = summary[kind]
            rows.append(
                [
                    f"{process}: {kind}",
                    f"{k['direct_first_ms']:.0f} / {k['server_first_ms']:.0f}",
                    f"{k['first_added_ms']:+.0f}",
                    f"{k['direct_total_ms']:.0f} / {k['server_total_ms']:.0f}",
                    f"{k['total_ratio']:.3f}",
                ]
            )
    print_table(
        [
            "model in",
            "first token ms (direct/server)",
            "added",
            "total ms (direct/server)",
            "ratio",
        ],
        rows,
    )
    print()
    rows = []
    for process, s in summaries.items():
        busy = s["completion_first_p95_beside_4_chats_ms"]
        rows += [
            [
                process,
                "/status p95 while chats generate (Jupyter's /api/status)",
                f"{s['status_p95_ms']:.1f} ms ({s['jupyter_status_p95_ms']:.1f} ms)",
                "<= 10 ms",
            ],
            [
                process,
                "completion first token p95: idle / beside 4 chats",
                f"{s['completion_first_p95_idle_ms']:.0f} / "
                + (
                    f"{busy:.0f} ms ({busy / s['completion_first_p95_idle_ms']:.2f}x)"
                    if busy
                    else "-"
                ),
                "<= 1.5x",
            ],
            [
                process,
                "chats finished / distinct ids",
                f"{s['chats_done']}/4, {s['distinct_conversations']}",
                "4/4, 4",
            ],
            [
                process,
                "Jupyter server RSS ready / after",
                f"{s['server_rss_ready_mib']:.0f} / {s['server_rss_after_mib']:.0f} MiB",
                "no model in it",
            ],
        ]
        if "worker_rss_mib" in s:
            rows.append([process, "worker RSS (ready)", f"{s['worker_rss_mib']:.0f} MiB", ""])
        if "kill" in s:
            kill = s["kill"]
            rows += [
                [
                    process,
                    "kill -9 mid-stream: error event",
                    f"{kill['error_event_s'] * 1000:.0f} ms",
                    "<= 1 s",
                ],
                [
                    process,
                    "kill -9: next request answered (model load)",
                    f"{kill['answered_s']:.1f} s ({s['load_s']:.1f} s)",
                    "<= load + 5 s",
                ],
            ]
    print_table(["model in", "measure", "value", "goal"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--process", choices=["worker", "server", "both", "none"], default="both")
    parser.add_argument(
        "--only",
        choices=["memory", "kill", "latency"],
        help="load time and memory, and kill -9 recovery or latency and /status",
    )
    parser.add_argument("--batching", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of the direct/server latency pairs"
    )
    options = parser.parse_args()
    generator = local_generator(MODEL)
    generator.load()
    processes = {"both": ["worker", "server"], "none": []}.get(options.process, [options.process])
    name = f"bench_generation_{options.only}" if options.only else "bench_generation"
    raw: dict[str, Any] = {}
    for process in processes:  # results are written after each, in case a later one fails
        raw[process] = run_mode(process, generator, options.only, options.repeat)
        write_results(name, {"model": MODEL, "raw": raw})
    output: dict[str, Any] = {"model": MODEL, "raw": raw}
    if processes and not options.only:
        summaries = {process: summarize(raw[process]) for process in processes}
        output.update(summaries)
        report(summaries)
    elif options.only:
        print_table(
            ["model in", "load s", "Jupyter server RSS MiB", "worker RSS MiB", "kill -9"],
            [
                [
                    process,
                    f"{values['load_s']:.1f}",
                    f"{values['server_rss_ready_mib']:.0f}",
                    f"{values.get('worker_rss_mib', 0):.0f}",
                    json.dumps(values.get("kill", {})),
                ]
                for process, values in raw.items()
            ],
        )
        if options.only == "latency":
            print()
            print_table(
                ["model in", "kind", "pairs", "first token added (median)", "total ratio", "goal"],
                [
                    [
                        process,
                        kind,
                        str(k["pairs"]),
                        f"{k['first_added_ms']:+.0f} ms",
                        f"{k['total_ratio']:.3f}",
                        "<= 30 ms, <= 1.10",
                    ]
                    for process, values in raw.items()
                    for kind, k in latency_summary(values["rows"]).items()
                ],
            )
            for process, values in raw.items():
                status, jupyter = values["status_ms"]["status"], values["status_ms"]["jupyter"]
                print(
                    f"{process}: /status p95 {percentile(status, 0.95):.1f} ms "
                    f"(Jupyter's /api/status {percentile(jupyter, 0.95):.1f} ms; goal <= 10 ms)"
                )
    if options.batching:
        batching = measure_batching(generator)
        output["batching"] = batching
        name = "bench_generation_batching" if not processes else name
        print()
        print_table(
            ["4 chats, 48 tokens each", "tokens/s"],
            [
                [key, f"{value:.2f}" if isinstance(value, float) else str(value)]
                for key, value in batching.items()
            ],
        )
    print(f"\nwrote {write_results(name, output)}")


if __name__ == "__main__":
    main()
