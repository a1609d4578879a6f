"""Inline completion: FIM formats, the chat fallback with the real small model, cleaning,
and the endpoint (priority, superseding, errors) in a real Jupyter server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from copilot_http import error_of, ndjson, post, wait_for

from ibis_copilot.assistant.complete import (
    CompleteWorkflow,
    CompletionRequest,
    InvalidCompletionError,
    clean,
    remove_suffix_overlap,
)
from ibis_copilot.models.fim import FORMATS, detect
from ibis_copilot.models.registry import local_generator

MODEL = "smollm2-135m-instruct"


def test_fim_formats_by_family() -> None:
    by_name = {fim.name: fim for fim in FORMATS}
    assert by_name["codellama"].render("def f(", "):") == "<PRE> def f( <SUF>): <MID>"
    assert by_name["starcoder"].render("a", "b") == "<fim_prefix>a<fim_suffix>b<fim_middle>"
    assert by_name["qwen"].render("a", "b") == "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>"
    assert detect(["<fim_prefix>", "<fim_suffix>", "<fim_middle>", "x"]).name == "starcoder"
    assert detect(["▁<PRE>", "▁<SUF>", "▁<MID>"]).name == "codellama"
    assert detect(["<|im_start|>", "<|im_end|>"]) is None


def test_the_chat_only_default_model_continues_the_line_as_written() -> None:
    model = local_generator(MODEL)
    assert model.fim_format is None, "SmolLM2 has no FIM tokens"
    request = CompletionRequest(
        prefix="expr = t.filter(t.amount > 10).",
        suffix="\nexpr.execute()",
        cells=["import ibis", "t = con.table('orders')"],
        schemas="orders: amount float64",
        tables={"t": {"name": "orders", "schema": {"amount": "float64"}}},
    )
    prompt, params = CompleteWorkflow().prepare(model, request)
    assert prompt.endswith("t = con.table('orders')\n\nexpr = t.filter(t.amount > 10).")
    assert prompt.startswith("# orders: amount float64"), "schemas first, as comments"
    assert "<|im_start|>" not in prompt, "no chat template: the code itself is continued"
    assert params.stop[0] == "\n", "to the end of the line"
    assert params.max_tokens == 48
    assert params.member_names is not None
    assert params.member_names.allowed_after(prompt) == ("", params.member_names.members)
    assert "amount" in params.member_names.members


def test_cleaning_stops_at_a_boundary_and_never_repeats_the_suffix() -> None:
    assert clean("```python\ngroup_by('a')\n```", "") == "group_by('a')"
    assert clean("count()\n\nprint('more')", "") == "count()"
    assert clean("sum())\nexpr.execute()", "\nexpr.execute()") == "sum())"
    assert remove_suffix_overlap("mean())", "))") == "mean("
    assert remove_suffix_overlap("abc", "xyz") == "abc"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prefix": 3}, "'prefix' and 'suffix' must be strings"),
        ({"prefix": "x", "cells": "no"}, "'cells' must be a list of strings"),
        ({"prefix": "x", "language": "r"}, "only Python cells are completed"),
        ({"prefix": "  ", "suffix": ""}, "the cell is empty"),
        ({"prefix": "x", "max_tokens": 0}, "'max_tokens' must be an integer from 1 to 256"),
        ({"prefix": "x", "max_tokens": "9"}, "'max_tokens' must be an integer"),
    ],
)
def test_bad_requests(body: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidCompletionError, match=message):
        CompletionRequest.from_json(body)


def test_the_frontend_sets_the_completion_length() -> None:
    request = CompletionRequest.from_json({"prefix": "t.", "max_tokens": 12})
    generator = local_generator(MODEL)
    _prompt, params = CompleteWorkflow().prepare(generator, request)
    assert params.max_tokens == 12
    _prompt, params = CompleteWorkflow().prepare(generator, CompletionRequest("t."))
    assert params.max_tokens == CompleteWorkflow().max_tokens


async def test_completion_endpoint_streams_then_gives_the_insert(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    events = ndjson(
        await post(jp_fetch, "complete", {"prefix": "import ibis\nt = ibis.", "suffix": ""})
    )
    assert events[-1]["type"] == "done"
    assert isinstance(events[-1]["completion"], str)
    assert "\n\n" not in events[-1]["completion"]
    plain = await post(jp_fetch, "complete", {"prefix": "x = 1 +", "stream": False})
    assert "completion" in json.loads(plain.body)


async def test_a_newer_completion_from_the_same_editor_wins(jp_fetch, assistant) -> None:  # type: ignore[no-untyped-def]
    scheduler = assistant.chat_scheduler
    await wait_for(lambda: scheduler.model_state["state"] == "ready", "the model to load")
    story = {"messages": [{"role": "user", "content": "Tell a long story."}], "stream": False}
    chat = asyncio.ensure_future(post(jp_fetch, "chat", story))
    await wait_for(lambda: scheduler.busy, "the chat to start")
    body = {"prefix": "t.group_by(", "editor_id": "cell-7", "stream": False}
    older = asyncio.ensure_future(post(jp_fetch, "complete", body))
    await asyncio.sleep(0.2)
    newer = asyncio.ensure_future(post(jp_fetch, "complete", body))
    older_result, newer_result = await asyncio.gather(older, newer)
    assert json.loads(older_result.body)["completion"] == "", "superseded: nothing generated"
    assert isinstance(json.loads(newer_result.body)["completion"], str)
    await chat  # the running chat is not pre-empted; waiting order is tested in the scheduler


async def test_completion_input_errors(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    status, error, _ = await error_of(
        post(jp_fetch, "complete", {"prefix": "x", "language": "sql"})
    )
    assert status == 400
    assert error["type"] == "InvalidCompletionError"


async def test_logging_is_off_by_default(jp_fetch, isolated_user_dirs) -> None:  # type: ignore[no-untyped-def]
    response = await post(jp_fetch, "complete", {"prefix": "x = ", "stream": False})
    assert "interaction_id" not in json.loads(response.body)
    assert not (isolated_user_dirs / "ibis-copilot-data" / "interactions.sqlite").exists()
    feedback = await post(jp_fetch, "feedback", {"interaction_id": "x", "accepted": True})
    assert json.loads(feedback.body)["recorded"] is False


def test_a_separate_completion_model_gets_its_own_worker(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ibis_copilot.assistant.service import Assistant
    from ibis_copilot.settings import IbisCopilot

    same = Assistant.from_settings(IbisCopilot(data_dir=str(tmp_path)))
    assert same.completion_scheduler is same.chat_scheduler, "the CPU default: one model"
    fim_model = str(tmp_path / "qwen2.5-coder-1.5b")
    split = Assistant.from_settings(IbisCopilot(data_dir=str(tmp_path), completion_model=fim_model))
    assert split.completion_scheduler is not split.chat_scheduler
    assert split.completion_scheduler.generator.name == fim_model
    assert split.chat_scheduler.generator.name == MODEL
