"""Chat prompts: the tokenizer's own template, or Llama 2 / Code Llama ``[INST]`` when a
checkpoint (such as many GPTQ conversions) ships without one."""

from __future__ import annotations

from typing import Any

from ibis_copilot.models.base import Message

BOS, EOS = "<s>", "</s>"


def llama2_inst(messages: list[Message]) -> str:
    """Code Llama Instruct's format: ``<s>[INST] <<SYS>>...<</SYS>>\\n\\nuser [/INST] answer </s>``.

    The system message goes inside the first user turn; every finished exchange is
    closed with ``</s>``; the prompt ends with the open ``[/INST]`` the model answers.
    """
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns = [m for m in messages if m["role"] != "system"]
    text = ""
    first_user = True
    for message in turns:
        if message["role"] == "user":
            content = message["content"].strip()
            if first_user and system:
                content = f"<<SYS>>\n{system.strip()}\n<</SYS>>\n\n{content}"
            first_user = False
            text += f"{BOS}[INST] {content} [/INST]"
        elif message["role"] == "assistant":
            text += f" {message['content'].strip()} {EOS}"
    return text


def render_chat(tokenizer: Any, messages: list[Message], model_name: str = "") -> str:
    """The prompt for ``messages``: the tokenizer's template, else ``[INST]`` for Llama."""
    if getattr(tokenizer, "chat_template", None):
        return str(
            tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        )
    if "llama" in model_name.lower():
        return llama2_inst(messages)
    lines = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    return "\n\n".join([*lines, "Assistant:"])
