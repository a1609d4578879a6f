"""The backend support matrix as knowledge: which operations each backend lacks.

"Does SQLite support arrays?" is answered by Ibis's own support data, not by prose: for
every backend, one chunk lists the operations of the installed Ibis that its compiler does
not implement, grouped by family (arrays, strings, temporal...), cited as the docs' support
matrix page. The data is the same as the MCP tool ``backend_support``'s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from ibis_copilot.expressions.backend_support import backends, operations, supports
from ibis_copilot.knowledge.chunks import DOCS_SITE, Chunk

MATRIX_PATH = "backends/support/matrix.qmd"
MATRIX_URL = f"{DOCS_SITE}/backends/support/matrix"
#: Backend names as users write them, where the dialect name differs.
DISPLAY_NAMES = {
    "mssql": "MSSQL (Microsoft SQL Server)",
    "postgres": "PostgreSQL (postgres)",
    "pyspark": "PySpark (Spark)",
    "bigquery": "BigQuery",
    "clickhouse": "ClickHouse",
    "duckdb": "DuckDB",
    "mysql": "MySQL",
    "sqlite": "SQLite",
    "datafusion": "DataFusion",
    "risingwave": "RisingWave",
    "singlestoredb": "SingleStoreDB",
}


def backend_aliases(backend: str) -> list[str]:
    """Lowercase words a question uses for ``backend`` (``mssql``, ``microsoft``...)."""
    shown = DISPLAY_NAMES.get(backend, backend)
    return sorted({backend, *re.findall(r"[a-z0-9]+", shown.lower())} - {"sql", "server"})


def words(name: str) -> str:
    """``ArrayDistinct`` → ``array distinct``: how a user would write an operation."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def family(module: str) -> str:
    """``ibis.expr.operations.strings`` → ``strings``."""
    return module.rsplit(".", 1)[-1].replace("_", " ")


class SupportMatrixSource:
    """One chunk per backend: the operations it does not implement, by family."""

    name = "support"

    def chunks(self) -> Iterator[Chunk]:
        known = sorted(operations().values(), key=lambda op: op.__name__)
        for backend in backends():
            try:
                missing = [op for op in known if not supports(backend, op)]
            except Exception:  # noqa: BLE001, S112 - a backend that cannot be asked is skipped
                continue
            yield self._chunk(backend, missing, len(known))

    @staticmethod
    def _chunk(backend: str, missing: list[type], total: int) -> Chunk:
        shown = DISPLAY_NAMES.get(backend, backend.capitalize())
        by_family: dict[str, list[str]] = defaultdict(list)
        for op in missing:
            by_family[family(op.__module__)].append(f"{op.__name__} ({words(op.__name__)})")
        lines = [
            f"Operation support of the {shown} backend: of the {total} operations of the "
            f"installed Ibis, {total - len(missing)} are implemented and {len(missing)} are "
            f"not. Operations {shown} does not support, by family:"
        ]
        lines += [f"- {name}: {', '.join(ops)}" for name, ops in sorted(by_family.items())]
        if not missing:
            lines.append("- none: every operation is implemented")
        return Chunk(
            source="support",
            path=MATRIX_PATH,
            title="Operation support matrix",
            heading=f"{shown} backend",
            url=MATRIX_URL,
            kind="reference",
            text="\n".join(lines),
            extra={"backend": backend, "aliases": " ".join(backend_aliases(backend))},
        )
