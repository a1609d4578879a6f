"""Inline completion quality through the Assistant, before and after the gate.

Snippets come from the code-generation set's reference solutions (written for that
benchmark, not for this one): each is cut after a ``.`` or ``(`` on its last line, and
the rest of that line is the expected completion. Every snippet is completed by the
configured model through ``Assistant.complete`` with the tables' schemas (as text for the
prompt and as specs for the name checks), as the editor asks by default. Reported: the
share of raw suggestions that parse in their cell and use only real names (what the user
would see without the gate), the share shown after the gate (which must all parse and use
real names), the rest of the line exactly right, and the mean edit similarity of what is
shown.

    python benchmarks/bench_completion.py [--limit N] [--candidates K] [--free-names]
                                          [--set dev|heldout]

``--free-names`` is the baseline of name-constrained decoding: the model may write any
name after a dot.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import machine, write_results
from bench_codegen import build_assistant, wait_for_model
from codegen_data import table_specs

from ibis_copilot.assistant.complete import CompleteWorkflow, CompletionRequest, clean
from ibis_copilot.assistant.completion_gate import withheld_reason

DATA = Path(__file__).parents[1] / "tests" / "data"
#: Snippets are cut from the code-generation tasks' references: dev, or the frozen held-out.
SETS = {"dev": DATA / "codegen_dev.jsonl", "heldout": DATA / "codegen_heldout.jsonl"}
CUT = re.compile(r"[.(]")


def snippets(
    limit: int | None = None, name: str = "dev", with_task: bool = False
) -> list[dict[str, str]]:
    """``{id, prefix, expected}``: each reference cut after its last line's last ``.``/``(``
    that leaves something to complete; ``with_task`` puts the task above the code as a
    comment, as a user who writes down what the cell is for."""
    found = []
    for line in SETS[name].read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        code = task["reference"].rstrip()
        head, _, last = code.rpartition("\n")
        cuts = [m.end() for m in CUT.finditer(last) if last[m.end() :].strip()]
        if not cuts:
            continue
        cut = cuts[len(cuts) // 2]
        prefix = (head + "\n" if head else "") + last[:cut]
        if with_task:
            prefix = f"# {task['task']}\n{prefix}"
        found.append({"id": task["id"], "prefix": prefix, "expected": last[cut:]})
    return found[:limit] if limit else found


def schemas_text(tables: dict[str, Any]) -> str:
    """The tables as the kernel describes them to the editor (``notebook_context()``'s
    ``schemas``), which the editor sends with every completion request by default."""
    from ibis_copilot.expressions.namespace import namespace_context
    from ibis_copilot.repair.names import unbound_tables

    return namespace_context(unbound_tables(tables))


async def complete(assistant: Any, prefix: str, tables: dict[str, Any]) -> dict[str, Any]:
    request = CompletionRequest(prefix, "", schemas=schemas_text(tables), tables=tables)
    tokens: list[str] = []
    done: dict[str, Any] = {}
    started = time.perf_counter()
    async for event in assistant.complete(request):
        if event["type"] == "token":
            tokens.append(event["text"])
        elif event["type"] == "done":
            done = event
    raw = clean("".join(tokens), "")
    return {
        "raw": raw,
        "raw_passes": bool(raw.strip()) and withheld_reason(prefix, raw, "", tables) is None,
        "shown": done.get("completion", ""),
        "withheld": done.get("withheld"),
        "candidates": done.get("candidates", 1),
        "seconds": round(time.perf_counter() - started, 2),
    }


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def line_score(suggestion: str, expected: str) -> dict[str, Any]:
    """The suggestion's first line against the expected rest of the line."""
    shown, expected = first_line(suggestion), expected.strip()
    return {
        "expected": expected,
        "exact": bool(shown) and shown == expected,
        "similarity": difflib.SequenceMatcher(None, shown, expected).ratio(),
    }


async def run(
    limit: int | None, candidates: int, free_names: bool = False, name: str = "dev"
) -> dict[str, Any]:
    tables = table_specs()
    with tempfile.TemporaryDirectory() as scratch:
        assistant = build_assistant(Path(scratch))
        assistant.settings.completion_candidates = candidates
        assistant.complete_workflow = CompleteWorkflow(constrain_names=not free_names)
        assistant.start(load_now=True)
        state = await asyncio.to_thread(wait_for_model, assistant)
        if state["state"] != "ready":
            raise SystemExit(f"the model did not load: {state}")
        rows = []
        try:
            for snippet in snippets(limit, name):
                result = await complete(assistant, snippet["prefix"], tables)
                result |= {"id": snippet["id"], "prefix": snippet["prefix"]}
                result |= line_score(result["shown"], snippet["expected"])
                rows.append(result)
        finally:
            assistant.stop()
    return {"model": state["name"], "rows": rows}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(rows)
    raw = [row for row in rows if row["raw"].strip()]
    shown = [row for row in rows if row["shown"].strip()]
    tables = table_specs()
    passing_shown = [
        r for r in shown if withheld_reason(r["prefix"], r["shown"], "", tables) is None
    ]
    return {
        "snippets": total,
        "raw_suggestions": len(raw),
        "raw_parse_and_real_names": round(sum(r["raw_passes"] for r in raw) / max(1, len(raw)), 3),
        "shown": len(shown),
        "shown_parse_and_real_names": round(len(passing_shown) / max(1, len(shown)), 3),
        "rest_of_line_exact": round(sum(r["exact"] for r in rows) / max(1, total), 3),
        "mean_edit_similarity_shown": round(
            sum(r["similarity"] for r in shown) / max(1, len(shown)), 3
        ),
        "seconds_per_snippet": round(sum(r["seconds"] for r in rows) / max(1, total), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N snippets")
    parser.add_argument(
        "--candidates", type=int, default=1, help="completion_candidates (checked sampling)"
    )
    parser.add_argument(
        "--free-names",
        action="store_true",
        help="let the model write any name after a dot (the baseline of name-constrained decoding)",
    )
    parser.add_argument("--set", choices=tuple(SETS), default="dev", help="whose references")
    args = parser.parse_args()
    result = asyncio.run(run(args.limit, args.candidates, args.free_names, args.set))
    figures = summary(result["rows"])
    names = "free" if args.free_names else "constrained"
    print(
        f"model: {result['model']}, completion_candidates={args.candidates}, names {names}, "
        f"set {args.set}"
    )
    print(f"{'measure':34} value")
    for name, value in figures.items():
        print(f"{name:34} {value}")
    stem = "completion" + ("_free_names" if args.free_names else "")
    path = write_results(
        stem + ("" if args.set == "dev" else f"_{args.set}"),
        {"machine": machine(), "model": result["model"], "candidates": args.candidates,
         "names": names, "set": args.set, "summary": figures, "rows": result["rows"]},
    )  # fmt: skip
    print(f"results: {path}")


if __name__ == "__main__":
    main()
