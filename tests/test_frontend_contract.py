"""The kernel↔frontend contract: the names the frontend's Python strings call, pinned."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ibis_copilot.kernel import frontend

FRONTEND_SOURCES = Path(__file__).parents[1] / "src"


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    shell.run_cell("import ibis\nt = ibis.table({'a': 'int64', 's': 'string'}, name='events')")
    shell.run_cell("import ibis.selectors as sel\nfrom ibis import desc")
    yield shell
    InteractiveShell.clear_instance()


def test_the_contract_is_exactly_these_names() -> None:
    assert sorted(frontend.__all__) == [
        "NotebookContext",
        "enable_sql_magic",
        "notebook_context",
        "show_sql",
    ]


def test_the_frontend_calls_only_contract_names() -> None:
    """Only src/kernelContract.ts writes Python, and it calls only the contract's names."""
    writers = [
        path.name
        for path in FRONTEND_SOURCES.rglob("*.ts")
        if "__tests__" not in path.parts and "__import__(" in path.read_text(encoding="utf-8")
    ]
    assert writers == ["kernelContract.ts"]
    contract = (FRONTEND_SOURCES / "kernelContract.ts").read_text(encoding="utf-8")
    assert re.findall(r"const MODULE = '([\w.]+)'", contract) == ["ibis_copilot.kernel.frontend"]
    called = set(re.findall(r"fromlist=\['(\w+)'\]", contract))
    assert called == {"enable_sql_magic", "notebook_context", "show_sql"}
    assert called <= set(frontend.__all__)


def test_notebook_context_is_schemas_as_text_and_as_data(shell: InteractiveShell) -> None:
    context = frontend.notebook_context()._repr_json_()
    assert context == {
        "schemas": "t (unbound table): a int64, s string",
        "tables": {"t": {"name": "events", "schema": {"a": "int64", "s": "string"}}},
        "imports": ["import ibis.selectors as sel", "from ibis import desc"],
    }


def test_show_sql_displays_the_sql_and_the_portability_table(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        frontend.show_sql("t.a")
    first, second = (output.data["text/markdown"] for output in captured.outputs)
    assert first.startswith("**duckdb**")
    assert '"t0"."a"' in first
    assert second.startswith("Compiles for **")


@pytest.mark.parametrize(
    ("selection", "reason"),
    [
        ("t.filter(t.a > 1)", "is not a name"),
        ("nothing_here", "no variable named 'nothing_here'"),
        ("t.no_column", "no attribute 'no_column'"),
        ("ibis", "not an Ibis expression"),
    ],
)
def test_show_sql_runs_no_code_and_says_why_not(
    shell: InteractiveShell, selection: str, reason: str
) -> None:
    shell.run_cell("calls = []\nimport builtins")
    with capture_output() as captured:
        frontend.show_sql(selection)
    assert captured.outputs == []
    assert reason in captured.stderr
    assert captured.stderr.startswith("ibis_sql: ")


def test_enable_sql_magic_registers_only_the_sql_magic(shell: InteractiveShell) -> None:
    frontend.enable_sql_magic()
    frontend.enable_sql_magic()  # idempotent
    assert "ibis_sql" in shell.magics_manager.magics["cell"]
    assert "ibis_ask" not in shell.magics_manager.magics["line"]
    assert getattr(shell, "ibis_copilot_errors", None) is None, "no exception hook"
    with capture_output() as captured:
        shell.run_cell("%%ibis_sql\nt.filter(t.a > 1)")
    assert '"t0"."a" > 1' in captured.outputs[0].data["text/markdown"]
