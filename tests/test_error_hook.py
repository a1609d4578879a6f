"""The exception hook's help never holds the kernel: the model's explanation streams on a
background thread into the failing cell's display. Fixes read as the cell was typed. The
server is a scripted stub (tests/copilot_stub.py) whose streams the test holds and
releases, so every "while" below is an ordering, not a race against the clock."""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from copilot_stub import WAIT_S, StubCopilot, copilot_stub, explain_events
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from real_kernel import display_id, plain_text, real_kernel

from ibis_copilot.kernel.error_hook import NEWER_FAILURE
from ibis_copilot.kernel.typed_cell import TypedCell

SETUP = "import ibis\nsales = ibis.table({'amount': 'float64'}, name='sales')"
SALES = {"sales": {"name": "sales", "schema": {"amount": "float64"}}}
#: A failure that involves ibis and that no rule of the kernel recognises.
NO_RULE = "sales.amount.sum()\nraise ValueError('ibis says no')"


# -- the typed cell -----------------------------------------------------------------------


def typed_cell(typed: str) -> TypedCell:
    return TypedCell(typed, InteractiveShell.instance().transform_cell(typed))


@pytest.fixture
def plain_shell() -> Iterator[InteractiveShell]:
    yield InteractiveShell.instance()
    InteractiveShell.clear_instance()


@pytest.mark.usefixtures("plain_shell")
@pytest.mark.parametrize(
    ("typed", "edit", "expected"),
    [
        (  # a magic and a leading blank line (IPython drops it) stay as typed
            "\n%load_ext ibis_copilot\nt.amout.sum()",
            ("amout", "amount"),
            "\n%load_ext ibis_copilot\nt.amount.sum()\n",
        ),
        (  # a line added after a shell capture
            "files = !ls\nt.amout",
            ("t.amout\n", "t.amount\nt.count()\n"),
            "files = !ls\nt.amount\nt.count()\n",
        ),
        (  # an edit of a line IPython rewrote cannot be said as typed
            "%time t.amout",
            ("amout", "amount"),
            None,
        ),
        (  # nor can an edit inside a cell magic (one line ran for several typed)
            "%%time\nt.amout",
            ("amout", "amount"),
            None,
        ),
    ],
)
def test_a_fix_of_the_code_that_ran_as_the_user_typed_it(
    typed: str, edit: tuple[str, str], expected: str | None
) -> None:
    cell = typed_cell(typed)
    assert cell.as_typed(cell.ran.replace(*edit)) == expected


@pytest.mark.usefixtures("plain_shell")
def test_lines_that_ran_map_to_the_lines_typed() -> None:
    cell = typed_cell("\n\n%load_ext ibis_copilot\nkeep = 1\nt.amout")
    assert [cell.typed_line(line) for line in (1, 2, 3, 4)] == [3, 4, 5, None]
    assert cell.as_typed(cell.ran) == "\n\n%load_ext ibis_copilot\nkeep = 1\nt.amout\n"
    assert typed_cell("%%time\nt.amout").typed_line(1) is None


# -- a bare shell against the stub ---------------------------------------------------------


@pytest.fixture
def stub() -> Iterator[StubCopilot]:
    scripted = StubCopilot()
    with copilot_stub(scripted):
        yield scripted
        scripted.release.set()  # let held streams end


@pytest.fixture
def shell(stub: StubCopilot, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("IBIS_COPILOT_URL", stub.url)
    monkeypatch.setenv("IBIS_COPILOT_EXPLAIN_BUDGET", "120")
    shell = InteractiveShell.instance()
    shell.run_line_magic("colors", "nocolor")
    shell.run_line_magic("load_ext", "ibis_copilot")
    assert shell.run_cell(SETUP).success
    yield shell
    shell.ibis_copilot_errors.stop()
    InteractiveShell.clear_instance()


def explanations(captured: Any) -> list[str]:
    plain = [output.data.get("text/plain", "") for output in captured.outputs]
    return [text for text in plain if "ibis-copilot explanation" in text]


def test_explain_gets_the_cell_as_typed_the_tables_and_the_dialect(
    shell: InteractiveShell, stub: StubCopilot
) -> None:
    stub.events["explain"] = explain_events("Use amount.")
    typed = "%load_ext ibis_copilot\nsales.amout.sum()"
    with capture_output():
        assert not shell.run_cell(typed).success
        shell.ibis_copilot_errors.wait()
    body = stub.call(0).body
    assert body["code"] == typed, "the model reads what the user wrote"
    assert body["tables"] == SALES
    assert body["dialect"] == "duckdb"
    assert body["schemas"] == "sales (unbound table): amount float64"
    assert body["error_type"] == "AttributeError"


def test_a_fix_is_shown_and_inserted_as_the_cell_was_typed(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IBIS_COPILOT_EXPLAIN_BUDGET", "0")
    typed = "\n%load_ext ibis_copilot\nbig = sales.filter(sales.amout > 10)"
    with capture_output() as captured:
        shell.run_cell(typed)
        shell.ibis_copilot_errors.wait()
    fixed = "\n%load_ext ibis_copilot\nbig = sales.filter(sales.amount > 10)"
    shown = [output.data["text/plain"] for output in captured.outputs]
    assert "%load_ext ibis_copilot" in shown[-1], shown
    assert "get_ipython" not in shown[-1]
    assert "checked: it builds and compiles" in shown[-1]
    inserted: list[str] = []
    shell.set_next_input = lambda text, **_: inserted.append(text)  # type: ignore[method-assign]
    with capture_output() as captured:
        shell.run_line_magic("ibis_fix", "")
    assert inserted == [fixed]
    assert "from the rules (checked)" in captured.stdout


def test_the_cell_ends_while_the_explanation_streams(
    shell: InteractiveShell, stub: StubCopilot
) -> None:
    stub.events["explain"] = explain_events("The column is called amount.")
    stub.hold_before["explain"] = 2  # after the diagnosis and one word
    with capture_output() as captured:
        assert not shell.run_cell("sales.amout.sum()").success
        assert shell.run_cell("after = 40 + 2").success, "the kernel is free for the next cell"
        stub.call(0).held.wait(WAIT_S)
        assert not stub.call(0).finished.is_set(), "the explanation is still streaming"
        stub.release.set()
        shell.ibis_copilot_errors.wait()
    shown = explanations(captured)
    assert "thinking" in shown[0]
    assert "The column is called amount." in shown[-1]
    assert shell.ibis_copilot_errors.last.explanation.strip() == "The column is called amount."


def test_a_newer_failure_hangs_up_the_previous_explanation(
    shell: InteractiveShell, stub: StubCopilot
) -> None:
    stub.events["explain"] = explain_events("never read")
    stub.hold_before["explain"] = 1
    with capture_output():
        shell.run_cell("sales.amout.sum()")
        first = shell.ibis_copilot_errors.current
        assert stub.call(0).held.wait(WAIT_S)
        shell.run_cell("sales.amout.mean()")
        assert stub.call(0).hung_up.wait(WAIT_S), "the server saw the connection close"
        first.explaining.join(WAIT_S)
    assert first.repair.explanation.endswith(f"({NEWER_FAILURE})")
    assert not stub.call(1).hung_up.is_set(), "the newer explanation goes on"


def test_an_interrupt_while_ibis_fix_waits_stops_the_explanation(
    shell: InteractiveShell, stub: StubCopilot
) -> None:
    stub.events["explain"] = explain_events("never read", fixed_code="sales.amount.sum()")
    stub.hold_before["explain"] = 1
    # ``interrupt_main`` is dropped unless Python's own SIGINT handler is installed (as in
    # a kernel); an earlier test's library may have replaced it in this process.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with capture_output() as captured:
            shell.run_cell(NO_RULE)  # no rules' fix: %ibis_fix waits for the model's
            assert stub.call(0).held.wait(WAIT_S)
            timer = threading.Timer(0.2, _thread.interrupt_main)  # what a kernel interrupt does
            timer.start()
            shell.run_line_magic("ibis_fix", "")
            timer.join()
            shell.ibis_copilot_errors.current.explaining.join(WAIT_S)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "ibis_fix: waiting for the model's explanation" in captured.stdout
    assert "ibis_fix: stopped" in captured.stdout
    assert stub.call(0).hung_up.wait(WAIT_S)
    assert shell.ibis_copilot_errors.last.explanation.endswith("(stopped)")


def test_the_budget_ends_a_stream_that_stalls(
    shell: InteractiveShell, stub: StubCopilot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IBIS_COPILOT_EXPLAIN_BUDGET", "0.5")
    stub.events["explain"] = explain_events("never read")
    stub.hold_before["explain"] = 1  # the server says nothing after its diagnosis
    with capture_output() as captured:
        shell.run_cell("sales.amout.sum()")
        shell.ibis_copilot_errors.wait()
    assert shell.ibis_copilot_errors.last.explanation.endswith("(stopped after the 0.5 s budget)")
    assert "0.5 s budget" in explanations(captured)[-1]
    assert stub.call(0).hung_up.wait(WAIT_S)


SERVER_FINDING = {"rule": "server rule", "message": "the server's finding"}


def test_the_servers_diagnosis_is_not_shown_when_the_kernels_rules_found_something(
    shell: InteractiveShell, stub: StubCopilot
) -> None:
    stub.events["explain"] = explain_events("Use amount.", findings=[SERVER_FINDING])
    with capture_output() as captured:
        shell.run_cell("sales.amout.sum()")
        shell.ibis_copilot_errors.wait()
    assert "did you mean `amount`" in captured.stdout, "the kernel's own diagnosis"
    assert not any("server's finding" in text for text in explanations(captured))


def test_the_servers_diagnosis_and_the_models_fix_when_the_rules_found_nothing(
    shell: InteractiveShell, stub: StubCopilot
) -> None:
    written = "%time total = sales.amount.sum()"
    stub.events["explain"] = explain_events(
        "Do not raise.", fixed_code=written, findings=[SERVER_FINDING]
    )
    with capture_output() as captured:
        shell.run_cell(NO_RULE)
        shell.ibis_copilot_errors.wait()
    assert "ibis-copilot (" not in captured.stdout, "the kernel's rules found nothing"
    final = explanations(captured)[-1]
    assert final.startswith("ibis-copilot (server rule): the server's finding\n")
    assert "Do not raise." in final
    assert "ibis-copilot fix (model, " in final
    assert written in final, "the model's fix is shown as written"
    assert "get_ipython" not in final
    fix = shell.ibis_copilot_errors.last.best_fix
    assert fix.source == "model"
    assert fix.check is not None, "it was checked, as IPython would run it"
    inserted: list[str] = []
    shell.set_next_input = lambda text, **_: inserted.append(text)  # type: ignore[method-assign]
    with capture_output():
        shell.run_line_magic("ibis_fix", "")
    assert inserted == [written]


# -- a real kernel ------------------------------------------------------------------------


def test_a_real_kernel_runs_the_next_cell_while_the_model_explains(tmp_path: Path) -> None:
    """As in JupyterLab: the failing cell replies, the next cell runs and replies while the
    server still holds the explanation; then the explanation arrives as an update of the
    failing cell's display (its display id, and that cell's message as parent)."""
    stub = StubCopilot(
        events={"explain": explain_events("The column is called amount.")},
        hold_before={"explain": 1},
    )
    with copilot_stub(stub):
        env = {"IBIS_COPILOT_EXPLAIN_BUDGET": "120", "IBIS_COPILOT_URL": stub.url}
        with real_kernel(tmp_path, env) as k:
            k.run_ok(f"%load_ext ibis_copilot\n{SETUP}")
            failing = k.execute("sales.amout.sum()")
            assert k.reply(failing)["content"]["status"] == "error"
            thinking = k.until(
                lambda m: (
                    m["msg_type"] == "display_data"
                    and m["parent_header"]["msg_id"] == failing
                    and "explanation" in plain_text(m)
                )
            )
            assert "thinking" in plain_text(thinking)
            explanation_id = display_id(thinking)
            assert explanation_id
            assert stub.call(0).held.wait(WAIT_S), "the server is in the middle of the stream"

            following = k.execute("40 + 2")
            result = k.until(
                lambda m: (
                    m["msg_type"] == "execute_result" and m["parent_header"]["msg_id"] == following
                )
            )
            assert plain_text(result) == "42"
            assert k.reply(following)["content"]["status"] == "ok"
            assert not stub.call(0).finished.is_set()
            assert not [
                m for m in k.iopub if display_id(m) == explanation_id and "amount" in plain_text(m)
            ], "no explanation yet: the next cell finished first"

            stub.release.set()
            update = k.until(
                lambda m: (
                    m["msg_type"] == "update_display_data"
                    and display_id(m) == explanation_id
                    and "The column is called amount." in plain_text(m)
                )
            )
            assert update["parent_header"]["msg_id"] == failing, "sent as the failing cell's output"
