"""``index``, ``search`` and ``train-embeddings``: the knowledge base from the terminal."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ibis_copilot.cli.common import CommandError, print_json, read_source, settings


def _crawl_source(args: argparse.Namespace, data_dir: Path) -> Any:
    from urllib.parse import urlsplit

    from ibis_copilot.knowledge.crawl_source import CrawlSource
    from ibis_copilot.knowledge.crawler import CrawlConfig

    if urlsplit(args.crawl).scheme not in {"http", "https"} or not urlsplit(args.crawl).netloc:
        raise CommandError(f"--crawl {args.crawl}: not an http(s) URL")
    if args.crawl_rate <= 0 or args.crawl_max_pages < 1:
        raise CommandError("--crawl-rate must be positive and --crawl-max-pages at least 1")
    config = CrawlConfig(args.crawl, rate=args.crawl_rate, max_pages=args.crawl_max_pages)
    return CrawlSource(config, data_dir / "crawl")


def _index_sources(args: argparse.Namespace, data_dir: Path) -> list[Any]:
    """The sources ``index`` reads, from its options."""
    from ibis_copilot.knowledge.docs_source import DocsFolderSource
    from ibis_copilot.knowledge.knowledge_base import BUNDLED_DOCS, package_sources
    from ibis_copilot.knowledge.repo_source import repo_sources

    docs = Path(args.docs) if args.docs else BUNDLED_DOCS
    if not docs.is_dir():
        raise CommandError(f"--docs {args.docs}: not a directory")
    sources: list[Any] = [DocsFolderSource(docs)]
    if not args.no_package:
        sources += package_sources(data_dir)
    if args.repo:
        sources.extend(repo_sources(args.repo, data_dir / "repos"))
    if args.crawl:
        sources.append(_crawl_source(args, data_dir))
    return sources


def cmd_index(args: argparse.Namespace) -> None:
    """Build or update the knowledge base (unchanged content is not re-embedded)."""
    from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

    config = settings()
    base = KnowledgeBase.from_settings(config)
    sources = _index_sources(args, Path(config.data_dir))
    report = base.index(sources, rebuild=args.rebuild, progress=not args.json)
    if args.json:
        print_json(report.to_dict())
        return
    for row in report.sources:
        print(
            f"{row.source:8} {row.chunks:6} chunks: {row.added} added, "
            f"{row.removed} removed, {row.unchanged} unchanged"
        )
    print(f"index: {base.store.location} (embedding model {config.embedding_model})")


def _print_results(results: list[Any]) -> None:
    for result in results:
        where = " > ".join(part for part in (result.title, result.heading) if part)
        snippet = " ".join(result.text.split())[:160]
        print(f"{result.rank}. {where}\n   {result.url}\n   {snippet}\n")


def cmd_search(args: argparse.Namespace) -> None:
    """Search the knowledge base; every result carries its citation."""
    from ibis_copilot.knowledge.knowledge_base import KnowledgeBase

    base = KnowledgeBase.from_settings(settings())
    if args.batch:
        lines = read_source(args.batch)[0].splitlines()
        for query in filter(str.strip, lines):
            results = base.search(query, args.k)
            print(json.dumps({"query": query, "results": [r.to_dict() for r in results]}))
        return
    if args.query is None:
        raise CommandError("give a QUERY or --batch FILE")
    results = base.search(args.query, args.k)
    if args.json:
        print_json([result.to_dict() for result in results])
    else:
        _print_results(results)


def _held_out_pages(path: str) -> set[str]:
    """The gold pages of an evaluation set (JSON lines with a ``gold`` list)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return {page for line in lines if line.strip() for page in json.loads(line)["gold"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"--hold-out {path}: {error}") from None


def cmd_train_embeddings(args: argparse.Namespace) -> None:
    """Fully fine-tune the embedding model on pairs mined from the Ibis docs and API."""
    from ibis_copilot.knowledge.finetune import TrainingOptions, train_embeddings
    from ibis_copilot.knowledge.pairs import mine_pairs, split_pairs

    config = settings()
    data_dir = Path(config.data_dir)
    if (
        args.epochs < 1
        or args.batch_size < 2
        or (args.max_steps is not None and args.max_steps < 1)
    ):
        raise CommandError("--epochs and --max-steps must be at least 1, --batch-size at least 2")
    held_out = _held_out_pages(args.hold_out) if args.hold_out else set()
    sources = _index_sources(args, data_dir)
    chunks = [chunk for source in sources for chunk in source.chunks()]
    train, validation = split_pairs(mine_pairs(chunks, seed=args.seed), held_out)
    if len(train) < args.batch_size:
        raise CommandError(f"only {len(train)} training pairs; index more sources")
    output = data_dir / "models" / args.name
    options = TrainingOptions(
        epochs=args.epochs,
        batch_size=args.batch_size,
        max_steps=args.max_steps,
        device=args.device,
        seed=args.seed,
    )
    try:
        report = train_embeddings(
            config.embedding_model,
            train,
            validation,
            output,
            options,
            progress=not args.json,
            resume=not args.no_resume,
        )
    except (OSError, ValueError, RuntimeError) as error:
        raise CommandError(f"training failed: {error}") from None
    if args.json:
        print_json(asdict(report))
        return
    print(f"trained {report.steps} steps on {report.train_pairs} pairs in {report.seconds} s")
    for name, value in report.metrics.items():
        print(f"{name}: {value}")
    print(f"model: {output}")
    print(f"use it: c.IbisCopilot.embedding_model = {str(output)!r}, then `ibis-copilot index`")


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    """The knowledge sources' options, shared by ``index`` and ``train-embeddings``."""
    parser.add_argument(
        "--docs", metavar="DIR", help="Ibis docs folder (default: the snapshot shipped inside)"
    )
    parser.add_argument(
        "--no-package",
        action="store_true",
        help="skip the installed ibis package's API and its backend support matrix",
    )
    parser.add_argument(
        "--repo",
        metavar="PATH_OR_GIT_URL",
        help="an Ibis git repository: its docs, API and error messages (a URL is cloned)",
    )


def add_parsers(commands: Any) -> None:
    index = commands.add_parser("index", help=cmd_index.__doc__, description=cmd_index.__doc__)
    _add_source_options(index)
    index.add_argument("--crawl", metavar="URL", help="also crawl this docs site (politely)")
    index.add_argument(
        "--crawl-rate", type=float, default=1.0, help="requests per second (default 1)"
    )
    index.add_argument(
        "--crawl-max-pages", type=int, default=500, help="page cap for --crawl (default 500)"
    )
    index.add_argument("--rebuild", action="store_true", help="drop the index and re-embed all")
    index.add_argument("--json", action="store_true", help="machine-readable report")
    index.set_defaults(handler=cmd_index)

    train = commands.add_parser(
        "train-embeddings",
        help=cmd_train_embeddings.__doc__,
        description=(
            "Mine training pairs from the knowledge sources (the same options as `index`), "
            "fully fine-tune the configured embedding model with a contrastive loss, and "
            "save it with a model card under the data directory. Resumes an interrupted "
            "run. Switching to the model re-embeds the index."
        ),
    )
    _add_source_options(train)
    train.add_argument("--epochs", type=int, default=1, help="passes over the pairs (default 1)")
    train.add_argument("--batch-size", type=int, default=32, help="pairs per step (default 32)")
    train.add_argument("--max-steps", type=int, default=None, help="stop after this many steps")
    train.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")
    train.add_argument("--seed", type=int, default=0, help="shuffling and negatives (default 0)")
    train.add_argument(
        "--hold-out",
        metavar="JSONL",
        help="evaluation queries ({query, gold}) whose gold pages are never trained on",
    )
    train.add_argument(
        "--name", default="ibis-minilm", help="folder under <data dir>/models (default ibis-minilm)"
    )
    train.add_argument("--no-resume", action="store_true", help="start over, ignore a checkpoint")
    train.add_argument("--json", action="store_true", help="machine-readable report")
    train.set_defaults(handler=cmd_train_embeddings, crawl=None)

    search = commands.add_parser("search", help=cmd_search.__doc__, description=cmd_search.__doc__)
    search.add_argument("query", nargs="?", metavar="QUERY", help="what to look for")
    search.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.add_argument(
        "--batch",
        metavar="FILE",
        help="one query per line (- for stdin); one JSON line per query out",
    )
    search.set_defaults(handler=cmd_search)
