"""Pasted-error questions mined from the repair development snippets.

Each development snippet of ``tests/data/repair_dev.jsonl`` is run (as ``bench_repair.py``
runs it) and becomes the question a user pastes: the cell's last line, a blank line and
``Type: message``. Its gold pages are the API objects of the methods its reference calls
that the broken code does not (``lag`` for a ``shift``), every class's where a name has
several. Snippets whose reference adds no method the index holds, and messages longer
than 600 characters, are left out. Only development snippets are read: the held-out
repair set never decides anything here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from _common import print_table
from bench_repair import failing, load

from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.knowledge.retrieval import Retriever

METHOD = re.compile(r"\.(\w+)\s*\(?|\b(\w+)\(")
MAX_MESSAGE = 600


def _methods(code: str) -> set[str]:
    return {(dotted or called).lower() for dotted, called in METHOD.findall(code)}


def _message(error: BaseException) -> str:
    """The error's message, or "" where printing it fails (an argument's repr that would
    run an unbound expression)."""
    try:
        return str(error).strip()
    except Exception:  # noqa: BLE001 - such a snippet is left out
        return ""


def pasted_error_questions(retriever: Retriever) -> list[dict[str, Any]]:
    """One ``{"query", "gold", "id"}`` per usable development snippet, in file order."""
    questions = []
    for entry in load("dev"):
        error, _ = failing(entry)
        message = _message(error)
        added = _methods(entry["reference"]) - _methods(entry["code"])
        gold = sorted(
            {retriever.chunks[i].path for name in added for i in retriever.by_name.get(name, [])}
        )
        if not message or len(message) > MAX_MESSAGE or not gold:
            continue
        last_line = [line for line in entry["code"].splitlines() if line.strip()][-1]
        query = f"{last_line}\n\n{type(error).__name__}: {message}"
        questions.append({"query": query, "gold": gold, "id": entry["id"]})
    return questions


def score_pasted_errors(
    base: KnowledgeBase, evaluate: Callable[..., tuple[dict[str, float], list[dict[str, Any]]]]
) -> dict[str, float]:
    """Hybrid metrics on the mined questions, printed as a table."""
    questions = pasted_error_questions(base.retriever)
    metrics, _ = evaluate(base, questions, "hybrid")
    print(f"== pasted errors mined from the repair development snippets ({len(questions)})")
    names = ("recall@1", "recall@5", "mrr@10", "ndcg@10")
    print_table(
        ["mode", "R@1", "R@5", "MRR@10", "nDCG@10"],
        [["hybrid", *(f"{metrics[name]:.3f}" for name in names)]],
    )
    print()
    return metrics
