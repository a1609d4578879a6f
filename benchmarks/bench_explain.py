"""The sidebar's Explain against the kernel hook: same diagnosis, a checked fix, how soon.

For every snippet of the repair sets (``tests/data/repair_dev.jsonl`` and the frozen
held-out set), the failing cell is run here after its setup, and then:

- the kernel hook's answer: ``start_repair`` (its rules' findings) and the background
  check of its fix, as ``%load_ext ibis_copilot`` does after a failing cell;
- the sidebar's answer: ``POST /ibis-copilot/explain`` to a real Jupyter server with the
  body the frontend sends (the cell, the error's type and message, the traceback, the
  namespace's tables as ``{variable: {name, schema}}`` and its Ibis imports), timed from
  the request to the ``diagnosis`` event, the stream then closed. The server's model
  points at a closed port, so no model text can come first and no model competes for
  the CPU: the diagnosis does not depend on the model (the service sends it before
  asking the model).

Reported, over the failures the hook diagnoses: the share where Explain's diagnosis names
the same rules, the share where the hook's fix checks and Explain's diagnosis event
carries a checked fix, and seconds to the diagnosis event (p50, p95, max; goal ≤ 1 s),
with ``diagnose_report`` called in this process and Jupyter's own ``/api/status`` as
baselines measured in the same run.

Usage: python benchmarks/bench_explain.py [--set dev|heldout|both] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent / "tests"))  # jupyter_server_process.py

from _common import print_table, write_results  # noqa: E402
from bench_repair import SETS, failing, load  # noqa: E402
from jupyter_server_process import jupyter_server  # noqa: E402
from local_http import free_port  # noqa: E402

from ibis_copilot.expressions.namespace import dialect_of, table_specs  # noqa: E402
from ibis_copilot.repair.engine import check_fix, start_repair  # noqa: E402
from ibis_copilot.repair.imports import ibis_imports  # noqa: E402
from ibis_copilot.repair.verdict import diagnose_report  # noqa: E402

GOAL_SECONDS = 1.0


def hook_answer(error: BaseException, namespace: dict[str, object]) -> dict[str, Any]:
    """The kernel hook's rules and whether its fix passes the background check."""
    repair = start_repair(error, error.__traceback__, namespace)
    first = next((fix for fix in repair.fixes if fix.source == "rules"), None)
    if first is not None:
        check_fix(repair, first)
    return {
        "rules": sorted({d.rule for d in repair.diagnosis}),
        "fix_checked": bool(first and first.checked),
    }


def explain_body(
    entry: dict[str, Any], error: BaseException, namespace: dict[str, object]
) -> dict[str, Any]:
    """What the frontend sends for a failing cell."""
    return {
        "code": entry["code"],
        "error_type": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(error)),
        "tables": table_specs(namespace),
        "imports": ibis_imports(namespace),
        "dialect": dialect_of(namespace),
        "stream": True,
    }


def first_diagnosis(client: httpx.Client, url: str, body: dict[str, Any]) -> tuple[float, Any]:
    """Seconds from the request to the ``diagnosis`` event, and the event."""
    start = time.perf_counter()
    with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line:
                event = json.loads(line)
                if event["type"] == "diagnosis":
                    return time.perf_counter() - start, event
    raise RuntimeError("the stream ended without a diagnosis event")


def direct_seconds(body: dict[str, Any]) -> float:
    """``diagnose_report`` in this process: the work the endpoint wraps."""
    start = time.perf_counter()
    diagnose_report(
        body["code"],
        body["error_type"],
        body["message"],
        body["tables"],
        dialect=body["dialect"],
        imports=body["imports"],
    )
    return time.perf_counter() - start


def measure(
    entries: list[dict[str, Any]], server: Any, client: httpx.Client
) -> list[dict[str, Any]]:
    url = f"{server.url}ibis-copilot/explain"
    rows = []
    for entry in entries:
        error, namespace = failing(entry)
        hook = hook_answer(error, namespace)
        body = explain_body(entry, error, namespace)
        seconds, event = first_diagnosis(client, url, body)
        fix = event.get("fix") or {}
        row = {
            "id": entry["id"],
            "hook_rules": hook["rules"],
            "hook_fix_checked": hook["fix_checked"],
            "explain_rules": sorted({f["rule"] for f in event["findings"]}),
            "explain_fix_checked": fix.get("verdict") in ("checked", "repaired"),
            "seconds": seconds,
            "direct_seconds": direct_seconds(body),
        }
        rows.append(row)
        mark = "same" if row["explain_rules"] == row["hook_rules"] else "DIFFERENT"
        print(f"  {entry['id']:42} {seconds * 1000:7.0f} ms  rules {mark}", file=sys.stderr)
    return rows


def api_status_seconds(server: Any, client: httpx.Client, repeat: int = 20) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(f"{server.url}api/status").raise_for_status()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    diagnosed = [r for r in rows if r["hook_rules"]]
    with_fix = [r for r in diagnosed if r["hook_fix_checked"]]
    times = sorted(r["seconds"] for r in diagnosed) or [0.0]
    return {
        "snippets": len(rows),
        "hook_diagnosed": len(diagnosed),
        "same_rules": sum(r["explain_rules"] == r["hook_rules"] for r in diagnosed),
        "hook_fix_checked": len(with_fix),
        "explain_fix_checked_too": sum(r["explain_fix_checked"] for r in with_fix),
        "explain_fix_checked_where_hook_has_none": sum(
            r["explain_fix_checked"] for r in diagnosed if not r["hook_fix_checked"]
        ),
        "seconds_p50": statistics.median(times),
        "seconds_p95": times[int(0.95 * (len(times) - 1))],
        "seconds_max": times[-1],
        "within_goal": sum(t <= GOAL_SECONDS for t in times),
        "direct_seconds_p50": statistics.median(r["direct_seconds"] for r in diagnosed or rows),
        "different": [
            {k: r[k] for k in ("id", "hook_rules", "explain_rules")}
            for r in diagnosed
            if r["explain_rules"] != r["hook_rules"]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--limit", type=int, help="only the first N snippets of each set")
    args = parser.parse_args()
    names = ("dev", "heldout") if args.set == "both" else (args.set,)
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: the model fails fast
    options = [
        "--IbisCopilot.model_backend=openai",
        f"--IbisCopilot.openai_base_url={closed}",
        "--IbisCopilot.load_model=first-use",
    ]
    summaries: dict[str, Any] = {}
    per_snippet: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as root:
        env = {"IBIS_COPILOT_DATA_DIR": str(Path(root) / "data")}
        with jupyter_server(Path(root), env, args=options) as server:
            client = httpx.Client(headers=server.headers, timeout=60)
            status = api_status_seconds(server, client)
            for name in names:
                print(f"{name} set ({SETS[name].name}):", file=sys.stderr)
                rows = measure(load(name)[: args.limit], server, client)
                summaries[name], per_snippet[name] = summarize(rows), rows
    table = []
    for name, s in summaries.items():
        n = s["hook_diagnosed"]
        table.append(
            [
                name,
                f"{n}/{s['snippets']}",
                f"{s['same_rules']}/{n}",
                f"{s['explain_fix_checked_too']}/{s['hook_fix_checked']}",
                f"{s['seconds_p50'] * 1000:.0f} / {s['seconds_p95'] * 1000:.0f} / "
                f"{s['seconds_max'] * 1000:.0f}",
                f"{s['within_goal']}/{n}",
                f"{s['direct_seconds_p50'] * 1000:.0f}",
            ]
        )
    print_table(
        [
            "set",
            "hook diagnoses",
            "same rules",
            "checked fix (hook → explain)",
            "to diagnosis ms p50/p95/max",
            "≤ 1 s",
            "in-process ms p50",
        ],
        table,
    )
    print(f"Jupyter /api/status median {status * 1000:.1f} ms (same run)")
    path = write_results(
        "bench_explain",
        {
            "goal_seconds": GOAL_SECONDS,
            "api_status_median_seconds": status,
            "sets": summaries,
            "per_snippet": per_snippet,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
