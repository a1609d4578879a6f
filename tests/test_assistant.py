"""What the Assistant does with a given model output: a scripted model (its answer fixed,
its prompts recorded) behind the real Assistant, scheduler, knowledge base and
conversation store; then the same through the HTTP endpoints. The real model's streaming,
cancellation and loading are tested in test_scheduler.py and test_chat.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from copilot_http import error_of, ndjson, post, token_text
from knowledge_helpers import DOCS
from scripted_generator import FAILURE, ScriptedGenerator

from ibis_copilot.assistant.complete import CompletionRequest
from ibis_copilot.assistant.explain import ErrorReport
from ibis_copilot.assistant.model_sql import ModelSqlRequest
from ibis_copilot.assistant.service import LOOP_WARNING, Assistant
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.models.base import GenerationError
from ibis_copilot.models.scheduler import Scheduler

Event = dict[str, Any]
QUESTION = "How do I rank rows within each group?"
SCHEMAS = "penguins: species string, body_mass_g int64"
REPORT = ErrorReport(
    code="t.pivot_longer(s.c('a'), names_to=1)",
    error_type="IbisTypeError",
    message="names_to must be a string or iterable of strings",
    traceback="Traceback (most recent call last):\n  ...\nIbisTypeError: names_to must be",
    schemas="t: a int64, b int64",
)
#: Each workflow's call, given an Assistant.
WORKFLOWS: dict[str, Callable[[Assistant], AsyncIterator[Event]]] = {
    "chat": lambda a: a.chat([{"role": "user", "content": QUESTION}], schemas=SCHEMAS),
    "complete": lambda a: a.complete(CompletionRequest("t.group_by(", "")),
    "explain": lambda a: a.explain(REPORT),
    "sql": lambda a: a.model_sql(ModelSqlRequest("t.select('a')", "postgres")),
}


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    base = KnowledgeBase(tmp_path_factory.mktemp("assistant-kb"))
    base.index([DocsFolderSource(DOCS)], progress=False)
    return base


async def collect(events: AsyncIterator[Event]) -> list[Event]:
    return [event async for event in events]


def model_events(events: list[Event]) -> list[Event]:
    """The events of the model's generation: explain's leading rules diagnosis (which
    needs no model; see test_checked_answers.py) left out."""
    return [event for event in events if event["type"] != "diagnosis"]


@pytest.mark.parametrize("workflow", WORKFLOWS)
async def test_a_failure_mid_stream_ends_the_stream_with_an_error_event(
    make_assistant: Callable[..., Assistant], workflow: str, tmp_path: Path
) -> None:
    model = ScriptedGenerator(["Use ", "group_by ", "then ", "agg."], fail_after=2)
    events = model_events(await collect(WORKFLOWS[workflow](make_assistant(model))))
    assert events == [
        {"type": "token", "text": "Use "},
        {"type": "token", "text": "group_by "},
        {"type": "error", "error": {"type": "GenerationError", "message": FAILURE}},
    ], "the tokens that came, then the error; no closing event"
    assert not (tmp_path / "conversations").exists(), "a failed answer is not remembered"


@pytest.mark.parametrize("workflow", [name for name in WORKFLOWS if name != "explain"])
async def test_a_failure_before_the_first_token_raises(
    make_assistant: Callable[..., Assistant], workflow: str
) -> None:
    model = ScriptedGenerator(["never sent"], fail_after=0)
    with pytest.raises(GenerationError, match=FAILURE):
        await collect(WORKFLOWS[workflow](make_assistant(model)))


@pytest.mark.parametrize("workflow", WORKFLOWS)
async def test_every_closing_event_carries_usage(
    make_assistant: Callable[..., Assistant], workflow: str
) -> None:
    model = ScriptedGenerator(["SELECT ", "a ", "FROM ", "t"])
    events = model_events(await collect(WORKFLOWS[workflow](make_assistant(model))))
    assert [event["type"] for event in events] == ["token"] * 4 + ["done"]
    (prompt,) = model.prompts
    assert events[-1]["usage"] == {
        "prompt_tokens": model.count_tokens(prompt),
        "completion_tokens": 4,
    }


async def test_the_chat_prompt_holds_numbered_sources_schemas_and_trimmed_history(
    make_assistant: Callable[..., Assistant], knowledge: KnowledgeBase
) -> None:
    history = []
    for turn in range(12):
        history += [
            {"role": "user", "content": f"question {turn} " + "words " * 20},
            {"role": "assistant", "content": f"answer {turn} " + "words " * 20},
        ]
    model = ScriptedGenerator(["Use ", "ibis.row_number()."], context_length=800)
    question = {"role": "user", "content": QUESTION}
    assistant = make_assistant(model, knowledge)
    events = await collect(assistant.chat([*history, question], None, schemas=SCHEMAS))

    (messages,) = model.chats
    system, *kept, last = messages
    assert system["role"] == "system"
    assert "[1] Window functions > Rank rows within each group (https://" in system["content"]
    assert "ibis.row_number()" in system["content"], "the source's text travels with it"
    assert SCHEMAS in system["content"]
    assert last == question, "the question is never trimmed"
    assert kept == history[-len(kept) :], "the newest turns stay, in order"
    assert 0 < len(kept) < len(history), "the oldest turns go first"
    done = events[-1]
    assert done["usage"]["prompt_tokens"] <= 800 - assistant.chat_workflow.max_tokens
    assert done["citations"][0]["heading"] == "Rank rows within each group"


async def test_a_chat_answer_is_remembered_with_its_question(
    make_assistant: Callable[..., Assistant],
) -> None:
    model = ScriptedGenerator(["A dataframe ", "library."])
    assistant = make_assistant(model)
    first = await collect(assistant.chat([{"role": "user", "content": "What is Ibis?"}]))
    conversation_id = first[-1]["conversation_id"]
    await collect(assistant.chat([{"role": "user", "content": "Who makes it?"}], conversation_id))
    assert model.chats[1][1:] == [
        {"role": "user", "content": "What is Ibis?"},
        {"role": "assistant", "content": "A dataframe library."},
        {"role": "user", "content": "Who makes it?"},
    ]


async def test_an_index_that_does_not_exist_is_a_warning_and_the_answer_still_streams(
    make_assistant: Callable[..., Assistant],
) -> None:
    model = ScriptedGenerator(["Not checked ", "against the docs."])
    events = await collect(make_assistant(model).chat([{"role": "user", "content": QUESTION}]))
    assert token_text(events) == "Not checked against the docs."
    done = events[-1]
    (warning,) = done["warnings"]
    assert "ibis-copilot index" in warning
    assert done["citations"] == []
    assert "could not be searched" in model.chats[0][0]["content"], "the model is told so"


async def test_an_answer_that_loops_is_cut_and_the_closing_event_says_so(
    make_assistant: Callable[..., Assistant],
) -> None:
    model = ScriptedGenerator(["Use row_number. "] + ["I'm glad to help. "] * 40)
    events = await collect(make_assistant(model).chat([{"role": "user", "content": QUESTION}]))
    text = token_text(events)
    assert text.startswith("Use row_number. I'm glad to help.")
    assert text.count("I'm glad to help.") == 3, "cut at the third copy, not the 40th"
    assert LOOP_WARNING in events[-1]["warnings"]
    assert events[-1]["usage"]["completion_tokens"] == model.count_tokens(text)


async def test_the_explanation_closes_with_the_fix_from_the_models_fenced_block(
    make_assistant: Callable[..., Assistant],
) -> None:
    answer = [
        "`names_to` must be a string.",
        "\n\n```python\n",
        "t.pivot_longer('a', ",
        "names_to='n')\n```",
    ]
    events = await collect(make_assistant(ScriptedGenerator(answer)).explain(REPORT))
    done = events[-1]
    assert done["explanation"] == "".join(answer)
    assert done["fixed_code"] == "t.pivot_longer('a', names_to='n')"


@pytest.mark.parametrize(
    ("answer", "parsed", "sql"),
    [
        (
            ["```sql\n", "select a from t ", "where b > 1\n```"],
            True,
            "SELECT\n  a\nFROM t\nWHERE\n  b > 1",
        ),
        (["```sql\n", "SELEC a FROM (\n```"], False, "SELEC a FROM ("),
    ],
)
async def test_model_sql_is_labelled_unverified_and_says_whether_it_parsed(
    make_assistant: Callable[..., Assistant], answer: list[str], parsed: bool, sql: str
) -> None:
    request = ModelSqlRequest("t.filter(t.b > 1).select('a')", "postgres", "t: a int64, b int64")
    events = await collect(make_assistant(ScriptedGenerator(answer)).model_sql(request))
    done = events[-1]
    assert done["model_generated"] is True
    assert done["verified"] is False
    assert done["dialect"] == "postgres"
    assert done["parsed"] is parsed
    assert done["sql"] == sql
    assert ("parse_error" in done) is not parsed


async def test_a_completion_continues_the_code_to_the_end_of_the_line(
    make_assistant: Callable[..., Assistant],
) -> None:
    model = ScriptedGenerator(["'reg", "ion')", "\nexpr.execute()\n"])
    request = CompletionRequest("t.group_by(", "\nexpr.execute()")
    events = await collect(make_assistant(model).complete(request))
    assert events[-1]["completion"] == "'region')"
    assert token_text(events) == "'region')", "nothing past the line is streamed"
    assert model.prompts[0].endswith("t.group_by("), "the code is continued as written"


# --- the same through the endpoints of a real Jupyter server -----------------------------


@pytest.fixture
def copilot_config() -> dict[str, Any]:
    return {"load_model": "first-use"}  # the real model is never loaded here


@pytest.fixture
def scripted_model(assistant, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:  # type: ignore[no-untyped-def]
    """``scripted_model(generator)``: the server's Assistant answers with ``generator``."""
    schedulers: list[Scheduler] = []

    def install(generator: ScriptedGenerator) -> None:
        scheduler = Scheduler(generator)
        schedulers.append(scheduler)
        monkeypatch.setattr(assistant, "chat_scheduler", scheduler)
        monkeypatch.setattr(assistant, "completion_scheduler", scheduler)

    yield install
    for scheduler in schedulers:
        scheduler.stop()


CHAT = {"messages": [{"role": "user", "content": QUESTION}]}


async def test_a_stream_that_fails_mid_way_ends_with_an_error_line(
    jp_fetch, scripted_model
) -> None:  # type: ignore[no-untyped-def]
    scripted_model(ScriptedGenerator(["Use ", "group_by."], fail_after=1))
    events = ndjson(await post(jp_fetch, "chat", CHAT))
    assert events == [
        {"type": "token", "text": "Use "},
        {"type": "error", "error": {"type": "GenerationError", "message": FAILURE}},
    ]


@pytest.mark.parametrize(
    ("fail_after", "stream"), [(0, True), (0, False), (1, False)], ids=["first", "plain", "later"]
)
async def test_a_failure_without_a_stream_to_end_is_a_503(  # type: ignore[no-untyped-def]
    jp_fetch, scripted_model, fail_after: int, stream: bool
) -> None:
    scripted_model(ScriptedGenerator(["Use ", "group_by."], fail_after=fail_after))
    code, error, _ = await error_of(post(jp_fetch, "chat", {**CHAT, "stream": stream}))
    assert code == 503
    assert error == {"type": "GenerationError", "message": FAILURE}


async def test_a_scripted_answer_reaches_the_client_whole(jp_fetch, scripted_model) -> None:  # type: ignore[no-untyped-def]
    scripted_model(ScriptedGenerator(["Use ", "ibis.row_number()."]))
    answer = json.loads((await post(jp_fetch, "chat", {**CHAT, "stream": False})).body)
    assert answer["answer"] == "Use ibis.row_number()."
    assert answer["usage"]["completion_tokens"] == 2
    assert answer["warnings"], "no index in this server: the answer says so"
