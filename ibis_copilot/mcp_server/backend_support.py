"""The MCP tool ``backend_support``: whether a backend implements an Ibis operation,
with the nearest operation names when the name is unknown (the data:
:mod:`ibis_copilot.expressions.backend_support`)."""

from __future__ import annotations

import difflib

from ibis_copilot.errors import BadRequestError
from ibis_copilot.expressions.backend_support import (
    UnknownBackendError,
    backends,
    operation_key,
    operations,
    supports,
)
from ibis_copilot.expressions.compile import valid_dialects
from ibis_copilot.mcp_server.schemas import BackendRow, SupportOutput

ALL = "all"
MAX_CLOSEST = 5


def support(operation: str, backend: str = ALL) -> SupportOutput:
    """Whether ``backend`` (or every backend, for ``all``) implements ``operation``."""
    if not isinstance(operation, str) or not operation.strip():
        raise BadRequestError("the operation is empty; give e.g. ArrayIndex or Median")
    if backend != ALL and backend not in backends():
        raise UnknownBackendError(
            f"unknown backend {backend!r}; valid backends: {', '.join(backends())}, or {ALL}"
        )
    known = operations()
    found = known.get(operation_key(operation.strip()))
    if found is None:
        close = difflib.get_close_matches(operation_key(operation), list(known), n=MAX_CLOSEST)
        return {
            "found": False,
            "operation": operation,
            "backends": [],
            "closest": [known[key].__name__ for key in close],
        }
    chosen = valid_dialects() if backend == ALL else (backend,)
    rows: list[BackendRow] = [
        {"backend": name, "supported": supports(name, found)} for name in chosen
    ]
    return {"found": True, "operation": found.__name__, "backends": rows, "closest": []}
