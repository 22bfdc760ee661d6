"""sentence-transformers backend for users with a model on disk (LaBSE, ...).

Runs offline: HF_HUB_OFFLINE=1 is set before the library is imported, so a
model that is not on disk is a clear error instead of a download attempt.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import InputError
from . import normalize_rows, usable_cores


class SentenceTransformerEncoder:
    # capabilities (embed.Capabilities): clauses and joined runs are encoded as texts
    clause_vectors = True
    joined_vectors = True
    lexical = False

    def __init__(self, model: str, batch_size: int = 64):
        self.model_ref = model
        self.name = f"st:{model}"
        self.batch_size = batch_size
        self._model = None
        self._dim: int | None = None

    def _load(self):
        if self._model is not None:
            return self._model
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(self.model_ref).expanduser()
        looks_like_path = path.exists() or "/" in self.model_ref and not self.model_ref.count("/") == 1 \
            or self.model_ref.startswith((".", "~"))
        if looks_like_path and not path.is_dir():
            raise InputError("sentence-transformers model not found (expected a model directory)", str(path))
        try:
            import torch

            torch.set_num_threads(usable_cores())
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise InputError(f"sentence-transformers is not installed ({exc}); pip install 'align[st]'",
                             self.model_ref) from None
        try:
            self._model = SentenceTransformer(str(path) if path.is_dir() else self.model_ref, device="cpu")
        except (OSError, ValueError) as exc:  # not on disk, no model there, an unreadable config
            raise InputError(
                f"cannot load sentence-transformers model offline ({type(exc).__name__}); "
                "give the path of a model directory", self.model_ref) from None
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        return int(self._dim)

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                            normalize_embeddings=True, show_progress_bar=False)
        return normalize_rows(vecs)
