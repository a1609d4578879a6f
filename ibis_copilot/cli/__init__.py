"""The ``ibis-copilot`` command."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ibis_copilot._version import __version__
from ibis_copilot.settings import IbisCopilot, default_data_dir, knowledge_base

PROG = "ibis-copilot"


class CommandError(Exception):
    """A failure reported to the user as one line, with exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 1 with one readable line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: error: {message}\n")


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def cmd_status(args: argparse.Namespace) -> None:
    """Show versions, the data directory, and the model and index state."""
    from ibis_copilot.status import collect_status

    settings = IbisCopilot()
    status = collect_status(default_data_dir(), knowledge_base(settings).status())
    if args.json:
        _print_json(status)
        return
    for key, value in status.items():
        shown = (
            ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        print(f"{key:16} {shown}")


def _read_source(file: str) -> tuple[str, str]:
    if file == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error.strerror}") from None


def _run_user_snippet(source: str, filename: str) -> dict[str, object]:
    from ibis_copilot.expressions.snippet import run_snippet

    try:
        return run_snippet(source, filename)
    except SyntaxError as error:
        raise CommandError(f"{filename}, line {error.lineno}: {error.msg}") from None
    except Exception as error:  # noqa: BLE001 - the user's own failure, shown as python would
        frames = error.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename != filename:
            frames = frames.tb_next  # drop our own frames above the user's code
        traceback.print_exception(type(error), error, frames, file=sys.stderr)
        raise CommandError(f"the snippet raised {type(error).__name__}") from None


def cmd_sql(args: argparse.Namespace) -> None:
    """Run a snippet and compile the Ibis expression it ends with."""
    from ibis_copilot.expressions.compile import (
        IbisSqlError,
        check_dialect,
        compile_all,
        compile_sql,
        ensure_expression,
        is_expression,
        one_line_reason,
    )
    from ibis_copilot.expressions.snippet import pop_last_value
    from ibis_copilot.kernel.display import PortabilityDisplay

    try:
        if args.dialect:
            check_dialect(args.dialect)
        source, filename = _read_source(args.file)
        namespace = _run_user_snippet(source, filename)
        found = pop_last_value(source, namespace, is_expression)
        if found is None:
            raise CommandError(
                f"{filename} neither ends with an expression nor assigns an Ibis expression"
            )
        expr = ensure_expression(found.value, found.origin)
    except IbisSqlError as error:
        raise CommandError(str(error)) from None

    if args.all_dialects:
        results = compile_all(expr)
        if args.json:
            _print_json([result.to_dict() for result in results])
        else:
            print(repr(PortabilityDisplay(results)))
        return
    try:
        dialect, sql = compile_sql(expr, args.dialect)
    except Exception as error:  # noqa: BLE001 - reported as one line
        raise CommandError(f"cannot compile: {one_line_reason(error)}") from None
    if args.json:
        _print_json({"dialect": dialect, "sql": sql})
    else:
        print(sql)


def cmd_fix(args: argparse.Namespace) -> None:
    """Run a snippet; if it fails, diagnose it, explain it and propose a checked fix."""
    from ibis_copilot.expressions.snippet import run_snippet
    from ibis_copilot.repair.engine import start_repair

    source, filename = _read_source(args.file)
    namespace: dict[str, object] = {}
    try:
        run_snippet(source, filename, namespace)
    except SyntaxError as error:
        raise CommandError(f"{filename}, line {error.lineno}: {error.msg}") from None
    except Exception as error:  # noqa: BLE001 - the failure is what this command is about
        repair = start_repair(error, error.__traceback__, namespace)
    else:
        if args.json:
            _print_json({"error_type": None, "checked": False, "fixed_code": None})
        else:
            print(f"{filename} ran without an error; nothing to fix")
        return
    if not args.no_model:
        _explain_for_cli(repair, quiet=args.json)
    _settle_and_report(repair, as_json=args.json)


def _explain_for_cli(repair: Any, quiet: bool) -> None:
    from ibis_copilot.kernel.client import (
        AssistantClient,
        AssistantError,
        ServerUnavailableError,
    )
    from ibis_copilot.kernel.explain_stream import stream_explanation
    from ibis_copilot.kernel.kernel_settings import KernelSettings

    try:
        client = AssistantClient.find()
        if not quiet:
            print("explaining (the model writes; Ctrl-C stops it)...", file=sys.stderr)
        stream_explanation(
            repair, client, lambda _text: None, KernelSettings.from_env().explain_budget_s or 30.0
        )
    except (ServerUnavailableError, AssistantError) as error:
        print(f"{PROG}: no explanation: {error}", file=sys.stderr)


def _settle_and_report(repair: Any, as_json: bool) -> None:
    from ibis_copilot.repair.engine import settle

    settle(repair)
    report = repair.to_json()
    if as_json:
        _print_json(report)
        return
    print(f"error: {report['error_type']}: {report['message']}")
    for finding in report["diagnosis"]:
        print(f"diagnosis ({finding['rule']}): {finding['message']}")
    if report["explanation"]:
        print(f"explanation (model-written):\n{report['explanation'].strip()}")
    if report["fixed_code"] is None:
        print("fix: none proposed")
        return
    state = "checked" if report["checked"] else f"not checked: {report['check_reason']}"
    print(f"fix ({report['fix_source']}, {state}):")
    print(report["fixed_code"].rstrip())


def _knowledge_errors() -> tuple[type[Exception], ...]:
    from ibis_copilot.knowledge.crawl_source import CrawlAbortedError
    from ibis_copilot.knowledge.embeddings import EmbeddingModelError
    from ibis_copilot.knowledge.repo_source import RepoError
    from ibis_copilot.knowledge.retrieval import (
        EmptyIndexError,
        IndexModelMismatchError,
        InvalidQueryError,
    )
    from ibis_copilot.knowledge.store import StoreError

    return (
        CrawlAbortedError,
        EmbeddingModelError,
        EmptyIndexError,
        IndexModelMismatchError,
        InvalidQueryError,
        RepoError,
        StoreError,
    )


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
    from ibis_copilot.knowledge.api_source import ApiSource
    from ibis_copilot.knowledge.docs_source import DocsFolderSource
    from ibis_copilot.knowledge.knowledge_base import BUNDLED_DOCS
    from ibis_copilot.knowledge.repo_source import repo_sources

    docs = Path(args.docs) if args.docs else BUNDLED_DOCS
    if not docs.is_dir():
        raise CommandError(f"--docs {args.docs}: not a directory")
    sources: list[Any] = [DocsFolderSource(docs)]
    if not args.no_package:
        sources.append(ApiSource())
    if args.repo:
        sources.extend(repo_sources(args.repo, data_dir / "repos"))
    if args.crawl:
        sources.append(_crawl_source(args, data_dir))
    return sources


def cmd_index(args: argparse.Namespace) -> None:
    """Build or update the knowledge base (unchanged content is not re-embedded)."""
    settings = IbisCopilot()
    base = knowledge_base(settings)
    try:
        sources = _index_sources(args, Path(settings.data_dir))
        report = base.index(sources, rebuild=args.rebuild, progress=not args.json)
    except _knowledge_errors() as error:
        raise CommandError(str(error)) from None
    if args.json:
        _print_json(report.to_dict())
        return
    for row in report.sources:
        print(
            f"{row.source:8} {row.chunks:6} chunks: {row.added} added, "
            f"{row.removed} removed, {row.unchanged} unchanged"
        )
    print(f"index: {base.store.location}")


def cmd_ask(args: argparse.Namespace) -> None:
    """Answer a question about Ibis from the knowledge base, streaming the answer."""
    from ibis_copilot.assistant.chat import ChatWorkflow, InvalidChatError
    from ibis_copilot.assistant.conversations import ConversationStore
    from ibis_copilot.models.base import CancelToken, GenerationError, GenerationParams
    from ibis_copilot.models.registry import chat_generator

    settings = IbisCopilot()
    data_dir = Path(settings.data_dir)
    base = knowledge_base(settings)
    workflow = ChatWorkflow(
        base if base.exists() else None, ConversationStore(data_dir / "conversations")
    )
    try:
        if args.conversation:
            workflow.conversations.load(args.conversation)  # a bad id fails before the load
        generator = chat_generator(settings)
        if not args.json:
            print(f"loading {generator.name}...", file=sys.stderr)
        generator.load()
        prepared = workflow.prepare(
            generator, [{"role": "user", "content": args.question}], args.conversation
        )
        params = GenerationParams(max_tokens=workflow.max_tokens)
        answer = ""
        for text in generator.stream_chat(prepared.messages, params, CancelToken()):
            answer += text
            if not args.json:
                print(text, end="", flush=True)
    except (InvalidChatError, GenerationError, ValueError) as error:
        raise CommandError(str(error)) from None
    workflow.remember(prepared, answer)
    citations = [result.to_dict() for result in prepared.citations]
    if args.json:
        _print_json(
            {
                "answer": answer,
                "citations": citations,
                "conversation_id": prepared.conversation_id,
            }
        )
        return
    print()
    for number, citation in enumerate(citations, start=1):
        where = " > ".join(part for part in (citation["title"], citation["heading"]) if part)
        print(f"[{number}] {where}: {citation['url']}")
    print(f"(conversation {prepared.conversation_id}: --conversation continues it)")


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

    settings = IbisCopilot()
    data_dir = Path(settings.data_dir)
    if (
        args.epochs < 1
        or args.batch_size < 2
        or (args.max_steps is not None and args.max_steps < 1)
    ):
        raise CommandError("--epochs and --max-steps must be at least 1, --batch-size at least 2")
    held_out = _held_out_pages(args.hold_out) if args.hold_out else set()
    try:
        sources = _index_sources(args, data_dir)
        chunks = [chunk for source in sources for chunk in source.chunks()]
    except _knowledge_errors() as error:
        raise CommandError(str(error)) from None
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
            settings.embedding_model,
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
        from dataclasses import asdict

        _print_json(asdict(report))
        return
    print(f"trained {report.steps} steps on {report.train_pairs} pairs in {report.seconds} s")
    for name, value in report.metrics.items():
        print(f"{name}: {value}")
    print(f"model: {output}")
    print(f"use it: c.IbisCopilot.embedding_model = {str(output)!r}, then `ibis-copilot index`")


def _print_results(results: list[Any]) -> None:
    for result in results:
        where = " > ".join(part for part in (result.title, result.heading) if part)
        snippet = " ".join(result.text.split())[:160]
        print(f"{result.rank}. {where}\n   {result.url}\n   {snippet}\n")


def cmd_search(args: argparse.Namespace) -> None:
    """Search the knowledge base; every result carries its citation."""
    base = knowledge_base(IbisCopilot())
    try:
        if args.batch:
            lines = _read_source(args.batch)[0].splitlines()
            for query in filter(str.strip, lines):
                results = base.search(query, args.k)
                print(json.dumps({"query": query, "results": [r.to_dict() for r in results]}))
            return
        if args.query is None:
            raise CommandError("give a QUERY or --batch FILE")
        results = base.search(args.query, args.k)
    except _knowledge_errors() as error:
        raise CommandError(str(error)) from None
    if args.json:
        _print_json([result.to_dict() for result in results])
    else:
        _print_results(results)


def cmd_stats(args: argparse.Namespace) -> None:
    """Summarise the opt-in interaction log (c.IbisCopilot.log_interactions)."""
    from ibis_copilot.assistant.interaction_log import InteractionLog

    summary = InteractionLog(Path(IbisCopilot().data_dir) / "interactions.sqlite").summary()
    if args.json:
        _print_json(summary)
        return
    if not summary:
        print("no interactions logged (enable with c.IbisCopilot.log_interactions = True)")
        return
    for workflow, row in summary.items():
        shown = ", ".join(f"{key}: {value}" for key, value in row.items())
        print(f"{workflow:9} {shown}")


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    """The knowledge sources' options, shared by ``index`` and ``train-embeddings``."""
    parser.add_argument(
        "--docs", metavar="DIR", help="Ibis docs folder (default: the snapshot shipped inside)"
    )
    parser.add_argument(
        "--no-package", action="store_true", help="skip the installed ibis package's API"
    )
    parser.add_argument(
        "--repo",
        metavar="PATH_OR_GIT_URL",
        help="an Ibis git repository: its docs, API and error messages (a URL is cloned)",
    )


def _add_train_parser(commands: Any) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = _Parser(prog=PROG, description="An AI assistant for Ibis in JupyterLab.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    status = commands.add_parser("status", help=cmd_status.__doc__, description=cmd_status.__doc__)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=cmd_status)

    sql = commands.add_parser(
        "sql",
        help=cmd_sql.__doc__,
        description=(
            "Run FILE (or - for stdin) like `python FILE` would, then compile the value of "
            "its last expression statement, or else the last Ibis expression it assigned."
        ),
    )
    sql.add_argument("file", metavar="FILE|-", help="Python snippet to run")
    dialects = sql.add_mutually_exclusive_group()
    dialects.add_argument("-d", "--dialect", help="SQL dialect (default: the backend's, or duckdb)")
    dialects.add_argument(
        "--all-dialects", action="store_true", help="portability table over common dialects"
    )
    sql.add_argument("--json", action="store_true", help="machine-readable output")
    sql.set_defaults(handler=cmd_sql)

    fix = commands.add_parser(
        "fix",
        help=cmd_fix.__doc__,
        description=(
            "Run FILE (or - for stdin) like `python FILE` would; when it fails, print the "
            "diagnosis, the model's explanation and a fix, checked in a separate process "
            "that sees only the tables' schemas. Exits 0 whether or not a fix was found."
        ),
    )
    fix.add_argument("file", metavar="FILE|-", help="Python snippet to run")
    fix.add_argument("--json", action="store_true", help="machine-readable output")
    fix.add_argument("--no-model", action="store_true", help="rules only; do not ask the server")
    fix.set_defaults(handler=cmd_fix)

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

    _add_train_parser(commands)

    ask = commands.add_parser("ask", help=cmd_ask.__doc__, description=cmd_ask.__doc__)
    ask.add_argument("question", metavar="QUESTION", help="what to ask")
    ask.add_argument("--conversation", metavar="ID", help="continue this conversation")
    ask.add_argument("--json", action="store_true", help="{answer, citations, conversation_id}")
    ask.set_defaults(handler=cmd_ask)

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

    stats = commands.add_parser("stats", help=cmd_stats.__doc__, description=cmd_stats.__doc__)
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.set_defaults(handler=cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 1
    try:
        args.handler(args)
    except CommandError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
