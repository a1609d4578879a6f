"""``sql`` and ``fix``: run the user's own snippet, then compile it or repair it."""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Any

from ibis_copilot.cli.common import PROG, CommandError, print_json, read_source
from ibis_copilot.errors import CopilotError


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
        check_dialect,
        compile_all,
        compile_sql,
        ensure_expression,
        is_expression,
        one_line_reason,
    )
    from ibis_copilot.expressions.snippet import pop_last_value
    from ibis_copilot.kernel.display import PortabilityDisplay

    if args.dialect:
        check_dialect(args.dialect)
    source, filename = read_source(args.file)
    namespace = _run_user_snippet(source, filename)
    found = pop_last_value(source, namespace, is_expression)
    if found is None:
        raise CommandError(
            f"{filename} neither ends with an expression nor assigns an Ibis expression"
        )
    expr = ensure_expression(found.value, found.origin)
    if args.all_dialects:
        results = compile_all(expr)
        if args.json:
            print_json([result.to_dict() for result in results])
        else:
            print(repr(PortabilityDisplay(results)))
        return
    try:
        dialect, sql = compile_sql(expr, args.dialect)
    except Exception as error:  # noqa: BLE001 - reported as one line
        raise CommandError(f"cannot compile: {one_line_reason(error)}") from None
    if args.json:
        print_json({"dialect": dialect, "sql": sql})
    else:
        print(sql)


def cmd_fix(args: argparse.Namespace) -> None:
    """Run a snippet; if it fails, diagnose it, explain it and propose a checked fix."""
    from ibis_copilot.expressions.snippet import run_snippet
    from ibis_copilot.repair.engine import start_repair

    source, filename = read_source(args.file)
    namespace: dict[str, object] = {}
    try:
        run_snippet(source, filename, namespace)
    except SyntaxError as error:
        raise CommandError(f"{filename}, line {error.lineno}: {error.msg}") from None
    except Exception as error:  # noqa: BLE001 - the failure is what this command is about
        repair = start_repair(error, error.__traceback__, namespace)
    else:
        if args.json:
            print_json({"error_type": None, "checked": False, "fixed_code": None})
        else:
            print(f"{filename} ran without an error; nothing to fix")
        return
    if not args.no_model:
        _explain(repair, quiet=args.json)
    _settle_and_report(repair, as_json=args.json)


def _explain(repair: Any, quiet: bool) -> None:
    from ibis_copilot.kernel.client import AssistantClient
    from ibis_copilot.kernel.explain_stream import stream_explanation
    from ibis_copilot.kernel.kernel_settings import KernelSettings

    budget = KernelSettings.from_env().explain_budget_s or 30.0
    try:
        client = AssistantClient.find()
        if not quiet:
            print("explaining (the model writes; Ctrl-C stops it)...", file=sys.stderr)
        stream_explanation(repair, client, lambda _text: None, budget)
    except CopilotError as error:
        print(f"{PROG}: no explanation: {error}", file=sys.stderr)


def _settle_and_report(repair: Any, as_json: bool) -> None:
    from ibis_copilot.repair.engine import settle

    settle(repair)
    report = repair.to_json()
    if as_json:
        print_json(report)
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
    if report["fix_reason"]:
        print(f"why this fix: {report['fix_reason']}")


def add_parsers(commands: Any) -> None:
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
