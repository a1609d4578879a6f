"""One loaded model per process and name: loading takes seconds and a GiB of memory."""

from __future__ import annotations

from functools import cache

from ibis_copilot.models.transformers_backend import TransformersGenerator


@cache
def local_generator(name: str, device: str = "cpu") -> TransformersGenerator:
    """The process-wide generator for ``name`` (loaded on first use)."""
    return TransformersGenerator(name, device)
