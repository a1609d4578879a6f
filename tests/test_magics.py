"""%%ibis_sql on a bare IPython InteractiveShell, with a real DuckDB."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ibis_copilot.expressions.compile import PORTABILITY_DIALECTS
from ibis_copilot.kernel.display import PortabilityDisplay, SQLDisplay

SETUP = """
import ibis
import pandas as pd
con = ibis.duckdb.connect()
sales = con.create_table(
    "sales", pd.DataFrame({"region": ["n", "s", "n"], "amount": [1.0, 2.0, 3.0]})
)
events = ibis.table({"id": "int64", "tags": "array<string>"}, name="events")
"""


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    shell.run_line_magic("colors", "nocolor")
    shell.run_line_magic("load_ext", "ibis_copilot")
    assert shell.run_cell(SETUP).success
    yield shell
    shell.run_line_magic("reset", "-f")
    InteractiveShell.clear_instance()


def run_magic(shell: InteractiveShell, line: str, cell: str) -> str:
    """Run the cell magic as a notebook would and return its displayed output."""
    with capture_output() as captured:
        shell.run_cell_magic("ibis_sql", line, cell)
    return captured.stdout + "".join(
        output.data.get("text/markdown", "") for output in captured.outputs
    )


def test_load_ext_does_not_import_the_server() -> None:
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shell.run_line_magic('load_ext', 'ibis_copilot')\n"
        "assert 'ibis_sql' in shell.magics_manager.magics['cell']\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.startswith(('jupyter_server', 'ibis_copilot.server', 'tornado')))\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_compiles_last_expression_with_the_bound_backend(shell: InteractiveShell) -> None:
    shown = shell.magics_manager.registry["IbisSqlMagics"].ibis_sql_result(
        "", "top = sales.filter(sales.amount > 1)\ntop.select('region')"
    )
    assert isinstance(shown, SQLDisplay)
    assert shown.dialect == "duckdb"
    assert '"sales"' in shown.sql
    assert "> 1" in shown.sql
    assert "top" in shell.user_ns, "assignments in the cell persist like a normal cell"
    assert "__ibis_copilot_last_value__" not in shell.user_ns


def test_rich_display_is_highlighted_markdown(shell: InteractiveShell) -> None:
    output = run_magic(shell, "--dialect postgres", "events.filter(events.id == 7)")
    assert output.startswith("**postgres**\n\n```sql\n")
    assert '"t0"."id" = 7' in output
    assert repr(SQLDisplay("duckdb", "SELECT 1")) == "-- dialect: duckdb\nSELECT 1"


def test_dialect_output_variable_and_var(shell: InteractiveShell) -> None:
    run_magic(shell, "-d mysql -o q --var chosen", "chosen = events.select('id')\n1 + 1")
    assert shell.user_ns["q"].startswith("SELECT")
    assert "`t0`.`id`" in shell.user_ns["q"]


def test_line_magic_compiles_a_variable(shell: InteractiveShell) -> None:
    shell.run_cell("picked = events.filter(events.id > 3)")
    with capture_output() as captured:
        shell.run_line_magic("ibis_sql", "--var picked -d trino")
    assert captured.outputs[0].data["text/markdown"].startswith("**trino**")
    with pytest.raises(UsageError, match="as a line magic, %ibis_sql needs --var NAME"):
        shell.run_line_magic("ibis_sql", "-d trino")


def test_cell_may_use_ipython_syntax(shell: InteractiveShell) -> None:
    run_magic(shell, "-o q", "%time limited = events.limit(4)\nlimited")
    assert "LIMIT 4" in shell.user_ns["q"]


def test_syntax_error_is_shown_like_a_normal_cell(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_cell_magic("ibis_sql", "", "x = (\n")
    assert "SyntaxError" in captured.stdout
    assert not captured.outputs


def test_falls_back_to_last_assigned_expression(shell: InteractiveShell) -> None:
    run_magic(shell, "-o q", "a = events.select('id')\nb = a.limit(3)\nn = 5")
    assert "LIMIT 3" in shell.user_ns["q"]


def test_all_dialects_table(shell: InteractiveShell) -> None:
    magics = shell.magics_manager.registry["IbisSqlMagics"]
    shown = magics.ibis_sql_result("--all-dialects -o by_dialect", "events.tags.unnest()")
    assert isinstance(shown, PortabilityDisplay)
    assert [row.dialect for row in shown.results] == list(PORTABILITY_DIALECTS)
    markdown = shown._repr_markdown_()
    assert "| mysql | ❌ no |" in markdown
    assert "Unnest" in markdown
    assert "| duckdb | ✅ yes |" in markdown
    stored = shell.user_ns["by_dialect"]
    assert stored["mysql"] is None
    assert "UNNEST" in stored["duckdb"]


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("", "x = 1\nx + 1", "the last expression is a builtins.int, not an Ibis expression"),
        ("--dialect nosuchsql", "events", "unknown dialect 'nosuchsql'; valid dialects: "),
        ("", "n = 3", "neither ends with an expression nor assigns an Ibis expression"),
        ("--var missing", "1", "no variable named 'missing'"),
        ("-d mysql --all-dialects", "events", "either --dialect or --all-dialects"),
        ("-d mysql", "events.tags.unnest()", "cannot compile: OperationNotDefinedError"),
    ],
)
def test_bad_input_is_one_usage_line(
    shell: InteractiveShell, line: str, cell: str, message: str
) -> None:
    with pytest.raises(UsageError, match=r"^[^\n]*$") as info:
        shell.magics_manager.registry["IbisSqlMagics"].ibis_sql_result(line, cell)
    assert message in str(info.value)


def test_unknown_dialect_is_reported_before_the_cell_runs(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError):
        shell.run_cell_magic("ibis_sql", "-d nosuchsql", "ran = True\nevents")
    assert "ran" not in shell.user_ns


def test_failing_cell_shows_the_users_own_traceback(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_cell_magic("ibis_sql", "", "before = 1\nevents.no_such_column")
    assert "AttributeError" in captured.stdout
    assert "events.no_such_column" in captured.stdout, "the user's own line is shown"
    assert "ibis_copilot" not in captured.stdout, "no frames from the magic itself"
    assert not captured.outputs
    assert shell.user_ns["before"] == 1
