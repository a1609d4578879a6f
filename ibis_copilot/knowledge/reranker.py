"""Optional cross-encoder reranking of the fused candidates (off by default).

No cross-encoder ships on PyPI for offline use, so none is configured by default; point
``c.IbisCopilot.reranker_model`` at a local sentence-transformers cross-encoder to use one.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

from ibis_copilot.knowledge.embeddings import EmbeddingModelError, resolve_model_path

CANDIDATES = 20


class Reranker:
    """Scores (query, passage) pairs with a cross-encoder; higher is more relevant."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        self.model_name = model
        self.device = device

    @cached_property
    def _model(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import CrossEncoder

        path = resolve_model_path(self.model_name)
        try:
            return CrossEncoder(path, num_labels=1, device=self.device)
        except (OSError, ValueError) as error:
            raise EmbeddingModelError(
                f"cannot load reranker model {self.model_name!r} from {path}: {error}"
            ) from error

    def scores(self, query: str, passages: list[str]) -> list[float]:
        """One relevance score per passage."""
        if not passages:
            return []
        predicted = self._model.predict([(query, passage) for passage in passages])
        return [float(value) for value in predicted]
