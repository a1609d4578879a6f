"""Rich (Markdown, highlighted by the frontend) and plain-text displays of compiled SQL."""

from __future__ import annotations

from collections.abc import Sequence

from ibis_copilot.expressions.compile import DialectResult


def _fence(code: str, language: str = "sql") -> str:
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}{language}\n{code}\n{fence}"


class SQLDisplay:
    """Compiled SQL for one dialect; Jupyter renders it as a highlighted code block."""

    def __init__(self, dialect: str, sql: str) -> None:
        self.dialect = dialect
        self.sql = sql

    def _repr_markdown_(self) -> str:
        return f"**{self.dialect}**\n\n{_fence(self.sql)}"

    def __repr__(self) -> str:
        return f"-- dialect: {self.dialect}\n{self.sql}"


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class PortabilityDisplay:
    """The ``--all-dialects`` table: one row per dialect, ok or the one-line reason."""

    def __init__(self, results: Sequence[DialectResult]) -> None:
        self.results = list(results)

    def _repr_markdown_(self) -> str:
        ok = sum(result.ok for result in self.results)
        rows = [
            f"Compiles for **{ok} of {len(self.results)}** dialects.",
            "",
            "| dialect | compiles | reason |",
            "|---|---|---|",
        ]
        for result in self.results:
            mark = "✅ yes" if result.ok else "❌ no"
            rows.append(f"| {result.dialect} | {mark} | {_escape_cell(result.error or '')} |")
        return "\n".join(rows)

    def __repr__(self) -> str:
        width = max(len(result.dialect) for result in self.results)
        lines = [f"{'dialect'.ljust(width)}  compiles  reason"]
        for result in self.results:
            status = "yes" if result.ok else "no "
            lines.append(f"{result.dialect.ljust(width)}  {status}       {result.error or ''}")
        return "\n".join(line.rstrip() for line in lines)


class FixDisplay:
    """A proposed fix and whether the check process passed it."""

    def __init__(self, code: str, source: str, status: str) -> None:
        self.code, self.source, self.status = code, source, status

    def _repr_markdown_(self) -> str:
        header = f"**ibis-copilot fix** ({self.source}, {self.status}; `%ibis_fix` inserts it)"
        return f"{header}\n\n{_fence(self.code, 'python')}"

    def __repr__(self) -> str:
        header = f"ibis-copilot fix ({self.source}, {self.status}; %ibis_fix inserts it):"
        return header + "\n" + "\n".join(f"    {line}" for line in self.code.splitlines())


class ExplanationDisplay:
    """The model's explanation as it streams. Above it, the server's rules' findings when
    shown (only when the kernel's own rules found nothing); below it, a fix from the
    model (or from the server's rules) with what its check said."""

    def __init__(
        self, text: str, *, findings: Sequence[str] = (), fix: FixDisplay | None = None
    ) -> None:
        self.text, self.findings, self.fix = text, list(findings), fix

    def _repr_markdown_(self) -> str:
        parts = [*self.findings, f"**ibis-copilot explanation** (model-written)\n\n{self.text}"]
        if self.fix is not None:
            parts.append(self.fix._repr_markdown_())
        return "\n\n".join(parts)

    def __repr__(self) -> str:
        parts = [*self.findings, f"ibis-copilot explanation (model-written):\n{self.text}"]
        if self.fix is not None:
            parts.append(repr(self.fix))
        return "\n".join(parts)
