"""%ibis_ask on a bare InteractiveShell against a real Jupyter server (a subprocess with
the extension and the real small model) and against a scripted stub (what the magic does
with a given answer and its verdicts), and server discovery from the kernel."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from copilot_stub import StubCopilot, copilot_stub
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from jupyter_server_process import jupyter_server
from knowledge_helpers import DOCS
from local_http import free_port

from ibis_copilot.code_blocks import code_blocks
from ibis_copilot.kernel.ask_magic import CHECKED
from ibis_copilot.kernel.client import NO_SERVER, ServerInfo, discover
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase


def test_discovery_prefers_the_environment(tmp_path: Path) -> None:
    env = {"IBIS_COPILOT_URL": "http://host:9999/", "IBIS_COPILOT_TOKEN": "t"}
    assert discover(env, tmp_path) == ServerInfo("http://host:9999/", "t")


def test_discovery_reads_runtime_files_of_live_servers(tmp_path: Path) -> None:
    (tmp_path / "jpserver-1.json").write_text(
        json.dumps({"url": "http://localhost:1/", "token": "dead", "pid": 2**22 + 12345})
    )
    assert discover({}, tmp_path) is None, "a server whose process is gone is skipped"
    (tmp_path / "jpserver-2.json").write_text(
        json.dumps({"url": "http://localhost:8888/", "token": "abc", "pid": os.getpid()})
    )
    assert discover({}, tmp_path) == ServerInfo("http://localhost:8888/", "abc")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    data = tmp_path_factory.mktemp("ask-server")
    KnowledgeBase(data / "copilot").index([DocsFolderSource(DOCS)], progress=False)
    env = {
        "IBIS_COPILOT_DATA_DIR": str(data / "copilot"),
        "JUPYTER_RUNTIME_DIR": str(data / "runtime"),
    }
    # The answers are judged, not their speed: a generous limit for a shared CI machine.
    with jupyter_server(data, env, args=["--IbisCopilot.request_timeout=600"]) as running:
        running.wait_for_model()
        yield ServerInfo(running.url, running.token)


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, server: ServerInfo) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("IBIS_COPILOT_URL", server.url)
    monkeypatch.setenv("IBIS_COPILOT_TOKEN", server.token)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ibis_copilot")
    yield shell
    InteractiveShell.clear_instance()


def shown(captured: object) -> str:
    return captured.outputs[-1].data["text/markdown"]  # type: ignore[attr-defined]


@pytest.mark.timeout(1200)  # two real-model answers, checked and revised, on 2 shared cores
def test_ask_streams_an_answer_with_sources_and_keeps_the_conversation(
    shell: InteractiveShell,
) -> None:
    shell.run_cell("import ibis\npenguins = ibis.table({'species': 'string'}, name='penguins')")
    with capture_output() as captured:
        shell.run_line_magic("ibis_ask", "How do I rank rows within each group?")
    text = shown(captured)
    assert len(captured.outputs) >= 2, "the answer was redrawn as it streamed"
    assert "**Sources**" in text
    python_blocks = code_blocks(text)
    verdicts = [line for line in text.splitlines() if line.startswith(VERDICT_STARTS)]
    assert len(verdicts) <= len(python_blocks), "a repaired block adds its repair"
    assert bool(verdicts) == bool(python_blocks), "the server judged the answer's blocks"
    assert "[Window functions > Rank rows within each group](https://ibis-project.org/" in text
    magics = shell.magics_manager.registry["AskMagics"]
    first = magics.conversation_id
    assert first
    with capture_output():
        shell.run_line_magic("ibis_ask", "And per island?")
    assert magics.conversation_id == first, "multi-turn by default"
    with capture_output() as captured:
        shell.run_line_magic("ibis_ask", "--new")
    assert magics.conversation_id is None
    assert "started a new conversation" in captured.stdout


def test_without_a_server_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IBIS_COPILOT_URL", f"http://127.0.0.1:{free_port()}/")
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "ibis_copilot")
        with capture_output() as captured:
            shell.run_line_magic("ibis_ask", "anything?")
        (line,) = captured.stderr.strip().splitlines()
        assert line.startswith(f"ibis_ask: {NO_SERVER}")
    finally:
        InteractiveShell.clear_instance()


def test_a_failing_cell_gets_the_models_explanation_below_the_diagnosis(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IBIS_COPILOT_EXPLAIN_BUDGET", "120")
    shell.run_cell("import ibis\nsales = ibis.table({'amount': 'float64'}, name='sales')")
    with capture_output() as captured:
        shell.run_cell("sales.amout.sum()")
        shell.ibis_copilot_errors.wait()
    assert "ibis-copilot (unknown column)" in captured.stdout
    plain = [output.data.get("text/plain", "") for output in captured.outputs]
    explanations = [text for text in plain if text.startswith("ibis-copilot explanation")]
    assert len(explanations) >= 2, "the explanation streamed (redrawn as tokens came)"
    repair = shell.ibis_copilot_errors.last
    assert repair.explanation.strip(), "the model wrote something"
    assert "(no explanation" not in repair.explanation, "the server took the tables and dialect"
    assert repair.best_fix.source == "rules"
    assert repair.best_fix.checked, "the rules' checked fix stays first whatever the model says"


def test_the_explanation_stops_at_its_budget(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IBIS_COPILOT_EXPLAIN_BUDGET", "0.01")
    shell.run_cell("import ibis\nsales = ibis.table({'amount': 'float64'}, name='sales')")
    with capture_output():
        shell.run_cell("sales.amout.sum()")
        shell.ibis_copilot_errors.wait()
    assert "(stopped after the 0.01 s budget)" in shell.ibis_copilot_errors.last.explanation


def test_ibis_sql_llm_labels_the_models_sql_and_binds_it(shell: InteractiveShell) -> None:
    shell.run_cell("import ibis\nsales = ibis.table({'amount': 'float64'}, name='sales')")
    magics = shell.magics_manager.registry["IbisSqlMagics"]
    with capture_output() as captured:
        result = magics.ibis_sql_result("--llm", "sales.amout.sum()")
    assert "asking the model (--llm)" in captured.stderr
    assert result is not None, captured.stderr
    text = repr(result)
    assert text.startswith("-- dialect: duckdb (model-generated, NOT verified")
    if result.parsed:
        assert result.binds is not None, "DuckDB SQL that parses is bound against the schemas"
    else:
        assert "does not parse" in text


# -- what %ibis_ask shows of a given answer (a scripted stub, no model) ----------------------

VERDICT_STARTS = ("*✓ checked", "*repaired:", "*not checked:")
ANSWER = """Sum the column:

```python
sales.amount.sum()
```

Or with the typo:

```python
sales.amout.mean()
```

This does not exist:

```python
sales.amount.median_abs()
```

And in SQL:

```sql
SELECT sum(amount) FROM sales
```
"""
BLOCKS = [
    {"code": "sales.amount.sum()", "verdict": "checked", "reason": "", "unknown_names": []},
    {
        "code": "sales.amount.mean()",
        "original": "sales.amout.mean()",
        "verdict": "repaired",
        "reason": "`amout` is not a column; did you mean `amount`?",
        "unknown_names": [],
    },
    {
        "code": "sales.amount.median_abs()",
        "verdict": "not_checked",
        "reason": "run: AttributeError: 'FloatingColumn' object has no attribute 'median_abs'",
        "unknown_names": [
            {"name": "sales.amount.median_abs", "kind": "method", "closest": ["median"]}
        ],
    },
]


def chat_events(answer: str, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        *({"type": "token", "text": line} for line in answer.splitlines(keepends=True)),
        {"type": "done", "conversation_id": "c1", "citations": [], "blocks": blocks, "usage": {}},
    ]


@pytest.fixture
def stub_shell(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[InteractiveShell, StubCopilot]]:
    stub = StubCopilot()
    with copilot_stub(stub):
        monkeypatch.setenv("IBIS_COPILOT_URL", stub.url)
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "ibis_copilot")
        shell.run_cell("import ibis\nsales = ibis.table({'amount': 'float64'}, name='sales')")
        yield shell, stub
        stub.release.set()
        InteractiveShell.clear_instance()


def after(text: str, block: str) -> str:
    """What follows ``block``'s closing fence in ``text``, up to the next blank line pair."""
    return text.split(f"{block}\n```", 1)[1].split("\n\n\n", 1)[0]


def test_ask_sends_the_tables_and_shows_a_verdict_under_each_python_block(
    stub_shell: tuple[InteractiveShell, StubCopilot],
) -> None:
    shell, stub = stub_shell
    stub.events["chat"] = chat_events(ANSWER, BLOCKS)
    with capture_output() as captured:
        shell.run_line_magic("ibis_ask", "How do I total the amounts?")
    body = stub.call(0).body
    assert body["tables"] == {"sales": {"name": "sales", "schema": {"amount": "float64"}}}
    assert body["dialect"] == "duckdb"
    assert body["schemas"] == "sales (unbound table): amount float64"
    text = shown(captured)
    assert after(text, "sales.amount.sum()").strip() == f"*{CHECKED}*"
    repaired = after(text, "sales.amout.mean()")
    assert "*repaired: `amout` is not a column; did you mean `amount`?*" in repaired
    assert "```python\nsales.amount.mean()\n```" in repaired, "the repaired code is shown"
    unchecked = after(text, "sales.amount.median_abs()")
    assert "*not checked: run: AttributeError:" in unchecked
    assert "unknown names: `sales.amount.median_abs` (method; closest: `median`)" in unchecked
    assert CHECKED not in repaired + unchecked
    assert "SELECT sum(amount) FROM sales\n```\n" in text, "no verdict under SQL"
    assert text.count("✓") == 1


def test_a_block_without_a_verdict_never_looks_checked(
    stub_shell: tuple[InteractiveShell, StubCopilot],
) -> None:
    shell, stub = stub_shell
    # The server judged another block than the one shown (and says "checked" about it).
    stub.events["chat"] = chat_events(ANSWER, [{**BLOCKS[0], "code": "other()"}])
    with capture_output() as captured:
        shell.run_line_magic("ibis_ask", "How do I total the amounts?")
    text = shown(captured)
    assert "✓" not in text
    assert text.count("*not checked: the server sent no verdict for it*") == 3


def test_an_answer_cut_short_marks_its_blocks_not_checked(
    stub_shell: tuple[InteractiveShell, StubCopilot],
) -> None:
    shell, stub = stub_shell
    cut = ANSWER.split("Or with", maxsplit=1)[0] + "Or:\n\n```python\nsales.am"  # mid-block
    stub.events["chat"] = [
        {"type": "token", "text": cut},
        {"type": "error", "error": {"type": "GenerationError", "message": "boom"}},
    ]
    with capture_output() as captured:
        shell.run_line_magic("ibis_ask", "How do I total the amounts?")
    text = shown(captured)
    assert text.count("*not checked: the answer ended before it was checked*") == 2
    assert "```python\nsales.am\n```" in text, "the open block is closed"
    assert "*The model failed: boom*" in text
    assert "✓" not in text


def test_a_revised_block_shows_the_models_checked_revision() -> None:
    from ibis_copilot.kernel.ask_magic import verdict_markdown

    block = {
        "code": "t.amount.average()",
        "verdict": "not_checked",
        "reason": "run: AttributeError: no attribute 'average'",
        "unknown_names": [],
        "revised": {"code": "t.amount.mean()", "verdict": "checked", "rounds": 2},
    }
    shown = verdict_markdown(block, "no verdict")
    assert shown.startswith("*not checked: run: AttributeError")
    assert "revised by the model after the check failed (round 2)" in shown
    assert "t.amount.mean()" in shown
    assert shown.rstrip().endswith("✓ checked against your tables' schemas*")
