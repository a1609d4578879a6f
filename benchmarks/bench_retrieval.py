"""Retrieval quality and speed on the development query set.

Builds the default index (the bundled Ibis docs + the installed package's API) in a
temporary directory, then scores dense-only, BM25-only and hybrid retrieval on
tests/data/retrieval_dev.jsonl: Recall@1, Recall@5, MRR@10, nDCG@10. Also measures the
full build (time, chunks/s), a re-index with nothing changed, and search latency.
Prints tables and writes benchmarks/results/bench_retrieval.json.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import math
import os
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table, write_results

from ibis_copilot.knowledge.embeddings import DEFAULT_EMBEDDING_MODEL, Embedder
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase, default_sources

DATA = Path(__file__).parents[1] / "tests" / "data"
SETS = {"dev": DATA / "retrieval_dev.jsonl", "heldout": DATA / "retrieval_heldout.jsonl"}
GOALS = {"recall@5": 0.90, "mrr@10": 0.75, "p95_ms": 50.0, "build_s": 180.0, "reindex_s": 10.0}


#: What a documented API name can be: a function, a property or another descriptor, a class.
DOCUMENTED = (types.FunctionType, property, classmethod, staticmethod, type)


@functools.cache
def documented(path: str) -> object:
    """What an ``api:`` path documents, so that one member named by the private mixin that
    defines it (``_TimeComponentMixin.time``, as a held-out writer keys it) and by the
    public class that inherits it (``TimestampValue.time``, as the index names it) is one
    answer; any other path is itself."""
    parts = path.removeprefix("api:").split(".")
    for cut in range(len(parts) - 1, 0, -1) if path.startswith("api:") else ():
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                found = inspect.getattr_static(found, name)
        except AttributeError:
            return path
        return found if isinstance(found, DOCUMENTED) else path
    return path


def score(paths: list[str], gold: set[str]) -> dict[str, float]:
    """Metrics for one ranked list of result paths against the acceptable gold paths (a
    path counts when it documents the same object as a gold path)."""
    wanted = {documented(path) for path in gold}
    found = [documented(path) for path in paths[:10]]
    first = next((i for i, answer in enumerate(found) if answer in wanted), None)
    counted: set[object] = set()
    dcg = 0.0
    for i, answer in enumerate(found):
        if answer in wanted and answer not in counted:
            counted.add(answer)
            dcg += 1.0 / math.log2(i + 2)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), 10)))
    return {
        "recall@1": float(first == 0),
        "recall@5": float(first is not None and first < 5),
        "mrr@10": 0.0 if first is None else 1.0 / (first + 1),
        "ndcg@10": dcg / ideal,
    }


def evaluate(base: KnowledgeBase, queries: list[dict], mode: str) -> tuple[dict, list[dict]]:
    per_query = []
    for item in queries:
        paths = [r.path for r in base.retriever.search(item["query"], k=10, mode=mode)]
        per_query.append(
            {"query": item["query"], "top5": paths[:5], **score(paths, set(item["gold"]))}
        )
    metrics = {
        name: statistics.fmean(row[name] for row in per_query)
        for name in ("recall@1", "recall@5", "mrr@10", "ndcg@10")
    }
    return metrics, per_query


def by_kind(details: dict[str, list[dict]], items: list[dict]) -> dict[str, dict]:
    """Per ``kind`` (held-out questions have one): metrics per mode."""
    kinds: dict[str, dict] = {}
    for kind in sorted({item["kind"] for item in items if "kind" in item}):
        rows = [i for i, item in enumerate(items) if item.get("kind") == kind]
        kinds[kind] = {
            mode: {
                name: statistics.fmean(per_query[i][name] for i in rows)
                for name in ("recall@1", "recall@5", "mrr@10", "ndcg@10")
            }
            | {"n": len(rows)}
            for mode, per_query in details.items()
        }
    return kinds


def print_metrics(
    results: dict, details: dict, items: list[dict], chunks: int, *, misses: bool = True
) -> None:
    rows = [[mode, *(f"{results[mode][m]:.3f}" for m in results[mode])] for mode in results]
    if "hybrid+rerank" not in results:
        rows.append(["hybrid+rerank", "n/a", "n/a", "n/a", "n/a"])
    print(f"{len(items)} queries, {chunks} chunks\n")
    print_table(["mode", "R@1", "R@5", "MRR@10", "nDCG@10"], rows)
    kinds = by_kind(details, items)
    if kinds:
        print()
        print_table(
            ["kind", "n", *(f"{mode} R@5 / MRR@10" for mode in details)],
            [
                [
                    kind,
                    str(modes["hybrid"]["n"]),
                    *(
                        f"{modes[mode]['recall@5']:.3f} / {modes[mode]['mrr@10']:.3f}"
                        for mode in details
                    ),
                ]
                for kind, modes in kinds.items()
            ],
        )
    missed = [row for row in details["hybrid"] if not row["recall@5"]] if misses else []
    if missed:
        print("\nhybrid misses (not in top 5):")
        for row in missed:
            print(f"- {row['query']}: {row['top5'][:3]}")
    print()


def compare_precisions(model: str, sources: list) -> dict[str, float]:
    """Embed every tenth chunk in float32 and under bfloat16 autocast: seconds each (best
    of two) and the smallest cosine between a chunk's two vectors."""
    texts = [chunk.document for source in sources for chunk in source.chunks()][::10]
    timed, vectors = {"chunks": float(len(texts))}, {}
    for name, bfloat16 in (("float32", False), ("bfloat16", True)):
        embedder = Embedder(model, bfloat16=bfloat16)
        embedder.embed(texts[:2])  # load and warm up
        best = math.inf
        for _ in range(2):
            start = time.perf_counter()
            vectors[name] = embedder.embed(texts)
            best = min(best, time.perf_counter() - start)
        timed[name] = best
    cosines = (vectors["float32"] * vectors["bfloat16"]).sum(axis=1)
    return {**timed, "min_cosine": float(cosines.min())}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="reuse an index here (default: temporary)")
    parser.add_argument("--latency-rounds", type=int, default=3)
    parser.add_argument(
        "--embedding-model",
        default=DEFAULT_EMBEDDING_MODEL,
        help="embedding model name or folder, e.g. one made by `ibis-copilot train-embeddings` "
        "(default: the packaged MiniLM)",
    )
    parser.add_argument(
        "--set",
        choices=("dev", "heldout", "both"),
        default="both",
        help="query set(s) to score (held-out: tests/data/HELDOUT.md)",
    )
    parser.add_argument(
        "--no-example-sql",
        action="store_true",
        help="index the API without its vocabulary bridge (the SQL its examples compile to, "
        "pandas' names): the earlier baseline",
    )
    parser.add_argument(
        "--float32",
        action="store_true",
        help="embed in float32 even where the CPU runs bfloat16 fast (the earlier baseline)",
    )
    parser.add_argument(
        "--pasted-errors",
        action="store_true",
        help="also score pasted-error questions mined from the repair development snippets "
        "(pasted_errors.py; hybrid only)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    names = ("dev", "heldout") if args.set == "both" else (args.set,)
    sets = {
        name: [json.loads(line) for line in SETS[name].read_text().splitlines() if line.strip()]
        for name in names
    }
    queries = sets[names[0]]  # the first set: latency and the top-level figures

    with tempfile.TemporaryDirectory() as tmp:
        base = KnowledgeBase(args.data_dir or Path(tmp), embedding_model=args.embedding_model)
        if args.float32:
            base.embedder = Embedder(args.embedding_model, bfloat16=False)
        sources = default_sources(base.index_dir.parent, example_sql=not args.no_example_sql)
        start = time.perf_counter()
        report = base.index(sources, progress=False)
        build_s = time.perf_counter() - start
        example_sql = next(
            (s.example_sql for s in sources if getattr(s, "example_sql", None) is not None), None
        )
        examples = (example_sql.compiled, example_sql.seconds) if example_sql else (0, 0.0)
        added = sum(row.added for row in report.sources)
        start = time.perf_counter()
        base.index(sources, progress=False)
        reindex_s = time.perf_counter() - start

        scored = {}
        reranker = os.environ.get("IBIS_COPILOT_RERANKER_MODEL")
        reranked = (
            KnowledgeBase(
                base.index_dir.parent,
                embedding_model=args.embedding_model,
                reranker_model=reranker,
            )
            if reranker
            else None
        )
        for name, items in sets.items():
            results, details = {}, {}
            for mode in ("dense", "lexical", "hybrid"):
                results[mode], details[mode] = evaluate(base, items, mode)
            if reranked is not None:
                results["hybrid+rerank"], _ = evaluate(reranked, items, "hybrid")
            scored[name] = (results, details)
        pasted = None
        if args.pasted_errors:
            from pasted_errors import score_pasted_errors

            pasted = score_pasted_errors(base, evaluate)
        latencies = []
        for _ in range(args.latency_rounds):
            for item in queries:
                start = time.perf_counter()
                base.search(item["query"], k=5)
                latencies.append((time.perf_counter() - start) * 1000)
        chunks = base.store.count()
        precisions = compare_precisions(args.embedding_model, sources)

    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    for name, (results, details) in scored.items():
        if len(scored) > 1:
            print(f"== {name} set ({SETS[name].name})")
        # a held-out set's misses are never shown (tests/data/HELDOUT.md)
        print_metrics(results, details, sets[name], chunks, misses=name != "heldout")
    results, details = scored[names[0]]
    if "hybrid+rerank" not in results:
        print("\n(hybrid+rerank: set IBIS_COPILOT_RERANKER_MODEL to a local cross-encoder;")
        print(" none ships on PyPI for offline use, so none is run by default)")
    print()
    print_table(
        ["measure", "value", "goal"],
        [
            ["full build", f"{build_s:.1f} s ({added / build_s:.1f} chunks/s)", "<= 180 s"],
            [
                "  of which example SQL",
                f"{examples[1]:.1f} s ({examples[0]} examples compiled)",
                "",
            ],
            [
                f"  embedded in {'bfloat16' if base.embedder.bfloat16 else 'float32'}",
                f"bfloat16 {precisions['float32'] / precisions['bfloat16']:.2f}x float32's speed"
                f" ({precisions['chunks']:.0f} chunks; min cosine {precisions['min_cosine']:.5f})",
                "",
            ],
            ["re-index, nothing changed", f"{reindex_s:.1f} s", "<= 10 s"],
            ["search p50", f"{p50:.1f} ms", ""],
            ["search p95", f"{p95:.1f} ms", "<= 50 ms"],
        ],
    )
    path = write_results(
        "bench_retrieval",
        {
            "queries": len(queries),
            "embedding_model": args.embedding_model,
            "chunks": chunks,
            "metrics": results,
            "rerank": os.environ.get("IBIS_COPILOT_RERANKER_MODEL") or "not run: none configured",
            "build_s": build_s,
            "chunks_per_s": added / build_s,
            "reindex_s": reindex_s,
            "embedding_precision": "bfloat16" if base.embedder.bfloat16 else "float32",
            "precision_comparison": precisions,
            "example_sql": {"compiled": examples[0], "seconds": examples[1]},
            "search_p50_ms": p50,
            "search_p95_ms": p95,
            "goals": GOALS,
            "per_query_hybrid": details["hybrid"],
            "set": names[0],
            "pasted_errors": pasted,
            "sets": {
                name: {
                    "queries": len(sets[name]),
                    "metrics": results_,
                    "by_kind": by_kind(details_, sets[name]),
                    "per_query_hybrid": details_["hybrid"],
                }
                for name, (results_, details_) in scored.items()
            },
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
