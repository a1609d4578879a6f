"""The check process: runs proposed code against schemas only, never against user data.

Started by :mod:`ibis_copilot.repair.check` as ``python -I -m
ibis_copilot.repair.check_worker`` with one JSON request on stdin; answers one JSON object
on stdout, and starts no other process. It sees only the table schemas it is sent (as
unbound ``ibis.table``s under the user's variable names), never the user's namespace or
data. Calls that would run a query
(``.execute()``, ``.to_pandas()``...) are replaced by the expression they are called on, so
a fix is checked by building the expression and compiling it to SQL.

Requests: ``{"mode": "python", "code", "tables", "start_line", "dialect", "assertion"}``;
``{"mode": "first", "codes": [...], ...}`` (the same for each code in turn, answering for
the first that passes with its ``index``, or -1 and the first code's failure); or
``{"mode": "sql", "sql", "tables"}`` (DuckDB ``EXPLAIN`` against empty tables); or
``{"mode": "each", "codes": [...], ...}`` (every code checked, ``{"answers": [...]}`` in
the same order: one process for a batch, e.g. the docstring examples an index compiles).
``tables`` maps a variable name to ``{"name": table name, "schema": {column: type}}``.
An ``assertion`` (benchmarks and tests) is a condition over ``result`` (the expression the
code ends with), ``ibis`` and the tables as given (not as the code left them).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import resource
import sys
from typing import Any

MEMORY_LIMIT_BYTES = 2 * 1024**3
#: Methods that run a query; the check keeps the expression they are called on.
MATERIALIZE = frozenset(
    {
        "execute",
        "to_pandas",
        "to_pyarrow",
        "to_polars",
        "to_pyarrow_batches",
        "to_csv",
        "to_parquet",
        "to_json",
        "to_delta",
        "to_torch",
        "to_list",
        "preview",
    }
)


class DropMaterialization(ast.NodeTransformer):
    """``expr.execute(...)`` → ``expr`` (likewise every method in MATERIALIZE)."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr in MATERIALIZE:
            return function.value
        return node


def _statements_from(code: str, start_line: int) -> ast.Module:
    """The top-level statements of ``code`` that end at or after ``start_line``."""
    tree = ast.parse(code)
    kept = [s for s in tree.body if (s.end_lineno or s.lineno) >= start_line]
    return ast.Module(body=kept, type_ignores=[])


def _tables(spec: dict[str, Any]) -> dict[str, object]:
    import ibis

    return {
        variable: ibis.table(ibis.schema(table["schema"]), name=table["name"])
        for variable, table in spec.items()
    }


def _failure(stage: str, error: BaseException) -> dict[str, Any]:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return {"ok": False, "stage": stage, "error_type": type(error).__name__, "message": message}


def check_python(request: dict[str, Any]) -> dict[str, Any]:
    """Build the expression the code ends with and compile it for the dialect."""
    import ibis
    import ibis.expr.types as ir

    from ibis_copilot.expressions.snippet import CaptureLastExpression, pop_last_value

    code = request["code"]
    try:
        tree = _statements_from(code, int(request.get("start_line", 1)))
    except SyntaxError as error:
        return _failure("syntax", error)
    tree = CaptureLastExpression().visit(DropMaterialization().visit(tree))
    ast.fix_missing_locations(tree)
    namespace: dict[str, Any] = {
        "__name__": "__check__",
        "ibis": ibis,
        "_": ibis._,
        "display": lambda *_args, **_kwargs: None,
        **_tables(request.get("tables", {})),
    }
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # stdout carries the answer
            exec(compile(tree, "<fix>", "exec"), namespace)  # noqa: S102 - this process's job
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        return _failure("run", error)
    found = pop_last_value(code, namespace, lambda value: isinstance(value, ir.Expr))
    if found is None or not isinstance(found.value, ir.Expr):
        return {
            "ok": False,
            "stage": "result",
            "error_type": "",
            "message": "the code does not end with an Ibis expression",
        }
    expr = found.value
    try:
        sql = ibis.to_sql(expr, dialect=request.get("dialect") or "duckdb")
    except Exception as error:  # noqa: BLE001
        return _failure("compile", error)
    outcome: dict[str, Any] = {"ok": True, "stage": "done", "sql": str(sql)}
    if request.get("assertion"):
        try:
            scope = {"ibis": ibis, **_tables(request.get("tables", {})), "result": expr}
            passed = bool(eval(request["assertion"], scope))  # noqa: S307
        except Exception as error:  # noqa: BLE001
            return {**_failure("assertion", error), "sql": str(sql)}
        outcome["assertion"] = passed
    return outcome


def check_first(request: dict[str, Any]) -> dict[str, Any]:
    """Check ``codes`` in order: the first that passes, with its index (-1: none did)."""
    first_failure: dict[str, Any] | None = None
    for index, code in enumerate(request.get("codes", [])):
        answer = check_python({**request, "code": code})
        if answer.get("ok"):
            return {**answer, "index": index}
        first_failure = first_failure or answer
    none = {"ok": False, "stage": "result", "error_type": "", "message": "no candidates"}
    return {**(first_failure or none), "index": -1}


def check_each(request: dict[str, Any]) -> dict[str, Any]:
    """Check every one of ``codes``; one answer per code, in order."""
    answers = [check_python({**request, "code": code}) for code in request.get("codes", [])]
    return {"ok": True, "stage": "done", "answers": answers}


def check_sql(request: dict[str, Any]) -> dict[str, Any]:
    """Bind SQL against empty DuckDB tables with the given schemas (``EXPLAIN``)."""
    import ibis

    connection = ibis.duckdb.connect()
    connection.raw_sql("SET enable_external_access = false")
    for table in request.get("tables", {}).values():
        connection.create_table(table["name"], schema=ibis.schema(table["schema"]))
    try:
        connection.raw_sql(f"EXPLAIN {request['sql']}").fetchall()
    except Exception as error:  # noqa: BLE001
        return _failure("bind", error)
    return {"ok": True, "stage": "done"}


#: What starts another process; refused here (non-root users also get RLIMIT_NPROC = 0).
PROCESS_STARTERS = (
    ("os", ("system", "fork", "forkpty", "posix_spawn", "posix_spawnp", "popen")),
    ("os", ("execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp", "execlpe")),
    ("subprocess", ("Popen",)),
)


def _no_child_processes() -> None:
    """No checked code starts a process: the ways Python offers are replaced by a refusal."""
    import importlib

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("the check process starts no other process")

    for module_name, names in PROCESS_STARTERS:
        module = importlib.import_module(module_name)
        for name in names:
            if hasattr(module, name):
                setattr(module, name, refuse)
    if os.geteuid() != 0:  # root is not bound by RLIMIT_NPROC
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def _warm_up() -> None:
    """Import Ibis and its SQL compiler before the request comes (a spare process waits
    with this done, so a check pays only for its own work)."""
    import ibis

    ibis.to_sql(ibis.table({"a": "int64"}, name="t").filter(ibis._.a > 1), dialect="duckdb")


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    _no_child_processes()
    _warm_up()
    text = sys.stdin.read()
    if not text:
        return  # a spare nobody needed: its parent closed stdin
    request = json.loads(text)
    handlers = {"sql": check_sql, "first": check_first, "each": check_each}
    handler = handlers.get(request.get("mode", ""), check_python)
    try:
        answer = handler(request)
    except Exception as error:  # noqa: BLE001 - e.g. a schema that does not parse
        answer = _failure("setup", error)
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    os._exit(0)  # the answer is out: skip the interpreter's teardown (~0.4 s after Ibis)


if __name__ == "__main__":
    main()
