"""Whether a completion may be shown: it must parse in its cell and use only real names.

No ghost text is better than wrong ghost text: prose, half a statement that breaks the
cell, or an attribute the tables or Ibis do not have is withheld, with the reason.
"""

from __future__ import annotations

import ast
import re

from ibis_copilot.expressions.namespace import TableSpecs
from ibis_copilot.repair.names import unknown_names

#: IPython lines (magics, shell escapes) that are not Python; they parse as ``pass``.
IPYTHON_LINE = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


def as_python(cell: str) -> str:
    """The cell with IPython magics and shell escapes replaced by ``pass``."""
    return IPYTHON_LINE.sub(r"\1pass", cell)


def withheld_reason(prefix: str, completion: str, suffix: str, tables: TableSpecs) -> str | None:
    """None when ``completion`` may be shown between ``prefix`` and ``suffix``; else why
    not, in one line."""
    if not completion.strip():
        return None
    cell = as_python(prefix + completion + suffix)
    try:
        ast.parse(cell)
    except SyntaxError as error:
        return f"the completed cell does not parse ({error.msg})"
    inserted = set(re.findall(r"\w+", completion))
    for name in unknown_names(cell, tables):
        if name.name.rsplit(".", 1)[-1].strip("[]'\"") in inserted:
            hint = f"; did you mean {name.closest[0]}?" if name.closest else ""
            return f"{name.name} is not a {name.kind}{hint}"
    return None
