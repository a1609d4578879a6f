"""Latency of the MCP tools, p50/p95, through the official SDK client: over stdio
(``ibis-copilot mcp`` in a subprocess) and over HTTP (``/ibis-copilot/mcp`` in a real
Jupyter server), against the same tool functions called directly in this process (the
baseline, measured in the same run on the same index and inputs).

Goals: search ≤ 50 ms p95, check ≤ 1 s p95 (over MCP). Builds the default index (bundled
docs + installed API) in a temporary directory unless ``--data-dir`` has one. Prints a
table and writes benchmarks/results/bench_mcp.json.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from _common import print_table, write_results
from jupyter_server_process import jupyter_server

from ibis_copilot.knowledge.api_source import ApiSource
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import BUNDLED_DOCS, KnowledgeBase
from ibis_copilot.mcp_server.tools import IbisTools

GOALS_P95_S = {
    "search_ibis_docs": 0.050,
    "check_ibis_code (checked)": 1.0,
    "check_ibis_code (repaired)": 1.0,
    "check_ibis_code (not checked)": 1.0,
}
ORDERS = {
    "orders": {
        "name": "orders",
        "schema": {"id": "int64", "region": "string", "amount": "float64", "at": "timestamp"},
    }
}
#: (tool, the arguments of each call in turn, calls); every argument list is cycled.
CASES: list[tuple[str, list[dict[str, Any]], int]] = [
    (
        "search_ibis_docs",
        [
            {"query": "rank rows within each group", "k": 5},
            {"query": "how do I pivot a table from wide to long", "k": 5},
            {"query": "`Table.join` on two keys", "k": 5},
            {"query": "read a parquet file", "k": 5},
        ],
        40,
    ),
    ("ibis_api", [{"name": "Table.join"}, {"name": "ibis.desc"}, {"name": "Table.jion"}], 40),
    ("backend_support", [{"operation": "ArrayIndex"}, {"operation": "Median"}], 40),
    (
        "check_ibis_code (checked)",
        [{"code": 'orders.group_by("region").agg(total=orders.amount.sum())'}],
        10,
    ),
    # a rule's edit: the block, then the edit, each in the check process
    ("check_ibis_code (repaired)", [{"code": 'orders.sort_values("amount")'}], 10),
    ("check_ibis_code (not checked)", [{"code": "orders.amount.summarize()"}], 10),
    (
        "compile_to_sql",
        [{"code": 'orders.filter(orders.amount > 10).select("id")', "dialect": "postgres"}],
        15,
    ),
    (
        "diagnose_ibis_error",
        [
            {
                "code": 'orders.groupby("region").agg(n=orders.count())',
                "error_type": "AttributeError",
                "message": "'Table' object has no attribute 'groupby'",
            }
        ],
        10,
    ),
    ("compile_to_sql (all)", [{"code": "orders.amount.median()", "dialect": "all"}], 3),
]


def with_schemas(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    takes_schemas = tool.startswith(("check", "compile", "diagnose"))
    return {**arguments, "schemas": ORDERS} if takes_schemas else arguments


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "calls": len(ordered)}


async def timed(call: Callable[[], Awaitable[object]], calls: int) -> list[float]:
    await call()  # warm-up: the first call loads the index, the API or the embedder
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return samples


Invoke = Callable[[str, dict[str, Any]], Awaitable[None]]


async def run_cases(invoke: Invoke) -> dict[str, dict[str, float]]:
    """p50/p95 of every case, each call taking the case's next arguments in turn."""
    results = {}
    for label, argument_list, calls in CASES:
        tool, turns = label.split(" ")[0], itertools.cycle(argument_list)
        call = partial(next_call, invoke, tool, turns)
        results[label] = percentiles(await timed(call, calls))
    return results


async def next_call(invoke: Invoke, tool: str, turns: Iterator[dict[str, Any]]) -> None:
    await invoke(tool, with_schemas(tool, next(turns)))


async def over_mcp(client: Client) -> dict[str, dict[str, float]]:
    async def invoke(tool: str, arguments: dict[str, Any]) -> None:
        answer = await client.call_tool(tool, arguments)
        assert not answer.is_error, answer.content

    return await run_cases(invoke)


async def direct(tools: IbisTools) -> dict[str, dict[str, float]]:
    async def invoke(tool: str, arguments: dict[str, Any]) -> None:
        getattr(tools, tool)(**arguments)

    return await run_cases(invoke)


@asynccontextmanager
async def stdio(data_dir: Path) -> AsyncIterator[Client]:
    command = str(Path(sys.executable).with_name("ibis-copilot"))
    env = {**os.environ, "IBIS_COPILOT_DATA_DIR": str(data_dir)}
    async with Client(StdioServerParameters(command=command, args=["mcp"], env=env)) as client:
        yield client


@asynccontextmanager
async def http(url: str, headers: dict[str, str]) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers=headers, timeout=120) as transport,
        Client(streamable_http_client(url, http_client=transport)) as client,
    ):
        yield client


def build_index(data_dir: Path) -> None:
    base = KnowledgeBase(data_dir)
    if not base.exists():
        print("building the default index (bundled docs + installed API)...", file=sys.stderr)
        base.index([DocsFolderSource(BUNDLED_DOCS), ApiSource()], progress=False)


async def measure(data_dir: Path, with_http: bool) -> dict[str, dict[str, dict[str, float]]]:
    runs = {"direct": await direct(IbisTools(KnowledgeBase(data_dir)))}
    async with stdio(data_dir) as client:
        runs["stdio"] = await over_mcp(client)
    if with_http:
        env = {"IBIS_COPILOT_DATA_DIR": str(data_dir)}
        with (
            tempfile.TemporaryDirectory() as root,
            jupyter_server(Path(root), env, args=["--IbisCopilot.load_model=first-use"]) as server,
        ):
            async with http(f"{server.url}ibis-copilot/mcp", server.headers) as client:
                runs["http"] = await over_mcp(client)
    return runs


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="reuse an index here (default: temporary)")
    parser.add_argument("--no-http", action="store_true", help="skip the Jupyter server run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        build_index(data_dir)
        runs = anyio.run(measure, data_dir, not args.no_http)

    transports = [name for name in ("stdio", "http") if name in runs]
    headers = ["tool", "direct p50/p95 ms"]
    headers += [f"{name} p50/p95 ms" for name in transports]
    headers += [f"{name}/direct p50" for name in transports] + ["goal (p95)"]
    rows = []
    for label, *_ in CASES:
        base = runs["direct"][label]
        row = [label, f"{ms(base['p50'])} / {ms(base['p95'])}"]
        row += [f"{ms(runs[t][label]['p50'])} / {ms(runs[t][label]['p95'])}" for t in transports]
        row += [f"{runs[t][label]['p50'] / base['p50']:.2f}x" for t in transports]
        goal = GOALS_P95_S.get(label)
        if goal is None:
            row.append("-")
        else:
            met = all(runs[t][label]["p95"] <= goal for t in transports)
            row.append(f"<= {ms(goal)} ms: {'met' if met else 'NOT met'}")
        rows.append(row)
    print_table(headers, rows)
    path = write_results("bench_mcp", {"goals_p95_s": GOALS_P95_S, "runs": runs})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
