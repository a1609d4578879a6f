"""Whether a backend implements an Ibis operation, from Ibis's own support data.

An operation is a class of ``ibis.expr.operations`` (``ArrayIndex``, ``Median``...). A SQL
backend implements it when its compiler has a ``visit_`` method for it that is not
``visit_Undefined``/``visit_Unsupported``, or lists it as supported: the test
``SQLBackend.has_operation`` makes, read from the compilers alone so that no database
driver is needed. Polars, the one backend without a SQL compiler, is asked directly when
it is installed.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from functools import cache
from typing import Any

import ibis.backends.sql.compilers as sql_compilers
import ibis.expr.operations as ops

from ibis_copilot.errors import BadRequestError
from ibis_copilot.expressions.compile import valid_dialects
from ibis_copilot.mcp_server.schemas import BackendRow, SupportOutput

ALL = "all"
MAX_CLOSEST = 5
PREFIXES = ("ibis.expr.operations.", "operations.", "ops.")


class UnknownBackendError(BadRequestError):
    """The backend is not one this Ibis installation knows."""


@cache
def operations() -> dict[str, type[ops.Node]]:
    """Concrete operation classes, keyed by their name lowercased without underscores."""
    found: dict[str, type[ops.Node]] = {}
    for name in dir(ops):
        value = getattr(ops, name)
        if (
            isinstance(value, type)
            and issubclass(value, ops.Node)
            and not inspect.isabstract(value)
            and not name.startswith("_")
        ):
            found[_key(name)] = value
    return found


def backends() -> tuple[str, ...]:
    """Every backend this can answer for: the SQL dialects, and polars."""
    return (*valid_dialects(), "polars")


def _key(name: str) -> str:
    for prefix in PREFIXES:
        name = name.removeprefix(prefix)
    return name.replace("_", "").lower()


def _sql_supports(dialect: str, operation: type[ops.Node]) -> bool:
    compiler: Any = getattr(sql_compilers, dialect).compiler
    if operation in compiler.extra_supported_ops:
        return True
    method = getattr(compiler, f"visit_{operation.__name__}", None)
    return method not in (None, compiler.visit_Undefined, compiler.visit_Unsupported)


def _polars_supports(operation: type[ops.Node]) -> bool:
    try:
        backend = importlib.import_module("ibis.backends.polars").Backend
    except ImportError:
        raise UnknownBackendError(
            "the polars backend is not installed here: pip install 'ibis-framework[polars]'"
        ) from None
    return bool(backend.has_operation(operation))


def _supports(backend: str, operation: type[ops.Node]) -> bool:
    if backend == "polars":
        return _polars_supports(operation)
    return _sql_supports(backend, operation)


def support(operation: str, backend: str = ALL) -> SupportOutput:
    """Whether ``backend`` (or every backend, for ``all``) implements ``operation``."""
    if not isinstance(operation, str) or not operation.strip():
        raise BadRequestError("the operation is empty; give e.g. ArrayIndex or Median")
    if backend != ALL and backend not in backends():
        raise UnknownBackendError(
            f"unknown backend {backend!r}; valid backends: {', '.join(backends())}, or {ALL}"
        )
    known = operations()
    found = known.get(_key(operation.strip()))
    if found is None:
        close = difflib.get_close_matches(_key(operation), list(known), n=MAX_CLOSEST)
        return {
            "found": False,
            "operation": operation,
            "backends": [],
            "closest": [known[key].__name__ for key in close],
        }
    chosen = valid_dialects() if backend == ALL else (backend,)
    rows: list[BackendRow] = [
        {"backend": name, "supported": _supports(name, found)} for name in chosen
    ]
    return {"found": True, "operation": found.__name__, "backends": rows, "closest": []}
