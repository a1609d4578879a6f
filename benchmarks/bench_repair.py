"""Repair benchmark: how often the rules (and the model) diagnose and fix real failures.

For every snippet of ``tests/data/repair_dev.jsonl`` the cell is run after its setup, as
``ibis-copilot fix`` and the kernel hook run it, and per category we count:

- diagnosed: a diagnosis names the mistake: its text names one of the snippet's
  ``mentions`` (the wrong name the user wrote or the right one), or, for snippets written
  without that field, a name, string or operator that the reference changes (a token in
  the failing cell or the reference but not both); labels play no part, so sets written
  with their own taxonomy are judged alike. A diagnosis that only locates the Ibis call
  that raised (its signature, the argument the message quotes) is counted too, and
  reported on its own line;
- rules fix: the rules' fix passed the check process AND the snippet's own check
  (an assertion on the expression the fixed cell ends with, run on the whole fixed cell:
  from the failing line, tables the cell derived earlier would be bare schemas);
- rules + model: the same after the model's explanation was asked for (only where the
  rules had no checked fix; ``--model`` starts a Jupyter server with the small model).

Then the time the hook adds to a failing cell with no server running: a bare
InteractiveShell runs each broken cell with and without ``%load_ext ibis_copilot``
(the fix's check runs in a background thread and is timed on its own).

``--set heldout`` scores the frozen held-out snippets (tests/data/HELDOUT.md) instead, and
``--set both`` (the default) scores both, labelled; the hook timing uses the first set.

Usage: python benchmarks/bench_repair.py [--model] [--repeat N] [--set dev|heldout|both]
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import re
import statistics
import sys
import tempfile
import time
import tokenize
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import print_table, write_results

DATA = Path(__file__).parent.parent / "tests" / "data"
SETS = {"dev": DATA / "repair_dev.jsonl", "heldout": DATA / "repair_heldout.jsonl"}
DATASET = SETS["dev"]


def load(name: str = "dev") -> list[dict[str, Any]]:
    return [json.loads(line) for line in SETS[name].read_text().splitlines() if line.strip()]


def failing(entry: dict[str, Any]) -> tuple[BaseException, dict[str, object]]:
    """Run setup, then the broken cell as a file of its own: its exception and the
    namespace after it."""
    from ibis_copilot.expressions.snippet import run_snippet

    namespace: dict[str, object] = {}
    # A warning prints the line that raised it: a held-out snippet's code on the screen.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_snippet(entry["setup"], f"<setup {entry['id']}>", namespace)
        try:
            run_snippet(entry["code"], f"<cell {entry['id']}>", namespace)
        except Exception as error:  # noqa: BLE001 - the failure is the input
            return error, namespace
    raise AssertionError(f"{entry['id']} did not fail")


def fail(entry: dict[str, Any]) -> Any:
    """The repair of the snippet's failure, as the kernel hook starts it."""
    from ibis_copilot.repair.engine import start_repair

    error, namespace = failing(entry)
    return start_repair(error, error.__traceback__, namespace)


def mentions(entry: dict[str, Any]) -> set[str]:
    """What a correct diagnosis of the snippet names (see the module docstring)."""
    if entry.get("mentions"):
        return {word.lower() for word in entry["mentions"]}
    code, reference = _tokens(entry["code"]), _tokens(entry["reference"])
    found: set[str] = set()
    matcher = difflib.SequenceMatcher(a=code, b=reference, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        words = {w.strip("'\"") for w in code[i1:i2] + reference[j1:j2] if _is_word(w)}
        if not words:  # only brackets or operators changed: the name they belong to
            words = {next((w for w in reversed(code[:i1]) if w.isidentifier()), "")}
        found |= {word.lower() for word in words if word}
    return found


def _tokens(source: str) -> list[str]:
    """The names, operators and string literals of ``source``, in order."""
    kinds = (tokenize.NAME, tokenize.OP, tokenize.STRING)
    readline = io.StringIO(source).readline
    return [t.string for t in tokenize.generate_tokens(readline) if t.type in kinds]


def _is_word(token: str) -> bool:
    """A name, a keyword operator or a string: something a diagnosis can name."""
    return token.isidentifier() or token[0] in "'\"" or token in ("&", "|", "~")


def names_the_mistake(messages: list[str], words: set[str]) -> bool:
    """One of ``words`` appears in one of ``messages`` (as a whole word where it is one)."""
    for message in (m.lower() for m in messages):
        for word in words:
            if not word.isidentifier():
                if word in message:
                    return True
            elif re.search(rf"(?<!\w){re.escape(word)}(?!\w)", message):
                return True
    return False


def correct(repair: Any, entry: dict[str, Any], source: str) -> bool:
    """The first checked fix from ``source`` satisfies the snippet's own check."""
    from ibis_copilot.repair.engine import check_fix, check_in_context

    for fix in repair.fixes:
        if fix.source != source:
            continue
        if fix.check is None:
            check_fix(repair, fix)
        if fix.checked:
            verdict = check_in_context(repair, fix.code, assertion=entry["check"], whole_cell=True)
            return bool(verdict.checked and verdict.assertion)
    return False


def quality(entries: list[dict[str, Any]], client: Any) -> dict[str, dict[str, Any]]:
    from ibis_copilot.kernel.explain_stream import stream_explanation

    per_category: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "n": 0,
            "diagnosed": 0,
            "diagnosed_by_location": 0,
            "rules_fix": 0,
            "rules_wrong_checked": 0,
            "rules_model_fix": 0,
            "model_runs": 0,
        }
    )
    for entry in entries:
        counts = per_category[entry["category"]]
        counts["n"] += 1
        repair = fail(entry)
        diagnosed = names_the_mistake([d.message for d in repair.diagnosis], mentions(entry))
        counts["diagnosed"] += diagnosed
        rules = {d.rule for d in repair.diagnosis}
        counts["diagnosed_by_location"] += diagnosed and rules == {"failing call"}
        by_rules = correct(repair, entry, "rules")
        counts["rules_fix"] += by_rules
        first = next((fix for fix in repair.fixes if fix.source == "rules"), None)
        counts["rules_wrong_checked"] += bool(first and first.checked and not by_rules)
        by_model = False
        if client is not None and not by_rules:
            stream_explanation(repair, client, lambda _text: None, budget_s=120)
            counts["model_runs"] += 1
            by_model = correct(repair, entry, "model")
        counts["rules_model_fix"] += by_rules or by_model
        mark = "rules" if by_rules else "model" if by_model else "-"
        print(f"  {entry['id']:40} fixed by: {mark}", file=sys.stderr)
    return dict(per_category)


#: How many snippets the hook is timed on: each waits for its fix's check, three passes.
TIMED_SNIPPETS = 120


def evenly_spread(entries: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """At most ``count`` of ``entries``, taken at even steps (the same ones every run)."""
    step = max(1, -(-len(entries) // count))
    return entries[::step]


def hook_overhead(entries: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """Median seconds of a failing cell without and with the hook (no server running)."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    os.environ.pop("IBIS_COPILOT_URL", None)
    os.environ["JUPYTER_RUNTIME_DIR"] = tempfile.mkdtemp()  # no server to discover

    def cell_times(with_hook: bool) -> tuple[list[float], list[float]]:
        shell = InteractiveShell.instance()
        shell.run_line_magic("colors", "nocolor")
        if with_hook:
            shell.run_line_magic("load_ext", "ibis_copilot")
        cells, checks = [], []
        for _ in range(repeat):
            for entry in entries:
                shell.run_cell(entry["setup"])
                with capture_output():
                    start = time.perf_counter()
                    shell.run_cell(entry["code"])
                    cells.append(time.perf_counter() - start)
                    helper = getattr(shell, "ibis_copilot_errors", None)
                    if helper is not None and helper.checking is not None:
                        helper.wait()
                        checks.append(time.perf_counter() - start)
                        helper.checking = None
        InteractiveShell.clear_instance()
        return cells, checks

    cell_times(True)  # warm-up: imports
    plain, _ = cell_times(False)
    hooked, checks = cell_times(True)
    return {
        "plain_median_ms": statistics.median(plain) * 1000,
        "hooked_median_ms": statistics.median(hooked) * 1000,
        "added_median_ms": (statistics.median(hooked) - statistics.median(plain)) * 1000,
        "added_p95_ms": (
            sorted(hooked)[int(0.95 * (len(hooked) - 1))]
            - sorted(plain)[int(0.95 * (len(plain) - 1))]
        )
        * 1000,
        "check_median_ms": statistics.median(checks) * 1000 if checks else 0.0,
    }


def start_model_client() -> tuple[Any, Any]:
    from bench_generation import TOKEN, Server

    from ibis_copilot.kernel.client import AssistantClient, ServerInfo

    server = Server(Path(tempfile.mkdtemp(prefix="bench-repair-")))
    server.wait_ready()
    return server, AssistantClient(ServerInfo(f"http://127.0.0.1:{server.port}/", TOKEN))


def print_quality(per_category: dict[str, dict[str, Any]], model: bool) -> dict[str, int]:
    """The per-category table; the totals."""

    def rate(count: int, total: int) -> str:
        return f"{count}/{total} ({count / total:.0%})"

    rows = []
    totals = defaultdict(int)
    for category, counts in sorted(per_category.items()):
        for key, value in counts.items():
            totals[key] += value
        rows.append(
            [
                category,
                str(counts["n"]),
                rate(counts["diagnosed"], counts["n"]),
                rate(counts["rules_fix"], counts["n"]),
                rate(counts["rules_model_fix"], counts["n"]) if model else "not run",
            ]
        )
    n = totals["n"]
    rows.append(
        [
            "all",
            str(n),
            rate(totals["diagnosed"], n),
            rate(totals["rules_fix"], n),
            rate(totals["rules_model_fix"], n) if model else "not run",
        ]
    )
    print_table(["category", "n", "diagnosed", "rules fix ✓", "rules+model fix ✓"], rows)
    print(
        f"rules fixes that passed the check process but not the snippet's check: "
        f"{totals['rules_wrong_checked']}/{n}"
    )
    print(
        "diagnosed only by locating the Ibis call that raised (its signature and the "
        f"argument the message quotes): {totals['diagnosed_by_location']}/{n}"
    )
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="store_true", help="also ask the small model")
    parser.add_argument("--repeat", type=int, default=3, help="rounds for the hook timing")
    parser.add_argument(
        "--set",
        choices=("dev", "heldout", "both"),
        default="both",
        help="snippet set(s) to score (held-out: tests/data/HELDOUT.md)",
    )
    args = parser.parse_args()
    names = ("dev", "heldout") if args.set == "both" else (args.set,)
    sets = {name: load(name) for name in names}
    server, client = start_model_client() if args.model else (None, None)
    scored = {}
    try:
        for name, entries in sets.items():
            print(f"{name} set ({SETS[name].name}):", file=sys.stderr)
            scored[name] = quality(entries, client)
    finally:
        if server is not None:
            server.stop()
    timing = hook_overhead(evenly_spread(sets[names[0]], TIMED_SNIPPETS), args.repeat)

    summaries = {}
    for name, per_category in scored.items():
        if len(scored) > 1:
            print(f"== {name} set ({SETS[name].name})")
        summaries[name] = print_quality(per_category, args.model)
        print()
    per_category, totals = scored[names[0]], summaries[names[0]]
    print(
        f"hook, no server: failing cell {timing['plain_median_ms']:.1f} ms → "
        f"{timing['hooked_median_ms']:.1f} ms (added median {timing['added_median_ms']:.1f} ms,"
        f" p95 {timing['added_p95_ms']:.1f} ms; goal ≤ 50 ms); background check of the fix "
        f"{timing['check_median_ms']:.0f} ms median"
    )
    path = write_results(
        "bench_repair",
        {
            "per_category": per_category,
            "totals": totals,
            "hook": timing,
            "model": args.model,
            "set": names[0],
            "sets": {
                name: {"per_category": scored[name], "totals": summaries[name]} for name in names
            },
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
