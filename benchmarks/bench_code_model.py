"""The code model before and after ``ibis-copilot train-codegen``, in the same run.

Both models go through the product (``Assistant.complete`` and ``Assistant.chat``, with
the completion gate, the check and self-repair), one after the other:

- completion on held-out code, each snippet cut after a ``.`` or ``(`` on its last line
  (the rest of the line is expected): the snippets of ``bench_completion.py`` cut from
  ``codegen_dev.jsonl``'s and the frozen ``codegen_heldout.jsonl``'s references (training
  never sees either: hygiene drops anything overlapping them), and snippets of
  synthetic expressions over schemas of held-out generator seeds. Reported: rest of the
  line exactly right, mean edit similarity of what is shown, share of raw suggestions
  that parse in their cell and use only real names, share shown. The codegen snippets
  are measured twice: as cut, and with the task written above the code as a comment (a
  user who says what the cell is for; without it the columns a line should name are
  often a guess);
- NL → Ibis pass@1 on DuckDB on a spread subset of ``codegen_dev.jsonl`` through the
  codegen benchmark's scoring, as written (without the product's checks) and as shown
  (with them); the share of chat answers that cite a source;
- generation tokens/s of each model on the same prompts (greedy, fixed length);
- training time and examples/s, read from the tuned model's card (measured by the run
  that trained it).

    python benchmarks/bench_code_model.py --tuned DIR [--base NAME] [--completion-limit N]
        [--synthetic N] [--codegen-tasks N] [--no-codegen]

On a busy machine each model's quality can be measured alone (``--only base`` while the
model trains, ``--only tuned``; written to ``results/code_model_<role>.json``) and reused
with ``--base-results FILE`` / ``--tuned-results FILE``: decoding is greedy, so the answers
would be the same; the figures are recomputed on exactly this run's snippets and tasks,
and both models' tokens/s are still measured in this run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import bench_codegen  # noqa: E402
import codegen_data  # noqa: E402
from _common import print_table, write_results  # noqa: E402
from bench_completion import complete, line_score, snippets  # noqa: E402

from ibis_copilot.codegen_training.hygiene import held_out  # noqa: E402
from ibis_copilot.codegen_training.schemas import generate_schema  # noqa: E402
from ibis_copilot.codegen_training.synthetic import (  # noqa: E402
    Verified,
    drafts,
    verify,
)
from ibis_copilot.codegen_training.trainer import CARD  # noqa: E402

CUT = re.compile(r"[.(]")
CITATION = re.compile(r"\[\d+\]")
SPEED_PROMPTS = (
    "How do I keep the rows of an Ibis table where a column is above 10?",
    "Write Ibis code that counts rows per category of a table t.",
)


def synthetic_snippets(count: int, share: float = 0.1) -> list[dict[str, Any]]:
    """Snippets cut mid-line from verified expressions of held-out seeds only."""
    import pandas as pd

    from ibis_copilot.codegen_training.schemas import connect

    rng = random.Random(7)  # noqa: S311 - sampling cuts
    found: list[dict[str, Any]] = []
    seed = 0
    while len(found) < count and seed < 5000:
        seed += 1
        if not held_out(f"seed:{seed}", share):
            continue
        schema = generate_schema(seed)
        con = connect(schema)
        frames = {
            name: pd.DataFrame(t.rows, columns=list(t.columns)) for name, t in schema.tables.items()
        }
        for draft in drafts(schema, 3):
            try:
                checked: Verified = verify(draft, schema, con, frames)
            except ValueError:
                continue
            head, _, last = checked.draft.code.rpartition("\n")
            cuts = [m.end() for m in CUT.finditer(last) if last[m.end() :].strip()]
            if cuts:
                cut = rng.choice(cuts)
                prefix = (head + "\n" if head else "") + last[:cut]
                tables = {
                    name: {"name": name, "schema": t.ibis_schema()}
                    for name, t in schema.tables.items()
                }
                found.append(
                    {
                        "id": f"seed{seed}",
                        "prefix": prefix,
                        "expected": last[cut:],
                        "tables": tables,
                    }
                )
        con.disconnect()
    return found[:count]


def _use(model: str) -> None:
    """The model both roles of the product use for the next Assistant built."""
    os.environ["IBIS_COPILOT_CHAT_MODEL"] = model
    os.environ["IBIS_COPILOT_COMPLETION_MODEL"] = model


async def _completions(
    items: list[dict[str, Any]], default_tables: dict[str, Any]
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as scratch:
        assistant = bench_codegen.build_assistant(Path(scratch))
        assistant.start(load_now=True)
        state = await asyncio.to_thread(bench_codegen.wait_for_model, assistant)
        if state["state"] != "ready":
            raise SystemExit(f"the model did not load: {state}")
        rows = []
        try:
            for item in items:
                tables = item.get("tables") or default_tables
                result = await complete(assistant, item["prefix"], tables)
                result |= {"id": item["id"]} | line_score(result["shown"], item["expected"])
                rows.append(result)
        finally:
            assistant.stop()
    return rows


def completion_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(rows)
    raw = [r for r in rows if r["raw"].strip()]
    shown = [r for r in rows if r["shown"].strip()]
    return {
        "snippets": total,
        "rest_of_line_exact": round(sum(r["exact"] for r in rows) / max(1, total), 3),
        "mean_edit_similarity_shown": round(
            sum(r["similarity"] for r in shown) / max(1, len(shown)), 3
        ),
        "raw_parse_and_real_names": round(sum(r["raw_passes"] for r in raw) / max(1, len(raw)), 3),
        "shown_share": round(len(shown) / max(1, total), 3),
        "seconds_per_snippet": round(sum(r["seconds"] for r in rows) / max(1, total), 2),
    }


def codegen_subset(count: int) -> list[Any]:
    """``count`` tasks spread over the set (every k-th), so every category is visited."""
    tasks = bench_codegen.load_tasks()
    step = max(1, len(tasks) // max(1, count))
    return tasks[::step][:count]


def run_codegen(tasks: list[Any]) -> dict[str, Any]:
    from ibis_copilot.expressions.namespace import namespace_context

    admit = bench_codegen.allowlist()
    with (
        bench_codegen.open_engines(["duckdb"], codegen_data.generate()) as (engines, missing),
        tempfile.TemporaryDirectory(prefix="bench-code-model-") as scratch,
    ):
        if not engines:
            raise SystemExit(f"duckdb could not be opened: {missing}")
        expected, problems = bench_codegen.reference_results(tasks, engines)
        for problem in problems:
            print(f"reference problem: {problem}", file=sys.stderr)
        context = {
            "schemas": namespace_context(codegen_data.namespace(engines["duckdb"].con)),
            "tables": codegen_data.table_specs(),
            "dialect": "duckdb",
        }
        assistant = bench_codegen.build_assistant(Path(scratch))
        assistant.start(load_now=True)
        try:
            state = bench_codegen.wait_for_model(assistant)
            if state["state"] != "ready":
                raise SystemExit(f"the model did not load: {state}")
            run = asyncio.run(
                bench_codegen.answer_all(assistant, tasks, context, engines, expected, admit=admit)
            )
        finally:
            assistant.stop()
        summaries = {
            variant: bench_codegen.summarize(
                tasks, run.verdicts[variant], run.answers, ["duckdb"], expected
            )["duckdb"]
            for variant in bench_codegen.VARIANTS
        }
    answers = list(run.answers.values())
    return {
        "pass@1_without_checks": summaries["written"]["pass@1"],
        "pass@1_with_checks": summaries["shown"]["pass@1"],
        "code_block_share": summaries["written"]["code_block"],
        "answers_citing_a_source": round(
            sum(bool(CITATION.search(a.text)) for a in answers) / max(1, len(answers)), 3
        ),
        "seconds_per_task": round(summaries["written"]["seconds_per_task_answer"], 1),
        "per_task": {
            task.id: {
                "written": run.verdicts["written"][task.id].engines["duckdb"].outcome,
                "shown": run.verdicts["shown"][task.id].engines["duckdb"].outcome,
                "answer": run.answers[task.id].text,
            }
            for task in tasks
        },
    }


def codegen_from_rows(per_task: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The codegen figures of :func:`run_codegen` recomputed from its per-task rows."""
    n = max(1, len(per_task))
    rows = per_task.values()
    return {
        "pass@1_without_checks": round(sum(r["written"] == "correct" for r in rows) / n, 3),
        "pass@1_with_checks": round(sum(r["shown"] == "correct" for r in rows) / n, 3),
        "code_block_share": round(sum(r["written"] != "no_code" for r in rows) / n, 3),
        "answers_citing_a_source": round(
            sum(bool(CITATION.search(r["answer"])) for r in rows) / n, 3
        ),
        "seconds_per_task": "n/a",
        "per_task": per_task,
    }


def restrict(
    earlier: dict[str, Any], items: dict[str, list[dict[str, Any]]], codegen_tasks: int | None
) -> dict[str, Any]:
    """An earlier run's base figures on exactly this run's snippets and tasks (the earlier
    run must have measured a superset)."""
    base: dict[str, Any] = {}
    for name, wanted in items.items():
        by_key = {(r["id"], r["expected"]): r for r in earlier[f"completion_{name}_rows"]}
        keys = [(item["id"], item["expected"].strip()) for item in wanted]
        missing = [key for key in keys if key not in by_key]
        if missing:
            raise SystemExit(f"--base-results lacks {len(missing)} of these {name} snippets")
        rows = [by_key[key] for key in keys]
        base[f"completion_{name}"] = completion_summary(rows)
        base[f"completion_{name}_rows"] = rows
    if codegen_tasks is not None:
        ids = [task.id for task in codegen_subset(codegen_tasks)]
        per_task = earlier["codegen"]["per_task"]
        if not set(ids) <= set(per_task):
            raise SystemExit("--base-results lacks some of these codegen tasks")
        base["codegen"] = codegen_from_rows({i: per_task[i] for i in ids})
    return base


def tokens_per_second(model: str, new_tokens: int = 48) -> float:
    """Greedy generation speed on fixed chat prompts (median of the prompts)."""
    from ibis_copilot.models.base import CancelToken, GenerationParams
    from ibis_copilot.models.transformers_backend import TransformersGenerator

    generator = TransformersGenerator(model)
    generator.load()
    rates = []
    for question in SPEED_PROMPTS:
        prompt = generator.render_chat([{"role": "user", "content": question}])
        started = time.perf_counter()
        text = "".join(
            generator.stream(prompt, GenerationParams(max_tokens=new_tokens), CancelToken())
        )
        rates.append(generator.count_tokens(text) / (time.perf_counter() - started))
    return round(statistics.median(rates), 2)


def measure(
    model: str, args: argparse.Namespace, items: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    _use(model)
    print(f"-- {model}", file=sys.stderr)
    result: dict[str, Any] = {"tokens_per_second": tokens_per_second(model)}
    tables = codegen_data.table_specs()
    for name, snippet_list in items.items():
        rows = asyncio.run(_completions(snippet_list, tables))
        result[f"completion_{name}"] = completion_summary(rows)
        result[f"completion_{name}_rows"] = rows
    if not args.no_codegen:
        result["codegen"] = run_codegen(codegen_subset(args.codegen_tasks))
    return result


def completion_items(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """The completion sets to measure, by name (all, or those ``--sets`` names)."""
    items = {
        "codegen_snippets": snippets(args.completion_limit),
        "codegen_heldout_snippets": snippets(args.completion_limit, "heldout"),
        "codegen_snippets_with_task": snippets(args.completion_limit, with_task=True),
        "codegen_heldout_snippets_with_task": snippets(
            args.completion_limit, "heldout", with_task=True
        ),
        "synthetic_heldout": synthetic_snippets(args.synthetic),
    }
    wanted = [name.strip() for name in (args.sets or "").split(",") if name.strip()]
    if unknown := sorted(set(wanted) - set(items)):
        raise SystemExit(f"--sets: no {', '.join(unknown)}; choose from {', '.join(items)}")
    return {name: items[name] for name in wanted} if wanted else items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuned", help="the tuned checkpoint folder")
    parser.add_argument("--base", default="smollm2-135m-instruct")
    parser.add_argument("--completion-limit", type=int, help="first N bench_completion snippets")
    parser.add_argument("--synthetic", type=int, default=30, help="held-out synthetic snippets")
    parser.add_argument("--codegen-tasks", type=int, default=8, help="spread subset size")
    parser.add_argument("--no-codegen", action="store_true")
    parser.add_argument(
        "--only",
        choices=("base", "tuned"),
        help="measure one model's quality alone (results/code_model_<role>.json), e.g. the "
        "base while the tuned model trains",
    )
    for role in ("base", "tuned"):
        parser.add_argument(
            f"--{role}-results",
            type=Path,
            help=f"reuse that file's {role} quality (greedy decoding: the same answers); "
            "speed is still measured in this run",
        )
    parser.add_argument(
        "--sets",
        help="comma-separated completion sets to measure (default: all of them), e.g. the "
        "ones a reused results file lacks",
    )
    args = parser.parse_args()
    items = completion_items(args)
    if args.only == "base":
        path = write_results("code_model_base", {"results": measure(args.base, args, items)})
        print(f"results: {path}")
        return
    if not args.tuned or not (Path(args.tuned) / "config.json").is_file():
        raise SystemExit(f"--tuned {args.tuned}: not a checkpoint folder (train-codegen makes one)")
    if args.only == "tuned":
        path = write_results("code_model_tuned", {"results": measure(args.tuned, args, items)})
        print(f"results: {path}")
        return
    card_path = Path(args.tuned) / CARD  # absent in an unfinished run's checkpoint folder
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    results = {}
    for role, model, earlier_file in (
        ("base", args.base, args.base_results),
        ("tuned", args.tuned, args.tuned_results),
    ):
        if earlier_file:
            earlier = json.loads(earlier_file.read_text())["results"]
            results[role] = restrict(
                earlier, items, None if args.no_codegen else args.codegen_tasks
            )
            _use(model)
            results[role]["tokens_per_second"] = tokens_per_second(model)
        else:
            results[role] = measure(model, args, items)
    rows = []
    for set_name in items:
        for measure_name in (
            "rest_of_line_exact",
            "mean_edit_similarity_shown",
            "raw_parse_and_real_names",
            "shown_share",
            "seconds_per_snippet",
        ):
            base = results["base"][f"completion_{set_name}"][measure_name]
            tuned = results["tuned"][f"completion_{set_name}"][measure_name]
            rows.append([f"{set_name}: {measure_name}", str(base), str(tuned)])
    if not args.no_codegen:
        for measure_name in (
            "pass@1_without_checks",
            "pass@1_with_checks",
            "code_block_share",
            "answers_citing_a_source",
            "seconds_per_task",
        ):
            rows.append(
                [
                    f"codegen ({args.codegen_tasks} tasks, duckdb): {measure_name}",
                    str(results["base"]["codegen"][measure_name]),
                    str(results["tuned"]["codegen"][measure_name]),
                ]
            )
    rows.append(
        [
            "generation tokens/s",
            str(results["base"]["tokens_per_second"]),
            str(results["tuned"]["tokens_per_second"]),
        ]
    )
    rows.append(
        [
            "training: steps / seconds / sequences per s",
            "",
            " / ".join(
                str(card.get(k, "n/a")) for k in ("steps", "seconds", "train_sequences_per_second")
            ),
        ]
    )
    print_table(["measure", "base", "tuned"], rows)
    path = write_results(
        "code_model",
        {
            "base": args.base,
            "tuned_card": card,
            "codegen_tasks": args.codegen_tasks,
            "quality_from": {
                "base": str(args.base_results or "this run"),
                "tuned": str(args.tuned_results or "this run"),
            },
            "results": results,
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
