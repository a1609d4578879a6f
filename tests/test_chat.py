"""Chat: the workflow with the real model's tokenizer and a real index, then the
streaming endpoint in a real Jupyter server with the real small model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from copilot_http import error_of, get_json, ndjson, post, token_text, wait_for
from knowledge_helpers import DOCS
from tornado.simple_httpclient import HTTPStreamClosedError

from ibis_copilot.assistant.chat import ChatWorkflow, InvalidChatError, validate_messages
from ibis_copilot.assistant.conversations import ConversationStore, InvalidConversationError
from ibis_copilot.assistant.sources import find_sources
from ibis_copilot.knowledge.docs_source import DocsFolderSource
from ibis_copilot.knowledge.knowledge_base import KnowledgeBase
from ibis_copilot.models.registry import local_generator

MODEL = "smollm2-135m-instruct"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    base = KnowledgeBase(tmp_path_factory.mktemp("chat-kb"))
    base.index([DocsFolderSource(DOCS)], progress=False)
    return base


def ask(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_prompt_carries_numbered_sources_and_schemas(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    chat = ChatWorkflow(ConversationStore(tmp_path))
    question = ask("How do I rank rows within each group?")
    prepared = chat.prepare(
        local_generator(MODEL),
        question,
        schemas="penguins: species string, body_mass_g int64",
        sources=find_sources(knowledge, chat.search_query(question), chat.k, 0.35),
    )
    assert prepared.citations, "a relevant section was found"
    assert prepared.citations[0].heading == "Rank rows within each group"
    assert "[1] Window functions > Rank rows within each group" in prepared.prompt
    assert "ibis.row_number()" in prepared.prompt, "the source text travels with it"
    assert "penguins: species string, body_mass_g int64" in prepared.prompt
    assert prepared.prompt.rstrip().endswith("assistant")
    assert prepared.prompt_tokens > 50


def test_no_relevant_source_makes_the_prompt_say_so(
    knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    chat = ChatWorkflow(ConversationStore(tmp_path))
    question = ask("What is a good sourdough hydration?")
    sources = find_sources(knowledge, chat.search_query(question), chat.k, 0.35)
    prepared = chat.prepare(local_generator(MODEL), question, sources=sources)
    assert prepared.citations == []
    assert "No documentation matched this question" in prepared.prompt


def test_an_unusable_index_is_a_warning_not_silence(tmp_path: Path) -> None:
    """An index that was never built is not "nothing matched": the reason is kept."""
    sources = find_sources(KnowledgeBase(tmp_path / "nothing"), "window functions", 4)
    assert sources.results == []
    assert sources.warning is not None
    assert "ibis-copilot index" in sources.warning
    chat = ChatWorkflow(ConversationStore(tmp_path))
    prepared = chat.prepare(local_generator(MODEL), ask("window functions?"), sources=sources)
    assert "could not be searched" in prepared.prompt


def test_history_is_trimmed_oldest_first_never_the_question(tmp_path: Path) -> None:
    class SmallContext:
        """The real tokenizer and template, with a 400-token context."""

        name = MODEL
        context_length = 400

        def __getattr__(self, attribute: str) -> Any:
            return getattr(local_generator(MODEL), attribute)

    history = []
    for turn in range(12):
        history += [
            {"role": "user", "content": f"question {turn} " + "words " * 20},
            {"role": "assistant", "content": f"answer {turn} " + "words " * 20},
        ]
    chat = ChatWorkflow(ConversationStore(tmp_path), max_tokens=100)
    prepared = chat.prepare(SmallContext(), [*history, *ask("the current question")])
    assert "the current question" in prepared.prompt
    assert "answer 11" in prepared.prompt, "the newest turns stay"
    assert "question 0 " not in prepared.prompt, "the oldest turns go first"
    assert prepared.prompt_tokens <= 400 - 100


def test_conversations_persist(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    chat = ChatWorkflow(store)
    first = chat.prepare(local_generator(MODEL), ask("What is Ibis?"))
    chat.remember(first, "A dataframe library.")
    second = chat.prepare(local_generator(MODEL), ask("Who makes it?"), first.conversation_id)
    assert "A dataframe library." in second.prompt
    assert [m["role"] for m in store.load(first.conversation_id)] == ["user", "assistant"]
    with pytest.raises(InvalidConversationError):
        store.load("../../etc/passwd")


@pytest.mark.parametrize(
    "messages",
    [
        [],
        "hello",
        [{"role": "user"}],
        [{"role": "robot", "content": "x"}],
        [{"role": "assistant", "content": "x"}],
        [{"role": "user", "content": "  "}],
    ],
)
def test_malformed_messages_are_refused(messages: object) -> None:
    with pytest.raises(InvalidChatError):
        validate_messages(messages)


# --- the endpoint, in a real Jupyter server with the real model --------------------------


async def test_chat_streams_tokens_then_citations(jp_fetch, isolated_user_dirs) -> None:  # type: ignore[no-untyped-def]
    KnowledgeBase(isolated_user_dirs / "ibis-copilot-data").index(
        [DocsFolderSource(DOCS)], progress=False
    )
    response = await post(
        jp_fetch, "chat", {"messages": ask("How do I compute a percent of total per group?")}
    )
    events = ndjson(response)
    assert len([event for event in events if event["type"] == "token"]) > 3, (
        "the answer arrives as a stream of pieces"
    )
    done = events[-1]
    assert done["type"] == "done"
    assert done["citations"][0]["heading"] == "Percent of total per group"
    assert done["usage"]["completion_tokens"] > 0
    conversation = isolated_user_dirs / "ibis-copilot-data" / "conversations"
    saved = json.loads((conversation / f"{done['conversation_id']}.json").read_text())
    assert saved["messages"][-1]["content"] == token_text(events)


async def test_chat_without_streaming(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    response = await post(jp_fetch, "chat", {"messages": ask("Say hi."), "stream": False})
    answer = json.loads(response.body)
    assert answer["answer"].strip()
    assert answer["citations"] == [], "no index yet: answered without sources"


async def test_a_reply_that_loops_ends_long_before_its_token_limit(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    # Measured: with the chat prompt, the greedy small model answers this by repeating
    # "I'm glad to help." until the 384-token limit (16 s on an idle machine) unless cut.
    response = await post(jp_fetch, "chat", {"messages": ask("Say only: hello.")})
    done = ndjson(response)[-1]
    assert done["type"] == "done"
    assert "repeating itself" in " ".join(done["warnings"])
    assert done["usage"]["completion_tokens"] < 100


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"messages": []}, 400, "'messages' must be a non-empty list"),
        ({"messages": ask("hi"), "conversation_id": "../x"}, 400, "conversation_id must be"),
        ({"messages": ask("hi"), "schemas": 3}, 400, "'schemas' must be a string"),
        ({"messages": ask("x" * 300_000)}, 413, "larger than"),
    ],
)
async def test_chat_input_errors(jp_fetch, body: object, code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    status, error, _ = await error_of(post(jp_fetch, "chat", body))
    assert status == code
    assert message in error["message"]


async def test_status_shows_the_model_loading_then_ready(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    async def ready() -> bool:
        return bool((await get_json(jp_fetch, "status"))["model"]["state"] == "ready")

    await wait_for(ready, "the model to be ready")
    status = await get_json(jp_fetch, "status")
    assert status["model"]["context_length"] > 1000


class DisconnectError(Exception):
    """Raised from the streaming callback: the client drops the connection."""


async def test_a_client_that_disconnects_stops_its_generation(jp_fetch, assistant) -> None:  # type: ignore[no-untyped-def]
    scheduler = assistant.chat_scheduler
    received: list[bytes] = []

    def on_chunk(chunk: bytes) -> None:
        received.append(chunk)
        if b"".join(received).count(b'"type": "token"') >= 3:
            raise DisconnectError

    body = {"messages": ask("Write a long essay about dataframes.")}
    with pytest.raises((DisconnectError, HTTPStreamClosedError)):
        await post(jp_fetch, "chat", body, streaming_callback=on_chunk)
    await wait_for(lambda: not scheduler.busy, "the generation to stop", timeout=10)
