"""Deterministic diagnoses: each rule with code that really raises in ibis-framework 12,
and the exception hook on a bare InteractiveShell (traceback first, then the advice)."""

from __future__ import annotations

from collections.abc import Iterator

import ibis
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from ibis_copilot.kernel.diagnose import diagnose

t = ibis.table({"amount": "float64", "region": "string"}, name="t")
NAMESPACE = {"t": t}


def error_of(code: str) -> BaseException:
    try:
        eval(code, {"t": t, "ibis": ibis})  # noqa: S307 - fixed test snippets
    except Exception as error:  # noqa: BLE001 - the error is what the test inspects
        return error
    raise AssertionError(f"{code} did not raise")


@pytest.mark.parametrize(
    ("code", "rule", "advice"),
    [
        ("t.amout", "unknown column", "`amout` is not a column; did you mean `amount`?"),
        ("t['regoin']", "unknown column", "did you mean `region`?"),
        ("t.select('amout')", "unknown column", "did you mean `amount`?"),
        ("t.loc", "pandas habit", "`t.filter(predicate)`"),
        ("t.values", "pandas habit", "`t.to_pandas()`"),
        ("t.amount.str", "pandas habit", "`t.name.upper()`"),
        ("t.sort_values('amount')", "pandas habit", "`t.order_by(ibis.desc('col'))`"),
        ("(t.amount > 1) and (t.region == 'x')", "python boolean operators", "`&`, `|`, `~`"),
    ],
)
def test_rules_on_real_ibis_errors(code: str, rule: str, advice: str) -> None:
    findings = diagnose(error_of(code), NAMESPACE)
    assert [finding.rule for finding in findings] == [rule]
    assert advice in findings[0].message


@pytest.mark.parametrize("code", ["t.completely_unrelated_name", "1 / 0", "t.amount.nope_x"])
def test_no_rule_no_finding(code: str) -> None:
    error = error_of(code) if code != "1 / 0" else ZeroDivisionError("division by zero")
    assert diagnose(error, NAMESPACE) == []


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    shell.run_line_magic("colors", "nocolor")
    shell.run_line_magic("load_ext", "ibis_copilot")
    shell.run_cell("import ibis\norders = ibis.table({'amount': 'float64'}, name='orders')")
    yield shell
    InteractiveShell.clear_instance()


def test_the_hook_shows_the_traceback_then_the_diagnosis(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        result = shell.run_cell("orders.amout")
    assert not result.success
    out = captured.stdout
    assert "AttributeError" in out
    advice = "ibis-copilot (unknown column): `amout` is not a column; did you mean `amount`?"
    assert advice in out
    assert out.index("AttributeError") < out.index(advice), "the normal traceback comes first"


def test_unrelated_errors_are_left_alone(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_cell("1 / 0")
    assert "ZeroDivisionError" in captured.stdout
    assert "ibis-copilot" not in captured.stdout


def test_the_hook_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IBIS_COPILOT_ERROR_HELP", "0")
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "ibis_copilot")
        assert shell.custom_exceptions == ()
    finally:
        InteractiveShell.clear_instance()
