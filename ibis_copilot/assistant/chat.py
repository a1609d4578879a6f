"""Chat: retrieve sources, build the prompt within the context, remember the conversation."""

from __future__ import annotations

from dataclasses import dataclass, field

from ibis_copilot.assistant.conversations import ConversationStore
from ibis_copilot.assistant.prompts import render
from ibis_copilot.assistant.sources import Sources, format_sources
from ibis_copilot.errors import BadRequestError
from ibis_copilot.knowledge.retrieval import SearchResult
from ibis_copilot.models.base import Generator, Message

ROLES = ("system", "user", "assistant")
WITH_SOURCES = (
    "Use the numbered sources below. If they do not answer the question, say so plainly "
    "instead of guessing an API."
)
WITHOUT_SOURCES = (
    "No documentation matched this question. Say plainly that you found no source for it, "
    "and do not invent Ibis functions."
)
INDEX_UNAVAILABLE = (
    "The documentation could not be searched. Say plainly that your answer is not checked "
    "against the docs, and do not invent Ibis functions."
)


class InvalidChatError(BadRequestError):
    """The chat request is malformed; the message says how."""


@dataclass
class PreparedChat:
    """Everything needed to generate and then remember one answer."""

    conversation_id: str
    prompt: str
    messages: list[Message]
    history: list[Message]
    question: Message
    citations: list[SearchResult] = field(default_factory=list)
    prompt_tokens: int = 0


def validate_messages(messages: object) -> list[Message]:
    """``[{role, content}, ...]`` ending with the user's question, or InvalidChatError."""
    if not isinstance(messages, list) or not messages:
        raise InvalidChatError("'messages' must be a non-empty list of {role, content}")
    for message in messages:
        if (
            not isinstance(message, dict)
            or message.get("role") not in ROLES
            or not isinstance(message.get("content"), str)
        ):
            raise InvalidChatError(
                "each message needs a 'role' (system, user or assistant) and a string 'content'"
            )
    if messages[-1]["role"] != "user" or not messages[-1]["content"].strip():
        raise InvalidChatError("the last message must be the user's question")
    return [{"role": m["role"], "content": m["content"]} for m in messages]


class ChatWorkflow:
    """Retrieval-augmented, multi-turn chat."""

    def __init__(
        self,
        conversations: ConversationStore,
        k: int = 4,
        min_similarity: float = 0.35,
        max_tokens: int = 384,
    ) -> None:
        self.conversations = conversations
        self.k, self.min_similarity, self.max_tokens = k, min_similarity, max_tokens

    @staticmethod
    def search_query(messages: list[Message]) -> str:
        """What to search the docs for: the user's question (bounded)."""
        return messages[-1]["content"][:2000]

    def prepare(
        self,
        generator: Generator,
        messages: list[Message],
        conversation_id: str | None = None,
        schemas: str = "",
        sources: Sources | None = None,
    ) -> PreparedChat:
        """The prompt for the last user message, with sources and trimmed history."""
        messages = validate_messages(messages)
        if conversation_id:
            history = self.conversations.load(conversation_id) + messages[:-1]
        else:
            conversation_id, history = self.conversations.new_id(), messages[:-1]
        question = messages[-1]
        sources = sources or Sources()
        citations = sources.results
        if citations:
            instruction = WITH_SOURCES
        else:
            instruction = INDEX_UNAVAILABLE if sources.warning else WITHOUT_SOURCES
        system = render("chat_system", sources_instruction=instruction)
        if citations:
            system += "\n\n" + render("chat_sources", sources=format_sources(citations))
        if schemas.strip():
            system += "\n\n" + render("chat_schemas", schemas=schemas.strip())
        system_message = {"role": "system", "content": system}
        kept = self._fit(generator, system_message, history, question)
        final = [system_message, *kept, question]
        prompt = generator.render_chat(final)
        return PreparedChat(
            conversation_id,
            prompt,
            final,
            history,
            question,
            citations,
            generator.count_tokens(prompt),
        )

    def _fit(
        self, generator: Generator, system: Message, history: list[Message], question: Message
    ) -> list[Message]:
        """The newest turns of ``history`` that fit the context; the question always stays."""
        budget = generator.context_length - self.max_tokens
        budget -= generator.count_tokens(system["content"]) + generator.count_tokens(
            question["content"]
        )
        kept: list[Message] = []
        for message in reversed([m for m in history if m["role"] != "system"]):
            cost = generator.count_tokens(message["content"]) + 8  # role markers
            if cost > budget:
                break
            kept.insert(0, message)
            budget -= cost
        return kept

    def remember(self, prepared: PreparedChat, answer: str) -> None:
        """Store the question and the answer with the conversation."""
        self.conversations.save(
            prepared.conversation_id,
            [*prepared.history, prepared.question, {"role": "assistant", "content": answer}],
        )
