"""The SQL that API objects' docstring examples compile to, for the index.

Users ask in SQL's words (``ROWS UNBOUNDED PRECEDING``, ``EXISTS``, ``UNNEST``); the API
reference speaks Ibis. Compiling each object's examples with ``ibis.to_sql`` bridges the
two mechanically. Docstrings are third-party text, so their code never runs here: each
example passes the allowlist and then runs in the check process (one process for the
whole batch), against unbound tables. Results are cached by code, so a rebuild compiles
only examples it has not seen.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import time
from collections.abc import Mapping
from pathlib import Path

from ibis_copilot.repair.allowlist import admit
from ibis_copilot.repair.check import check_each

#: Schemas of the example data sets the docstrings fetch. ``ibis.examples`` ships names
#: and descriptions but no schemas, and fetching needs the network, so the two that most
#: examples use are written out by hand (penguins: 54 objects, zones: 31 in Ibis 12);
#: examples fetching any other data set are not compiled.
EXAMPLE_SCHEMAS: dict[str, dict[str, str]] = {
    "penguins": {
        "species": "string",
        "island": "string",
        "bill_length_mm": "float64",
        "bill_depth_mm": "float64",
        "flipper_length_mm": "int64",
        "body_mass_g": "int64",
        "sex": "string",
        "year": "int64",
    },
    "zones": {
        "OBJECTID": "int32",
        "Shape_Leng": "float64",
        "Shape_Area": "float64",
        "zone": "string",
        "LocationID": "int32",
        "borough": "string",
        "geom": "geometry",
        "x_cent": "float64",
        "y_cent": "float64",
    },
}
GENERATED_NAME = re.compile(r"ibis_(\w+?)_[a-z0-9]{26}")
TABLE_ALIAS = re.compile(r'"t\d+"\.')
SQL_WORD = re.compile(r"\b[A-Za-z_][A-Za-z_0-9]*\b")
QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
BOILERPLATE = frozenset({"SELECT", "FROM", "AS"})
#: Failures of a whole batch rather than of one program.
LOST = ("timeout:", "crash:", "setup:")
LITERAL_TYPES = {bool: "boolean", int: "int64", float: "float64", str: "string"}
TEMPORAL_CALLS = {"datetime": "timestamp", "date": "date", "time": "time"}
#: Standard-library literals and the Ibis literal each becomes.
IBIS_LITERALS = {
    "datetime": "ibis.timestamp",
    "date": "ibis.date",
    "time": "ibis.time",
    "timedelta": "ibis.interval",
}
FETCH = re.compile(r"ibis\.examples\.(\w+)\.fetch\(\s*\)")
#: Lines of an example that only configure the session (refused by the allowlist).
SESSION_SETUP = re.compile(r"^\s*ibis\.options\.")
#: SQL of an example that says nothing about the object: a bare table.
TRIVIAL_SQL = re.compile(r"^SELECT \* FROM [\w.]+$")
#: Programs per check process: a batch that crashes or times out loses only itself.
BATCH = 250
BATCH_TIMEOUT_S = 300.0


def doctest_code(text: str) -> str:
    """The code of a doctest block: its ``>>>`` and ``...`` lines without the prompts."""
    lines = []
    for line in text.splitlines():
        if line.startswith((">>> ", "... ")) or line in (">>>", "..."):
            lines.append(line[4:])
    return "\n".join(lines)


def _literal_type(node: ast.expr) -> str | None:
    """The Ibis type of a literal cell of memtable data (None: null or not known)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if isinstance(node, ast.Constant):
        return LITERAL_TYPES.get(type(node.value))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return TEMPORAL_CALLS.get(node.func.id)
    if isinstance(node, ast.List | ast.Tuple):
        inner = _column_type(node.elts)
        return f"array<{inner}>" if inner else None
    if isinstance(node, ast.Dict):
        fields = [
            (key.value, _literal_type(value))
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
        if len(fields) < len(node.keys) or any(kind is None for _, kind in fields):
            return None
        return "struct<" + ", ".join(f"{name}: {kind}" for name, kind in fields) + ">"
    return None


def _column_type(cells: list[ast.expr]) -> str | None:
    """One type for a column's cells (ints with floats are floats); None if mixed."""
    types = {_literal_type(cell) for cell in cells} - {None}
    if types == {"int64", "float64"}:
        return "float64"
    return types.pop() if len(types) == 1 else None


def _unbound(call: ast.expr, name: str) -> ast.expr | None:
    """``ibis.memtable({col: [cells]})`` as ``ibis.table({col: type}, name=...)``."""
    if not (
        isinstance(call, ast.Call)
        and ast.unparse(call.func) == "ibis.memtable"
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Dict)
    ):
        return None
    schema = {}
    for key, cells in zip(call.args[0].keys, call.args[0].values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(cells, ast.List | ast.Tuple)):
            return None
        column_type = _column_type(cells.elts)
        if column_type is None:
            return None
        schema[key.value] = column_type
    return ast.parse(f"ibis.table({schema!r}, name={name!r})", mode="eval").body


class Unbind(ast.NodeTransformer):
    """Memtables of literal data become unbound tables of the same schema; the standard
    library's ``datetime``/``timedelta`` literals become Ibis literals; their imports go."""

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        target = node.targets[0]
        if len(node.targets) == 1 and isinstance(target, ast.Name):
            table = _unbound(node.value, target.id)
            if table is not None:
                node.value = table
                return node
        self.generic_visit(node)
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST | None:
        return None if node.module == "datetime" else node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in IBIS_LITERALS:
            node.func = ast.parse(IBIS_LITERALS[node.func.id], mode="eval").body
        return node


def displayed_expressions(code: str, uses: str = "") -> list[str]:
    """One program per value the example displays: the code up to and including each
    top-level bare expression, with the data sets and memtables made unbound tables and
    session settings dropped. Programs the allowlist refuses are left out, and with
    ``uses``, those whose displayed expression does not name it (setup, not the object)."""
    lines = [line for line in code.splitlines() if not SESSION_SETUP.match(line)]
    code = FETCH.sub(_fetched, "\n".join(lines))
    if "ibis.examples" in code:  # a data set without a known schema: it would be fetched
        return []
    try:
        tree = Unbind().visit(ast.parse(code))
    except SyntaxError:
        return []
    programs: list[str] = []
    kept: list[ast.stmt] = []
    for statement in tree.body:
        kept.append(statement)
        if not isinstance(statement, ast.Expr) or isinstance(statement.value, ast.Constant):
            continue
        if not uses or re.search(rf"\b{re.escape(uses)}\b", ast.unparse(statement)):
            program = ast.unparse(ast.Module(body=kept, type_ignores=[]))
            if admit(program) is None:
                programs.append(program)
    return programs


def _fetched(match: re.Match[str]) -> str:
    name = match.group(1)
    if name not in EXAMPLE_SCHEMAS:
        return match.group(0)
    return f"ibis.table({EXAMPLE_SCHEMAS[name]!r}, name={name!r})"


def compact(sql: str) -> str:
    """SQL on one line without what only tells tables apart: quotes, ``t0.`` aliases,
    generated names (``ibis_table_unnest_<hash>`` → ``unnest``)."""
    sql = GENERATED_NAME.sub(r"\1", sql)
    sql = TABLE_ALIAS.sub("", sql).replace('"', "")
    return " ".join(sql.split())


def default_cache(data_dir: Path | None = None) -> Path:
    """The cache file for the installed Ibis: under ``data_dir`` (the index's data
    directory), else in the user's cache directory."""
    from ibis_copilot.knowledge.index import installed_ibis_version

    if data_dir is None:
        from platformdirs import user_cache_path

        data_dir = user_cache_path("ibis-copilot")
    return data_dir / "example-sql" / f"ibis-{installed_ibis_version()}.json"


def _key(program: str, dialect: str) -> str:
    return hashlib.sha256(f"{dialect}\n{program}".encode()).hexdigest()[:24]


class ExampleSql:
    """Compiles docstring examples to SQL in the check process, cached in a JSON file
    (``{key: sql or null}``; the key hashes the program and dialect, so a new Ibis whose
    examples changed compiles only those)."""

    def __init__(self, cache: Path, dialect: str = "duckdb") -> None:
        self.cache = cache
        self.dialect = dialect
        self.compiled = 0  # programs the last run sent to the check process
        self.seconds = 0.0  # and how long that took

    def _load(self) -> dict[str, str | None]:
        try:
            loaded = json.loads(self.cache.read_text())
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def sql_for(self, examples: Mapping[str, str]) -> dict[str, list[str]]:
        """For each dotted name's example code, the distinct SQL that its displayed
        expressions naming the object compile to (bare tables left out), in order; names
        with none are left out."""
        programs = {
            name: displayed_expressions(code, uses=name.rsplit(".", 1)[-1])
            for name, code in examples.items()
        }
        known = self._load()
        missing = sorted(
            {p for ps in programs.values() for p in ps if _key(p, self.dialect) not in known}
        )
        self.compiled = len(missing)
        started = time.perf_counter()
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            results = check_each(batch, {}, dialect=self.dialect, timeout=BATCH_TIMEOUT_S)
            for program, result in zip(batch, results, strict=True):
                if not result.reason.startswith(LOST):  # a lost batch is tried again next time
                    known[_key(program, self.dialect)] = result.sql if result.checked else None
        self.seconds = time.perf_counter() - started
        if missing:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            self.cache.write_text(json.dumps(known, sort_keys=True))
        found: dict[str, list[str]] = {}
        for name, ps in programs.items():
            sqls: dict[str, str] = {}  # compact form: as compiled
            for program in ps:
                sql = known.get(_key(program, self.dialect)) or ""
                if sql and not TRIVIAL_SQL.match(compact(sql)):
                    sqls.setdefault(compact(sql), sql)
            if sqls:
                found[name] = list(sqls.values())
        return found


def sql_vocabulary(sql: str, dialect: str = "duckdb") -> list[str]:
    """The SQL words of a query Ibis compiled, in order: its keywords and function names
    (``OVER``, ``UNBOUNDED``, ``ASOF``, ``QUANTILE_CONT``; Ibis quotes every identifier,
    so the bare words are SQL's) and, for each function, the names sqlglot knows it by
    in any dialect (``PERCENTILE_CONT``, ``IFNULL``, ``NVL``). ``SELECT``, ``FROM`` and
    ``AS`` are left out."""
    import sqlglot
    from sqlglot import exp

    bare = QUOTED.sub(" ", sql)
    words = dict.fromkeys(
        word.upper() for word in SQL_WORD.findall(bare) if word.upper() not in BOILERPLATE
    )
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return list(words)
    for node in tree.walk():
        if isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous):
            names: list[str] = type(node).sql_names()  # type: ignore[no-untyped-call]
            for name in (CAMEL.sub("_", type(node).__name__).upper(), *names):
                words[name] = None
    return list(words)
