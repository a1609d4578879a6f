"""Find the value a snippet of user code "ends with", without changing how it runs.

The last top-level expression statement is rewritten into an assignment to a hidden
name; line numbers are kept, so tracebacks show the user's own lines.
"""

from __future__ import annotations

import ast
import linecache
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass

LAST_VALUE_NAME = "__ibis_copilot_last_value__"


class CaptureLastExpression(ast.NodeTransformer):
    """Turn a module's final expression statement into ``LAST_VALUE_NAME = <expr>``."""

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if node.body and isinstance(node.body[-1], ast.Expr):
            last = node.body[-1]
            target = ast.copy_location(ast.Name(id=LAST_VALUE_NAME, ctx=ast.Store()), last)
            node.body[-1] = ast.copy_location(ast.Assign(targets=[target], value=last.value), last)
        return node


def assigned_names(source: str) -> list[str]:
    """Plain names bound by top-level assignments, in order (later ones last)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            targets = [statement.target]
        names.extend(target.id for target in targets if isinstance(target, ast.Name))
    return names


@dataclass(frozen=True)
class SnippetValue:
    """What a snippet ended with: the value and a human description of where it came from."""

    value: object
    origin: str


def pop_last_value(
    source: str, namespace: MutableMapping[str, object], wanted: Callable[[object], bool]
) -> SnippetValue | None:
    """After running ``source`` with CaptureLastExpression, pick the value it ended with.

    The final expression statement wins, whatever its type (so callers can say what they
    got instead); otherwise the most recently assigned name whose value is ``wanted``.
    """
    if LAST_VALUE_NAME in namespace:
        return SnippetValue(namespace.pop(LAST_VALUE_NAME), "the last expression")
    for name in reversed(assigned_names(source)):
        if name in namespace and wanted(namespace[name]):
            return SnippetValue(namespace[name], f"`{name}`")
    return None


def run_snippet(
    source: str, filename: str, namespace: dict[str, object] | None = None
) -> dict[str, object]:
    """Run user code as ``python FILE`` would, capturing its last expression's value.

    Exceptions raised by the user's code propagate unchanged; pass ``namespace`` to keep
    what the code defined before it failed.
    """
    tree = CaptureLastExpression().visit(ast.parse(source, filename=filename))
    code = compile(tree, filename, "exec")
    # Register the source so tracebacks of stdin/virtual files show the user's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    if namespace is None:
        namespace = {}
    namespace.update({"__name__": "__main__", "__file__": filename})
    exec(code, namespace)  # noqa: S102 - running the user's own snippet is the command's job
    return namespace
