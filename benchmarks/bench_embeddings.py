"""Embedding benchmark: the packaged MiniLM against a copy fully fine-tuned on Ibis pairs.

1. Pairs are mined from the bundled docs and the installed API; the gold pages of the
   development queries (tests/data/retrieval_dev.jsonl) and a page-level 10% split are
   held out, so no evaluation page is trained on.
2. The model is trained with the CLI's defaults on this CPU (timed).
3. Both models index the same sources (the tuned one's re-embedding is timed), then answer
   the development queries and a held-out set (the headings, titles and signatures of the
   held-out pages, each with its page as gold) in dense-only and hybrid mode.

The tuned model should become the default only if hybrid nDCG@10 on the development set
improves by at least 3 points and no other number gets worse by more than 1 point.

Usage: python benchmarks/bench_embeddings.py [--max-steps N] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from _common import print_table, write_results
from bench_retrieval import SETS, evaluate

from ibis_copilot.knowledge.api_source import ApiSource
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.embeddings import DEFAULT_EMBEDDING_MODEL
from ibis_copilot.knowledge.finetune import TrainingOptions, train_embeddings
from ibis_copilot.knowledge.knowledge_base import BUNDLED_DOCS, KnowledgeBase
from ibis_copilot.knowledge.pairs import mine_pairs, split_pairs
from ibis_copilot.knowledge.retrieval import DENSE_WEIGHT

HELD_OUT_QUERIES = 150
ADOPT_GAIN, TOLERANCE = 0.03, 0.01


def held_out_queries(validation: list, dev_gold: set[str]) -> list[dict]:
    """Anchors of held-out pages that are not dev gold pages, each finding its page."""
    candidates = [
        {"query": pair.anchor.split("\n")[0], "gold": [pair.page]}
        for pair in validation
        if pair.kind in {"heading", "title", "signature"} and pair.page not in dev_gold
    ]
    random.Random(0).shuffle(candidates)  # noqa: S311 - sampling, not security
    return candidates[:HELD_OUT_QUERIES]


DENSE_WEIGHTS = (1.5, 2.0)  # fusion variants tried on top of the default (1.0)


def measure(base: KnowledgeBase, sets: dict[str, list[dict]]) -> dict[str, dict[str, float]]:
    """Dense and hybrid metrics, and hybrid with the dense ranking weighted more."""
    results = {
        f"{name} {mode}": evaluate(base, queries, mode)[0]
        for name, queries in sets.items()
        for mode in ("dense", "hybrid")
    }
    for weight in DENSE_WEIGHTS:
        base.retriever.dense_weight = weight
        for name, queries in sets.items():
            key = f"{name} hybrid, dense weight {weight:g}"
            results[key] = evaluate(base, queries, "hybrid")[0]
    base.retriever.dense_weight = DENSE_WEIGHT
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-steps", type=int, default=None)
    args = parser.parse_args()

    dev = [json.loads(line) for line in SETS["dev"].read_text().splitlines() if line.strip()]
    dev_gold = {page for item in dev for page in item["gold"]}
    sources = [DocsFolderSource(BUNDLED_DOCS), ApiSource()]
    chunks = [chunk for source in sources for chunk in source.chunks()]
    train, validation = split_pairs(mine_pairs(chunks), dev_gold)
    sets = {"dev": dev, "held-out": held_out_queries(validation, dev_gold)}
    print(
        f"{len(train)} training pairs, {len(validation)} validation pairs, "
        f"{len(sets['held-out'])} held-out queries",
        file=sys.stderr,
    )

    with tempfile.TemporaryDirectory(prefix="bench-embeddings-") as scratch:
        root = Path(scratch)
        options = TrainingOptions(epochs=args.epochs, max_steps=args.max_steps)
        report = train_embeddings(
            DEFAULT_EMBEDDING_MODEL, train, validation, root / "tuned", options
        )
        results: dict[str, dict[str, dict[str, float]]] = {}
        timings: dict[str, float] = {}
        for label, model in (("base", DEFAULT_EMBEDDING_MODEL), ("tuned", str(root / "tuned"))):
            base = KnowledgeBase(root / label, embedding_model=model)
            started = time.perf_counter()
            base.index(sources, progress=False)
            timings[f"{label} index build s"] = time.perf_counter() - started
            results[label] = measure(base, sets)

    rows = []
    worse, gain = False, 0.0
    for key in results["base"]:
        for metric in ("recall@5", "mrr@10", "ndcg@10"):
            before, after = results["base"][key][metric], results["tuned"][key][metric]
            if "weight" not in key:  # the decision compares the shipped fusion only
                worse |= after < before - TOLERANCE
            if key == "dev hybrid" and metric == "ndcg@10":
                gain = after - before
            rows.append([key, metric, f"{before:.3f}", f"{after:.3f}", f"{after - before:+.3f}"])
    print_table(["queries / mode", "metric", "base", "tuned", "change"], rows)
    adopt = gain >= ADOPT_GAIN and not worse
    print()
    print(
        f"training: {report.steps} steps on {report.train_pairs} pairs in {report.seconds:.0f} s; "
        f"validation MRR@10 {report.metrics.get('validation_mrr@10_base')} → "
        f"{report.metrics.get('validation_mrr@10_tuned')}"
    )
    print(
        "index build (re-embedding everything): "
        + ", ".join(f"{name} {value:.1f}" for name, value in timings.items())
    )
    verdict = "ADOPT" if adopt else "keep the base model"
    print(
        f"decision: {verdict} (dev hybrid nDCG@10 {gain:+.3f}; any metric worse by >1 pt: {worse})"
    )
    path = write_results(
        "bench_embeddings",
        {
            "training": {
                "steps": report.steps,
                "train_pairs": report.train_pairs,
                "pairs_by_kind": report.pairs_by_kind,
                "seconds": report.seconds,
                "metrics": report.metrics,
            },
            "timings_s": timings,
            "results": results,
            "adopt": adopt,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
