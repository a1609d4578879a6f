"""Which code may reach the check process: expression-building Ibis code, nothing else.

Model-written code (and code passed to the checker by anyone) is untrusted. Before the
check process runs it, the syntax tree must consist of building Ibis expressions: names,
attributes, calls, literals, operators, comprehensions and lambdas over the tables,
``ibis``, ``_`` and selectors; assignments; imports of ``ibis`` only. No dunder or private
attributes, no builtins that reach files, processes or the interpreter, no Ibis entry
points that open connections or read files, no statements that define or control flow.
Anything else is "not checked: uses X" and never runs.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import types

#: Statements that build expressions.
STATEMENTS = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Import, ast.ImportFrom)
#: Expression nodes of expression-building code (their children are checked too).
EXPRESSIONS = (
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.keyword,
    ast.Constant,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.Subscript,
    ast.Slice,
    ast.Starred,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Lambda,
    ast.arguments,
    ast.arg,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.alias,
    ast.expr_context,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
)
#: Builtins that only compute values.
SAFE_BUILTINS = frozenset(
    {
        "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "frozenset",
        "int", "len", "list", "max", "min", "print", "range", "reversed", "round", "set",
        "sorted", "str", "sum", "tuple", "zip", "None", "True", "False",
    }
)  # fmt: skip
#: Attributes of Ibis modules that open connections, change global state or reach files
#: (``examples`` downloads and reads data sets).
IBIS_ENTRY_POINTS = frozenset(
    {"set_backend", "get_backend", "options", "config", "backends", "util", "udf", "examples"}
)


class _Refusal(Exception):  # noqa: N818 - a signal inside this module, never raised out
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _from_ibis(value: object) -> bool:
    """Whether a module, class or function belongs to Ibis (not os, pathlib, ...)."""
    if isinstance(value, types.ModuleType):
        name = value.__name__
    else:
        name = getattr(value, "__module__", None) or "ibis"
    return name == "ibis" or name.startswith("ibis.")


class _Admission:
    """Walks a module's syntax tree; raises _Refusal at the first thing not admitted.

    Names bound by ``import ibis...`` are resolved on the real (already imported) Ibis
    modules, attribute by attribute, so a chain such as ``ibis.expr.api.os`` that leaves
    Ibis for another module is refused before anything runs."""

    def __init__(self) -> None:
        import ibis

        self.modules: dict[str, object] = {"ibis": ibis}  # the check process binds it

    def module(self, tree: ast.Module) -> None:
        for statement in tree.body:
            if not isinstance(statement, STATEMENTS):
                raise _Refusal(f"a {_describe(statement)} statement")
            if isinstance(statement, ast.Import | ast.ImportFrom):
                self.imports(statement)
            else:
                self.children(statement)

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom) and node.level:
            raise _Refusal("a relative import")
        names = [alias.name for alias in node.names]
        modules = names if isinstance(node, ast.Import) else [node.module or ""]
        for module in modules:
            if module != "ibis" and not module.startswith("ibis."):
                raise _Refusal(f"import {module}")
            if any(part.startswith("_") for part in module.split(".")):
                raise _Refusal(f"import {module}")
            if module.startswith("ibis.backends"):
                raise _Refusal(f"import {module} (a backend)")
            if IBIS_ENTRY_POINTS & set(module.split(".")[1:]):
                raise _Refusal(f"import {module} (it changes state or reaches files)")
        for alias in node.names:
            if alias.name.startswith("_") and alias.name != "_":
                raise _Refusal(f"import of the private name {alias.name}")
            if isinstance(node, ast.ImportFrom) and alias.name in IBIS_ENTRY_POINTS:
                raise _Refusal(f"import of {alias.name} (it changes state or reaches files)")
            if isinstance(node, ast.Import):
                bound = alias.asname or alias.name.split(".")[0]
                path = alias.name if alias.asname else bound
            else:
                bound, path = alias.asname or alias.name, f"{node.module}.{alias.name}"
            value = _resolve_path(path)
            if value is not None and not _from_ibis(value):
                raise _Refusal(f"import of {path}, which is not Ibis")
            self.modules[bound] = value

    def node(self, node: ast.AST) -> None:
        if not isinstance(node, EXPRESSIONS):
            raise _Refusal(_describe(node))
        if isinstance(node, ast.Attribute):
            self.chain(node)
            return
        if isinstance(node, ast.Name):
            self.name(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, bytes):
            raise _Refusal("bytes literals")
        self.children(node)

    def children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.node(child)

    def name(self, node: ast.Name) -> None:
        name = node.id
        if name.startswith("__"):
            raise _Refusal(name)
        if name in self.modules and isinstance(self.modules[name], types.ModuleType):
            if isinstance(node.ctx, ast.Load):
                raise _Refusal(f"the module {name} as a value")
        elif hasattr(builtins, name) and name not in SAFE_BUILTINS:
            raise _Refusal(f"the builtin {name}()")

    def is_ibis_deferred(self, node: ast.Attribute) -> bool:
        """``ibis._``: the public deferred column reference, not a private attribute."""
        owner = node.value
        return (
            node.attr == "_"
            and isinstance(owner, ast.Name)
            and getattr(self.modules.get(owner.id), "__name__", None) == "ibis"
        )

    def chain(self, node: ast.Attribute) -> None:
        """``a.b.c``: no private part; on an imported module, every step stays in Ibis."""
        parts: list[str] = []
        root: ast.AST = node
        while isinstance(root, ast.Attribute):
            if root.attr.startswith("_") and not self.is_ibis_deferred(root):
                raise _Refusal(f"the private attribute .{root.attr}")
            if root.attr == "connect" or root.attr.startswith("read_"):
                raise _Refusal(f".{root.attr} (it reaches files or connections)")
            parts.insert(0, root.attr)
            root = root.value
        if not (isinstance(root, ast.Name) and root.id in self.modules):
            self.node(root)
            return
        if root.id.startswith("__"):
            raise _Refusal(root.id)
        value = self.modules[root.id]
        for depth, part in enumerate(parts):
            if value is None:
                return  # not resolvable here: the check process will say
            if isinstance(value, types.ModuleType) and part in IBIS_ENTRY_POINTS:
                raise _Refusal(f"{'.'.join([root.id, *parts[: depth + 1]])} (it changes state)")
            value = getattr(value, part, None)
            if value is not None and not _from_ibis(value):
                where = ".".join([root.id, *parts[: depth + 1]])
                raise _Refusal(f"{where}, which is not Ibis")
            last = depth == len(parts) - 1
            if last and isinstance(value, types.ModuleType) and isinstance(node.ctx, ast.Load):
                raise _Refusal(f"the module {'.'.join([root.id, *parts])} as a value")


def _resolve_path(path: str) -> object:
    """The object a dotted ``ibis...`` path names, importing Ibis modules as needed."""
    try:
        return importlib.import_module(path)
    except ImportError:
        module, _, attribute = path.rpartition(".")
        try:
            return getattr(importlib.import_module(module), attribute, None)
        except ImportError:
            return None


def _describe(node: ast.AST) -> str:
    return type(node).__name__.lower()


def admit(code: str) -> str | None:
    """None when ``code`` is expression-building Ibis code; else why it is not checked
    ("uses X" or "does not parse: ..."), in one line."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return f"does not parse: {error.msg} (line {error.lineno})"
    try:
        _Admission().module(tree)
    except _Refusal as refusal:
        return f"uses {refusal.reason}"
    return None
