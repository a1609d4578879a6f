"""The names a cell took from Ibis by importing (``import ibis.selectors as s``,
``from ibis import desc``), given to the check process too.

The check process starts with ``ibis``, ``_`` and the tables only; a fix that uses ``s.``
would fail there with a NameError the user's kernel does not have. The imports are put
just before the first statement the check runs, so the checked statements are unchanged.
"""

from __future__ import annotations

import ast
import importlib
import re
import types
from collections.abc import Iterable, Mapping

import ibis

#: The two forms :func:`ibis_imports` writes, and the only ones a request may carry.
IMPORT_LINE = re.compile(r"^(?:import (ibis(?:\.\w+)+) as (\w+)|from ibis import (\w+))$")


def ibis_imports(namespace: Mapping[str, object]) -> list[str]:
    """Import statements for the namespace's Ibis modules and top-level Ibis names."""
    lines = []
    for name, value in namespace.items():
        if name.startswith("_") or name == "ibis":
            continue
        if isinstance(value, types.ModuleType) and value.__name__.startswith("ibis."):
            lines.append(f"import {value.__name__} as {name}")
        elif callable(value) and getattr(ibis, name, None) is value:
            lines.append(f"from ibis import {name}")
    return lines


def bound_names(imports: Iterable[str]) -> dict[str, object]:
    """The names ``imports`` (lines as :func:`ibis_imports` writes them) bind, resolved on
    the installed Ibis; lines of another form, or naming nothing in Ibis, are skipped."""
    bound: dict[str, object] = {}
    for line in imports:
        match = IMPORT_LINE.match(line)
        if match is None:
            continue
        module, alias, name = match.groups()
        try:
            value = importlib.import_module(module) if module else getattr(ibis, name)
        except (ImportError, AttributeError):
            continue
        bound[alias or name] = value
    return bound


def with_imports(code: str, start_line: int, imports: list[str]) -> tuple[str, int]:
    """``code`` with ``imports`` inserted before the first statement that ends at or after
    ``start_line``, and the line the check starts from now (unchanged without imports)."""
    if not imports:
        return code, start_line
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code, start_line
    first = next((s for s in tree.body if (s.end_lineno or s.lineno) >= start_line), None)
    at = first.lineno if first is not None else len(code.splitlines()) + 1
    lines = code.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    inserted = lines[: at - 1] + [f"{line}\n" for line in imports] + lines[at - 1 :]
    return "".join(inserted), at
