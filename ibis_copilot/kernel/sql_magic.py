"""IPython magics: ``%%ibis_sql`` compiles the value a cell ends with to SQL."""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from ibis_copilot.expressions.compile import (
    IbisSqlError,
    check_dialect,
    compile_all,
    compile_sql,
    ensure_expression,
    is_expression,
    one_line_reason,
)
from ibis_copilot.expressions.namespace import dialect_of
from ibis_copilot.expressions.snippet import LAST_VALUE_NAME, CaptureLastExpression, pop_last_value
from ibis_copilot.kernel.client import AssistantClient, AssistantError, ServerUnavailableError
from ibis_copilot.kernel.display import PortabilityDisplay, SQLDisplay
from ibis_copilot.kernel.model_sql import ModelSQL, model_sql

LINE_MAGIC_HINT = (
    "as a line magic, %ibis_sql needs --var NAME; use %%ibis_sql to compile what a cell ends with"
)
NO_VALUE_HINT = (
    "the cell neither ends with an expression nor assigns an Ibis expression; "
    "end it with the expression to compile, or pass --var NAME"
)


def _run_synchronously(coroutine: Coroutine[Any, Any, bool]) -> bool:
    """Drive a coroutine that never awaits (IPython's ``run_code`` for sync code)."""
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return bool(finished.value)
    coroutine.close()
    raise RuntimeError("run_code awaited while running synchronous code")


@magics_class
class IbisSqlMagics(Magics):
    """Magics that turn live Ibis expressions into SQL."""

    @magic_arguments()
    @argument(
        "-d", "--dialect", help="SQL dialect (default: the expression's backend, else duckdb)"
    )
    @argument(
        "--all-dialects",
        action="store_true",
        help="Compile for every common dialect and show which ones work",
    )
    @argument("--var", metavar="NAME", help="Compile this variable instead of the last expression")
    @argument(
        "--llm",
        action="store_true",
        help="If Ibis cannot compile the cell, ask the model for SQL (labelled unverified)",
    )
    @argument("-o", "--output", metavar="NAME", help="Store the SQL string in this variable")
    @line_cell_magic
    def ibis_sql(self, line: str, cell: str | None = None) -> None:
        """Run the cell, then compile the Ibis expression it ends with to SQL.

        The cell runs in the user namespace like any cell (assignments persist). With
        ``-o NAME`` the SQL string (a ``{dialect: sql or None}`` dict with
        ``--all-dialects``) is stored in ``NAME``. As a line magic, ``%ibis_sql --var NAME``
        compiles an existing variable.
        """
        shown = self.ibis_sql_result(line, cell)
        if shown is not None:
            display(shown)

    def ibis_sql_result(
        self, line: str, cell: str | None = None
    ) -> SQLDisplay | PortabilityDisplay | ModelSQL | None:
        """Everything ``%%ibis_sql`` does except displaying; None if the cell failed."""
        args = parse_argstring(self.ibis_sql, line)
        if not args.llm:
            return self._compile(args, cell)
        if args.all_dialects:
            raise UsageError("--llm writes SQL for one dialect; use --dialect, not --all-dialects")
        try:
            result = self._compile(args, cell)
            reason = "the cell failed"
        except UsageError as error:
            result, reason = None, str(error)
        if result is not None:
            return result
        print(f"ibis_sql: {reason}; asking the model (--llm)", file=sys.stderr)
        return self._ask_model(args, cell or "")

    def _ask_model(self, args: Any, cell: str) -> ModelSQL | None:
        namespace = self.shell.user_ns  # type: ignore[union-attr]
        dialect = args.dialect or dialect_of(namespace)
        try:
            result = model_sql(AssistantClient.find(), cell, dialect, namespace)
        except (ServerUnavailableError, AssistantError, RuntimeError) as error:
            print(f"ibis_sql --llm: {error}", file=sys.stderr)
            return None
        self._store(args.output, result.sql)
        return result

    def _compile(self, args: Any, cell: str | None) -> SQLDisplay | PortabilityDisplay | None:
        if args.dialect and args.all_dialects:
            raise UsageError("use either --dialect or --all-dialects, not both")
        if cell is None and not args.var:
            raise UsageError(LINE_MAGIC_HINT)
        cell = cell or ""
        try:
            if args.dialect:
                check_dialect(args.dialect)
            if not self._run_user_cell(cell):
                return None  # the user's own traceback has been shown, as for any cell
            expr = ensure_expression(*self._value_to_compile(cell, args.var))
        except IbisSqlError as error:
            raise UsageError(str(error)) from None

        if args.all_dialects:
            results = compile_all(expr)
            self._store(args.output, {result.dialect: result.sql for result in results})
            return PortabilityDisplay(results)
        try:
            dialect, sql = compile_sql(expr, args.dialect)
        except Exception as error:  # noqa: BLE001 - shown as one line, never a raw traceback
            raise UsageError(f"cannot compile: {one_line_reason(error)}") from None
        self._store(args.output, sql)
        return SQLDisplay(dialect, sql)

    def _run_user_cell(self, cell: str) -> bool:
        """Run ``cell`` in the user namespace as a cell would run; True on success.

        IPython syntax (``!cmd``, ``%magic``) is transformed and the user's AST
        transformers are applied, like ``run_cell`` does, but without a second round of
        cell events and history entries (the magic's own cell already had them).
        IPython's ``run_code`` shows the user's own traceback and calls custom exception
        handlers, as for any cell.
        """
        shell = self.shell
        assert shell is not None  # noqa: S101 - IPython always sets it for registered magics
        try:  # plain Python needs none of IPython's (slow) syntax transformations
            tree, source = shell.compile.ast_parse(cell), cell
        except SyntaxError:
            tree, source = None, shell.transform_cell(cell)
        filename = shell.compile.cache(source, shell.execution_count, raw_code=cell)
        try:
            if tree is None:
                tree = shell.compile.ast_parse(source, filename=filename)
            tree = CaptureLastExpression().visit(shell.transform_ast(tree))
            code = shell.compile(tree, filename, "exec")
        except (SyntaxError, OverflowError, ValueError):
            shell.showsyntaxerror(filename)
            return False
        return not _run_synchronously(shell.run_code(code))

    def _value_to_compile(self, cell: str, var: str | None) -> tuple[object, str]:
        namespace = self.shell.user_ns  # type: ignore[union-attr]
        if var:
            if var not in namespace:
                raise UsageError(f"no variable named {var!r} in the namespace")
            namespace.pop(LAST_VALUE_NAME, None)
            return namespace[var], f"`{var}`"
        found = pop_last_value(cell, namespace, is_expression)
        if found is None:
            raise UsageError(NO_VALUE_HINT)
        return found.value, found.origin

    def _store(self, name: str | None, value: object) -> None:
        if name:
            self.shell.user_ns[name] = value  # type: ignore[union-attr]
