"""Source: the API reference of an Ibis package, read statically with griffe.

Griffe is what Ibis's own API reference (quartodoc) is built with; it reads signatures
and numpydoc docstrings without importing the package, so backends whose drivers are
not installed are covered too. One chunk per public object users reach.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import griffe

from ibis_copilot.knowledge.chunks import DOCS_SITE, Chunk
from ibis_copilot.knowledge.example_sql import ExampleSql, compact, doctest_code, sql_vocabulary
from ibis_copilot.knowledge.quarto import flatten_quarto
from ibis_copilot.knowledge.user_words import USER_WORDS_LINE

# Griffe reports every docstring it finds odd; that is Ibis's business, not the user's.
logging.getLogger("griffe").setLevel(logging.ERROR)

#: Modules whose public classes (and their methods) are the expression API.
EXPRESSION_MODULES = "ibis.expr.types"
NAMESPACES = ("ibis.selectors", "ibis.udf", "ibis.common.exceptions", "ibis.expr.datatypes")
BACKEND_BASES = ("ibis.backends.BaseBackend", "ibis.backends.sql.SQLBackend")
#: Backends whose every method is indexed (others: their ``connect`` parameters).
FULL_BACKENDS = ("duckdb",)
SKIPPED_PARTS = {"tests", "conftest", "tests_helpers", "_version"}

#: Reference page (under /reference/) that documents each expression module.
REFERENCE_PAGES = {
    "relations": "expression-tables",
    "groupby": "expression-tables",
    "strings": "expression-strings",
    "numeric": "expression-numeric",
    "temporal": "expression-temporal",
    "temporal_windows": "expression-temporal",
    "arrays": "expression-collections",
    "maps": "expression-collections",
    "structs": "expression-collections",
    "json": "expression-json",
    "geospatial": "expression-geospatial",
    "uuid": "expression-uuid",
}
MAX_EXAMPLE_LINES = 24
#: Where the expression API lives (pandas names go to these objects only).
EXPRESSION_PATHS = ("ibis.expr.types.", "ibis.expr.api.")
#: How much compiled example SQL one API object's SQL chunk carries.
MAX_SQL_CHARS = 1200


def reference_url(path: str) -> str:
    """The public reference page (with the object's anchor) for a canonical path."""
    parts = path.split(".")
    if parts[:3] == ["ibis", "expr", "types"] and len(parts) > 3:
        page = f"reference/{REFERENCE_PAGES.get(parts[3], 'expression-generic')}"
    elif parts[:2] == ["ibis", "backends"] and len(parts) > 2 and parts[2][0].islower():
        page = f"backends/{parts[2]}"
    elif parts[:2] == ["ibis", "selectors"]:
        page = "reference/selectors"
    elif parts[:2] == ["ibis", "udf"]:
        page = "reference/scalar-udfs"
    elif parts[:3] == ["ibis", "expr", "datatypes"]:
        page = "reference/datatypes"
    else:
        page = "reference/expression-generic"
    return f"{DOCS_SITE}/{page}.html#{path}"


def _example_code(text: str) -> str:
    """Doctest input lines only: the rendered tables in outputs are noise for search."""
    lines = [line for line in text.splitlines() if line.startswith((">>>", "..."))]
    return "\n".join(lines[:MAX_EXAMPLE_LINES])


def _as_comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.strip().splitlines())


def render_docstring(obj: griffe.Object) -> str:
    """Summary, parameters, returns, raises and example code as compact Markdown."""
    if obj.docstring is None:
        return ""
    parts: list[str] = []
    for section in obj.docstring.parse("numpy"):
        kind = section.kind.value
        if kind == "text":
            parts.append(str(section.value).strip())
        elif kind in {"parameters", "other parameters", "attributes"}:
            parts.append(
                "Parameters:\n"
                + "\n".join(
                    f"- {p.name}"
                    + (f" ({p.annotation})" if p.annotation else "")
                    + (f": {p.description}" if p.description else "")
                    for p in section.value
                )
            )
        elif kind in {"returns", "yields", "raises", "warns"}:
            parts.append(
                f"{kind.capitalize()}:\n"
                + "\n".join(
                    f"- {r.annotation or r.name}" + (f": {r.description}" if r.description else "")
                    for r in section.value
                )
            )
        elif kind == "examples":
            code = "\n".join(
                _example_code(text) if sub.value == "examples" else _as_comment(text)
                for sub, text in section.value
            ).strip()
            if code:
                parts.append(f"Examples:\n```python\n{code}\n```")
        elif kind in {"admonition", "deprecated"}:
            value: Any = section.value
            parts.append(str(getattr(value, "description", value)).strip())
    return flatten_quarto("\n\n".join(part for part in parts if part))


def example_code(obj: griffe.Object) -> str:
    """All the code of the object's docstring examples, prompts removed."""
    if obj.docstring is None:
        return ""
    blocks = [
        doctest_code(text)
        for section in obj.docstring.parse("numpy")
        if section.kind.value == "examples"
        for sub, text in section.value
        if sub.value == "examples"
    ]
    return "\n".join(block for block in blocks if block)


#: How a vocabulary sibling's lines begin (``pairs`` reads them back for training).
PANDAS_LINE, SQL_WORDS_LINE = "In pandas: ", "In SQL: "


def bridge_chunk(
    chunk: Chunk, sqls: list[str], pandas: list[str], asked_as: Sequence[str] = ()
) -> Chunk:
    """A sibling of an API object's chunk, cited as the same page, in the words of users
    who do not know its name: how they ask for it (``user_words.json``), the pandas names
    it stands for, the SQL words and the SQL its examples compile to."""
    parts = [chunk.text.split("\n", 1)[0]]
    if asked_as:
        parts.append(f"{USER_WORDS_LINE}{'; '.join(asked_as)}")
    if pandas:
        parts.append(f"{PANDAS_LINE}{', '.join(pandas)}")
    if sqls:
        words = dict.fromkeys(word for sql in sqls for word in sql_vocabulary(sql))
        compiled = "\n".join(compact(sql) for sql in sqls)
        parts.append(f"{SQL_WORDS_LINE}{' '.join(words)}")
        parts.append(f"Its examples compile to SQL (DuckDB):\n{compiled}")
    text = "\n\n".join(parts)[:MAX_SQL_CHARS]
    return replace(chunk, text=text, extra={**chunk.extra, "part": "vocabulary"})


def signature(obj: griffe.Object) -> str:
    """``name(params) -> annotation`` for functions; the path for other objects."""
    if isinstance(obj, griffe.Function):
        text = str(obj.signature())
        return re.sub(r"^\w+", obj.path, text)
    if isinstance(obj, griffe.Class):
        init = obj.members.get("__init__")
        params = ")"
        if isinstance(init, griffe.Function):
            params = str(init.signature()).split("(", 1)[1]
        params = re.sub(r"^self,?\s*", "", params)
        return f"class {obj.path}({params}"
    return obj.path


def _lookup(root: griffe.Module, dotted: str) -> Any:
    """The object at ``ibis.x.y`` (aliases followed), or None where this version lacks it."""
    try:
        found = root.get_member(dotted.split(".", 1)[1])
        return found.final_target if found.is_alias else found
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _version(package: str) -> str | None:
    try:
        return version("ibis-framework" if package == "ibis" else package)
    except PackageNotFoundError:
        return None


#: An argument naming another object: ``finished(Table.union)`` copies ``Table.union``.
REFERENCE = griffe.ExprName | griffe.ExprAttribute


def _public(name: str) -> bool:
    return not name.startswith("_") and name not in SKIPPED_PARTS


def _private_mixins(cls: griffe.Class) -> set[str]:
    """Paths of the private classes ``cls`` inherits from without passing a public one."""
    found: set[str] = set()
    try:
        bases = cls.resolved_bases
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return found
    for base in bases:
        if isinstance(base, griffe.Class) and base.name.startswith("_") and base.path not in found:
            found |= {base.path, *_private_mixins(base)}
    return found


class ApiSource:
    """Public functions, classes and methods of ``ibis`` (installed, or a source tree).

    With ``example_sql``, each object whose docstring examples compile also gets a sibling
    chunk with that SQL (compiled in the check process, see :mod:`example_sql`), and with
    ``pandas_names`` (Ibis method → pandas names), each documented expression method
    pandas has another name for gets them in that sibling too (not the copies made by a
    call, such as ``Join.limit = finished(Table.limit)``)."""

    def __init__(
        self,
        search_paths: list[Path] | None = None,
        package: str = "ibis",
        name: str = "api",
        provenance: dict[str, object] | None = None,
        *,
        example_sql: ExampleSql | None = None,
        pandas_names: Mapping[str, list[str]] | None = None,
        user_words: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.name = name
        self.provenance = provenance or {"package": package, "version": _version(package)}
        self.package = package
        self.search_paths = [str(path) for path in search_paths or []]
        self.example_sql = example_sql
        self.pandas_names = pandas_names or {}
        self.user_words = user_words or {}
        self._seen: set[str] = set()
        self._examples: dict[str, str] = {}
        self._documented: set[str] = set()  # paths with a docstring of their own

    def load(self) -> griffe.Module:
        """Read the package statically."""
        loader = griffe.GriffeLoader(
            docstring_parser=griffe.Parser.numpy, search_paths=self.search_paths or None
        )
        module = loader.load(self.package)
        loader.resolve_aliases(external=False, implicit=False)
        return module  # type: ignore[return-value]

    def chunks(self) -> Iterator[Chunk]:
        if self.example_sql is None and not self.pandas_names and not self.user_words:
            yield from self._api_chunks()
            return
        chunks = list(self._api_chunks())
        sql = self.example_sql.sql_for(self._examples) if self.example_sql else {}
        for chunk in chunks:
            yield chunk
            path = chunk.path.removeprefix("api:")
            pandas = []
            if path.startswith(EXPRESSION_PATHS) and path in self._documented:
                pandas = self.pandas_names.get(path.rsplit(".", 1)[-1], [])
            asked_as = self.user_words.get(path, [])
            if path in sql or pandas or asked_as:
                yield bridge_chunk(chunk, sql.get(path, []), pandas, asked_as)

    def _api_chunks(self) -> Iterator[Chunk]:
        root = self.load()
        self._seen.clear()
        self._examples.clear()
        self._documented.clear()
        # ibis.* as users write it, e.g. ibis.desc, ibis.Table, ibis.read_parquet
        for name in sorted(str(export) for export in root.exports or []):
            member = root.members.get(name)
            if member is not None and _public(name):
                yield from self._object(member, user_name=f"{self.package}.{name}")
        for path in (EXPRESSION_MODULES, *NAMESPACES):
            namespace = _lookup(root, path)
            if namespace is not None:
                for module in self._modules(namespace):
                    yield from self._module_objects(module)
        for base in BACKEND_BASES:
            found = _lookup(root, base)
            if found is not None:
                yield from self._object(found)
        yield from self._backends(_lookup(root, "ibis.backends"))

    def _backends(self, backends: griffe.Module | None) -> Iterator[Chunk]:
        """Each backend's ``connect`` parameters; every method of FULL_BACKENDS."""
        for name, member in sorted(backends.members.items() if backends else []):
            if _public(name) and isinstance(member, griffe.Module) and "Backend" in member.members:
                backend = member["Backend"]
                for method in ("do_connect", "connect"):
                    if method in backend.members:
                        yield from self._object(
                            backend[method], user_name=f"{self.package}.{name}.connect"
                        )
                if name in FULL_BACKENDS:
                    yield from self._object(backend)

    def _modules(self, module: Any) -> Iterator[griffe.Module]:
        yield module
        for name, member in sorted(module.members.items()):
            if _public(name) and isinstance(member, griffe.Module):
                yield from self._modules(member)

    def _module_objects(self, module: griffe.Module) -> Iterator[Chunk]:
        for name, member in sorted(module.members.items()):
            if _public(name) and not member.is_alias and not isinstance(member, griffe.Module):
                yield from self._object(member)

    def _object(self, obj: Any, user_name: str = "", path: str = "") -> Iterator[Chunk]:
        """Chunks for ``obj`` (and a class's methods); ``path`` overrides where it lives."""
        try:
            target = obj.final_target if obj.is_alias else obj
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return
        if not isinstance(target, griffe.Function | griffe.Class | griffe.Attribute):
            return
        path = path or target.path
        if path in self._seen or any(part in SKIPPED_PARTS for part in path.split(".")):
            return
        self._seen.add(path)
        body = render_docstring(target) or self._documented_in_base(target)
        if body:
            self._documented.add(path)
        if isinstance(target, griffe.Attribute) and not body:
            # Methods made by a call (Table.left_join) are described by that call; a copy
            # of another object (``Join.union = finished(Table.union)``) is that object.
            if not isinstance(target.value, griffe.ExprCall) or target.parent is None:
                return
            if any(isinstance(arg, REFERENCE) for arg in target.value.arguments):
                return
            body = f"{path} = {target.value}"
        if body or isinstance(target, griffe.Class):
            if self.example_sql is not None and (code := example_code(target)):
                self._examples[path] = code
            yield self._chunk(target, body, user_name, path)
        if isinstance(target, griffe.Class):
            yield from self._members(target)

    def _documented_in_base(self, member: griffe.Object) -> str:
        """A full backend's method without a docstring of its own (DuckDB's
        ``list_databases``) described by the base that declares it (``CanListDatabase``),
        where that base is not indexed itself; else ""."""
        owner = member.parent
        backends = tuple(f"{self.package}.backends.{name}." for name in FULL_BACKENDS)
        if not isinstance(owner, griffe.Class) or not owner.path.startswith(backends):
            return ""
        for base in owner.mro():
            found = base.members.get(member.name)
            if found is None or base.path in BACKEND_BASES or base.name.startswith("_"):
                continue
            if body := render_docstring(
                found.final_target if isinstance(found, griffe.Alias) else found
            ):
                return body
        return ""

    def _members(self, cls: griffe.Class) -> Iterator[Chunk]:
        """A class's own public members, and those it inherits from its private mixins
        (not from a public base's mixins: ``DateValue.day``, not also ``DateColumn.day``)."""
        for name, member in sorted(cls.members.items()):
            if _public(name) and not member.is_alias:
                yield from self._object(member)
        mixins = _private_mixins(cls)
        for name, member in sorted(cls.inherited_members.items()):
            try:
                owner = member.final_target.parent
            except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                continue
            if _public(name) and owner is not None and owner.path in mixins:
                yield from self._object(member, path=f"{cls.path}.{name}")

    def _chunk(self, obj: griffe.Object, body: str, user_name: str, path: str) -> Chunk:
        header = signature(obj).replace(obj.path, path, 1)
        if user_name and user_name != path:
            header += f"\n(available as `{user_name}`)"
        return Chunk(
            source=self.name,
            path=f"api:{path}",
            title=path,
            heading=path.rsplit(".", 1)[0],
            url=reference_url(path),
            kind="reference",
            text=f"{header}\n\n{body}".strip(),
            extra={"name": obj.name, "user_name": user_name or path},
        )
