"""Whether a backend implements an Ibis operation, from Ibis's own support data.

An operation is a class of ``ibis.expr.operations`` (``ArrayIndex``, ``Median``...). A SQL
backend implements it when its compiler has a ``visit_`` method for it that is not
``visit_Undefined``/``visit_Unsupported``, or lists it as supported: the test
``SQLBackend.has_operation`` makes, read from the compilers alone so that no database
driver is needed. Polars, the one backend without a SQL compiler, is asked directly when
it is installed. Used by the MCP tool ``backend_support`` and the knowledge index.
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache
from typing import Any

import ibis.backends.sql.compilers as sql_compilers
import ibis.expr.operations as ops

from ibis_copilot.errors import BadRequestError
from ibis_copilot.expressions.compile import valid_dialects

PREFIXES = ("ibis.expr.operations.", "operations.", "ops.")


class UnknownBackendError(BadRequestError):
    """The backend is not one this Ibis installation knows."""


#: Operations no backend visits itself: rewritten into others first, or handled by the
#: visit methods of their subclasses (Ibis's support matrix leaves them out too).
HANDLED_ELSEWHERE = frozenset(
    {
        "Alias",
        "AnalyticVectorizedUDF",
        "Distinct",
        "DropNull",
        "ElementWiseVectorizedUDF",
        "FillNull",
        "ReductionVectorizedUDF",
        "ScalarParameter",
        "Subquery",
    }
)


@cache
def operations() -> dict[str, type[ops.Node]]:
    """The public operations, keyed by :func:`operation_key`: the classes each module of
    ``ibis.expr.operations`` exports that are leaves, or that some backend compiles
    itself (``Median``, ``Between``); bases such as ``Comparison`` are left out."""
    found: dict[str, type[ops.Node]] = {}
    for _, module in inspect.getmembers(ops, inspect.ismodule):
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if (
                isinstance(value, type)
                and issubclass(value, ops.Node)
                and name not in HANDLED_ELSEWHERE
                and (not value.__subclasses__() or _compiled_somewhere(value))
            ):
                found[operation_key(name)] = value
    return found


def _compiled_somewhere(operation: type[ops.Node]) -> bool:
    return any(_sql_supports(dialect, operation) for dialect in valid_dialects())


def backends() -> tuple[str, ...]:
    """Every backend this can answer for: the SQL dialects, and polars."""
    return (*valid_dialects(), "polars")


def operation_key(name: str) -> str:
    """``ops.Array_Index`` → ``arrayindex``: how names are matched."""
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


def supports(backend: str, operation: type[ops.Node]) -> bool:
    """Whether ``backend`` implements ``operation``."""
    if backend == "polars":
        return _polars_supports(operation)
    return _sql_supports(backend, operation)
