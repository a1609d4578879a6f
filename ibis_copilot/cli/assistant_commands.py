"""``ask``, ``status``, ``config`` and ``stats``: the assistant and its settings."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from ibis_copilot.cli.common import print_json, settings


def cmd_status(args: argparse.Namespace) -> None:
    """Show versions, the data directory, and the model and index state."""
    from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
    from ibis_copilot.status import collect_status

    config = settings()
    status = collect_status(Path(config.data_dir), KnowledgeBase.from_settings(config).status())
    status["model"] = {"state": "loaded by the server (see its /status)", "name": config.chat_model}
    if args.json:
        print_json(status)
        return
    for key, value in status.items():
        shown = (
            ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else value
        )
        print(f"{key:16} {shown}")


def cmd_config(args: argparse.Namespace) -> None:
    """Show every setting's effective value and where it came from."""
    from ibis_copilot.settings import config_files, load_settings

    rows = load_settings().effective()
    if args.json:
        print_json({"files": [str(path) for path in config_files()], "settings": rows})
        return
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        print(f"{row['name']:{width}}  {row['value']!r}  ({row['from']})")


async def _ask(question: str, conversation: str | None, quiet: bool) -> dict[str, Any]:
    """Stream the answer to stdout (unless ``quiet``); the closing event, answer added."""
    from ibis_copilot.assistant.generation import CALLER_GONE
    from ibis_copilot.assistant.service import Assistant
    from ibis_copilot.models.base import CancelToken

    assistant = Assistant.from_settings(settings())
    cancel = CancelToken()
    if not quiet:
        print(f"loading {assistant.chat_scheduler.generator.name}...", file=sys.stderr)
    answer: list[str] = []
    done: dict[str, Any] = {}
    try:
        messages = [{"role": "user", "content": question}]
        async for event in assistant.chat(messages, conversation, cancel=cancel):
            if event["type"] == "token":
                answer.append(event["text"])
                if not quiet:
                    print(event["text"], end="", flush=True)
            elif event["type"] == "error":
                print(f"\n(the model failed: {event['error']['message']})", file=sys.stderr)
            else:
                done = event
    finally:
        cancel.cancel(CALLER_GONE)
        assistant.stop()
    return {"answer": "".join(answer), **{k: v for k, v in done.items() if k != "type"}}


def describe_verdict(block: dict[str, Any]) -> str:
    """One line for a ``blocks`` entry: checked, repaired (how) or not checked (why)."""
    if block["verdict"] == "checked":
        line = "checked (builds and compiles against the schemas)"
    elif block["verdict"] == "repaired":
        line = f"repaired and checked: {block['reason']}"
    else:
        line = f"NOT checked: {block['reason']}"
    unknown = [
        f"{name['name']} does not exist"
        + (f" (closest: {', '.join(name['closest'])})" if name["closest"] else "")
        for name in block["unknown_names"]
    ]
    revised = block.get("revised")
    if revised:
        line += f"; the model's revision (round {revised['rounds']}) checked:\n{revised['code']}"
    return "; ".join([line, *unknown])


def cmd_ask(args: argparse.Namespace) -> None:
    """Answer a question about Ibis from the knowledge base, streaming the answer."""
    result = asyncio.run(_ask(args.question, args.conversation, quiet=args.json))
    if args.json:
        print_json(result)
        return
    print()
    for number, block in enumerate(result.get("blocks", []), start=1):
        print(f"code block {number}: {describe_verdict(block)}")
    for warning in result.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    for number, citation in enumerate(result.get("citations", []), start=1):
        where = " > ".join(part for part in (citation["title"], citation["heading"]) if part)
        print(f"[{number}] {where}: {citation['url']}")
    if "conversation_id" in result:
        print(f"(conversation {result['conversation_id']}: --conversation continues it)")


def cmd_stats(args: argparse.Namespace) -> None:
    """Summarise the opt-in interaction log (c.IbisCopilot.log_interactions)."""
    from ibis_copilot.assistant.interaction_log import InteractionLog

    summary = InteractionLog(Path(settings().data_dir) / "interactions.sqlite").summary()
    if args.json:
        print_json(summary)
        return
    if not summary:
        print("no interactions logged (enable with c.IbisCopilot.log_interactions = True)")
        return
    for workflow, row in summary.items():
        shown = ", ".join(f"{key}: {value}" for key, value in row.items())
        print(f"{workflow:9} {shown}")


def add_parsers(commands: Any) -> None:
    status = commands.add_parser("status", help=cmd_status.__doc__, description=cmd_status.__doc__)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=cmd_status)

    config = commands.add_parser(
        "config",
        help=cmd_config.__doc__,
        description=(
            "Every c.IbisCopilot setting as the server and the CLI see it: from Jupyter's "
            "config files (jupyter_server_config.py/.json on `jupyter --paths`), else the "
            "environment variable named in its help, else the default."
        ),
    )
    config.add_argument("--json", action="store_true", help="machine-readable output")
    config.set_defaults(handler=cmd_config)

    ask = commands.add_parser("ask", help=cmd_ask.__doc__, description=cmd_ask.__doc__)
    ask.add_argument("question", metavar="QUESTION", help="what to ask")
    ask.add_argument("--conversation", metavar="ID", help="continue this conversation")
    ask.add_argument("--json", action="store_true", help="{answer, citations, conversation_id}")
    ask.set_defaults(handler=cmd_ask)

    stats = commands.add_parser("stats", help=cmd_stats.__doc__, description=cmd_stats.__doc__)
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.set_defaults(handler=cmd_stats)
