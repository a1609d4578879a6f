"""The kernel↔frontend contract: the only names the JupyterLab frontend calls in a kernel.

The frontend runs these silently (``user_expressions`` or display data) to read the
notebook's tables and to show SQL. Both only read the namespace: neither runs a query nor
any code from the frontend. ``tests/test_frontend_contract.py`` pins these names, and
``src/kernelContract.ts`` holds the matching calls.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from IPython.core.getipython import get_ipython
from IPython.display import display

from ibis_copilot.expressions.compile import (
    compile_all,
    compile_sql,
    is_expression,
    one_line_reason,
)
from ibis_copilot.expressions.namespace import namespace_context, table_specs
from ibis_copilot.kernel.display import PortabilityDisplay, SQLDisplay
from ibis_copilot.repair.imports import ibis_imports

__all__ = ["NotebookContext", "enable_sql_magic", "notebook_context", "show_sql"]

DOTTED_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def _user_namespace() -> dict[str, Any]:
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


class NotebookContext:
    """The namespace's Ibis objects as JSON: ``{"schemas": text, "tables": specs,
    "imports": [the Ibis imports it holds, e.g. "import ibis.selectors as s"]}``."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.schemas = namespace_context(namespace)
        self.tables = table_specs(namespace)
        self.imports = ibis_imports(namespace)

    def _repr_json_(self) -> dict[str, Any]:
        return {"schemas": self.schemas, "tables": self.tables, "imports": self.imports}


def notebook_context() -> NotebookContext:
    """What the assistant may know about this kernel: table schemas, never data."""
    return NotebookContext(_user_namespace())


def enable_sql_magic() -> None:
    """Register ``%%ibis_sql`` (only that: no exception hook), so the visible cell the
    frontend inserts for "Show SQL for selection" works before ``%load_ext``."""
    from ibis_copilot.kernel.sql_magic import IbisSqlMagics

    shell = get_ipython()
    if shell is not None and "ibis_sql" not in shell.magics_manager.magics["cell"]:
        shell.register_magics(IbisSqlMagics)


def _lookup(name: str, namespace: dict[str, Any]) -> object:
    """The value of a dotted name, by lookups only (``t.amount``); no call is made."""
    if not DOTTED_NAME.match(name):
        raise LookupError(f"{name!r} is not a name; run it as %%ibis_sql to see its SQL")
    first, *attributes = name.split(".")
    if first not in namespace:
        raise LookupError(f"no variable named {first!r} in the namespace")
    value = namespace[first]
    for attribute in attributes:
        try:
            value = getattr(value, attribute)
        except AttributeError:
            raise LookupError(f"{name!r}: no attribute {attribute!r}") from None
    return value


def show_sql(name: str) -> None:
    """Display the SQL of the Ibis expression ``name`` names (for its backend) and the
    dialect portability table; or print the one-line reason to stderr."""
    name = name.strip()
    try:
        value = _lookup(name, _user_namespace())
        if not is_expression(value):
            raise LookupError(f"{name!r} is a {type(value).__name__}, not an Ibis expression")
        dialect, sql = compile_sql(value)
    except LookupError as error:
        print(f"ibis_sql: {error.args[0]}", file=sys.stderr)
        return
    except Exception as error:  # noqa: BLE001 - one line, never a raw traceback
        print(f"ibis_sql: cannot compile: {one_line_reason(error)}", file=sys.stderr)
        return
    display(SQLDisplay(dialect, sql))
    display(PortabilityDisplay(compile_all(value)))
