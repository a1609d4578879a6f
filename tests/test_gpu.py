"""The GPU path. It runs only where CUDA exists (CI and laptops have none): skipped there
with the reason, never faked."""

from __future__ import annotations

import os

import pytest
import torch

from ibis_copilot.models.base import CancelToken, GenerationParams
from ibis_copilot.models.transformers_backend import TransformersGenerator

needs_gpu = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA GPU on this machine; the GPU path runs on one"
)


@needs_gpu
def test_the_packaged_model_generates_on_the_gpu() -> None:
    model = TransformersGenerator("smollm2-135m-instruct", device="cuda")
    prompt = model.render_chat([{"role": "user", "content": "Say hello."}])
    text = "".join(model.stream(prompt, GenerationParams(max_tokens=8), CancelToken()))
    assert text.strip()
    assert model._model.device.type == "cuda"


@needs_gpu
@pytest.mark.skipif(
    not os.environ.get("IBIS_COPILOT_GPTQ_MODEL"),
    reason="set IBIS_COPILOT_GPTQ_MODEL to a local GPTQ checkpoint "
    "(e.g. CodeLlama-34B-Instruct-GPTQ)",
)
def test_a_gptq_code_llama_streams_in_inst_format() -> None:
    model = TransformersGenerator(os.environ["IBIS_COPILOT_GPTQ_MODEL"], device="auto")
    prompt = model.render_chat([{"role": "user", "content": "Write ibis code to count rows."}])
    assert "[INST]" in prompt
    text = "".join(model.stream(prompt, GenerationParams(max_tokens=16), CancelToken()))
    assert text.strip()
