"""The stand-in VLA's network, evaluated in numpy from stored weights.

Architecture (why): a language-conditioned *pointer* policy. The prompt
embedding is projected to a query; each object row of the scene is turned into
a key; softmax attention picks "the object the prompt is about"; an MLP maps
(prompt projection, proprioception, attended object, held object) to a chunk of
``horizon`` actions. How an unseen prompt behaves therefore follows from where
its sentence embedding falls relative to the pretraining prompts — the network
has no table of prompts, so ungrounded words point at *some* object, often the
wrong one.

Training happens in torch (:mod:`sarl_sim.policy_net_torch`); inference is this
numpy forward pass (a fraction of a millisecond on one core, no torch import),
which keeps the semantic environment fast and the policy server light.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from sarl_sim.embedding import DATA_DIR, EMBEDDING_DIM
from sarl_sim.features import GLOBAL_FEATURES, OBJECT_FEATURES, single_features

ACTION_DIM = 7
"""[dx, dy, dz, droll, dpitch, dyaw, gripper]."""
ACTION_SCALE = np.array([0.04, 0.04, 0.04, 0.25, 0.25, 0.25, 1.0], dtype=np.float32)
"""Network outputs are actions divided by this (unit-scale regression targets)."""
DEFAULT_WEIGHTS_PATH = DATA_DIR / "policy_weights.npz"
"""Trained weights shipped with the package."""


def _vecmat(vector: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``vector @ matrix`` without BLAS.

    Why: OpenBLAS may hand a 256x256 vector-matrix product to a second thread;
    on a busy machine that hand-off costs ~0.2 ms instead of ~15 us, which cut
    the semantic environment's throughput by 4x. einsum's own loop is as fast
    single-threaded and never waits for another core.
    """
    return np.einsum("i,ij->j", vector, matrix)


@dataclass(frozen=True)
class NetConfig:
    """Sizes of the policy network."""

    horizon: int = 4
    """Actions per chunk (openpi's action horizon)."""
    prompt_dim: int = 64
    """Width of the prompt projection."""
    key_dim: int = 32
    """Width of attention queries and keys."""
    key_hidden: int = 64
    """Hidden width of the key MLP."""
    hidden: int = 256
    """Hidden width of the action head."""

    def __post_init__(self) -> None:
        for key, value in asdict(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"NetConfig.{key} must be an int >= 1, got {value!r}")

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Name and shape of every parameter."""
        head_in = self.prompt_dim + GLOBAL_FEATURES + 2 * OBJECT_FEATURES
        return {
            "prompt_w": (EMBEDDING_DIM, self.prompt_dim),
            "prompt_b": (self.prompt_dim,),
            "query_w": (self.prompt_dim, self.key_dim),
            "query_b": (self.key_dim,),
            "key1_w": (OBJECT_FEATURES, self.key_hidden),
            "key1_b": (self.key_hidden,),
            "key2_w": (self.key_hidden, self.key_dim),
            "key2_b": (self.key_dim,),
            "log_scale": (1,),
            "h1_w": (head_in, self.hidden),
            "h1_b": (self.hidden,),
            "h2_w": (self.hidden, self.hidden),
            "h2_b": (self.hidden,),
            "out_w": (self.hidden, self.horizon * ACTION_DIM),
            "out_b": (self.horizon * ACTION_DIM,),
        }


@dataclass(frozen=True)
class PromptCode:
    """Prompt-dependent part of the forward pass, computed once per prompt."""

    projection: np.ndarray
    """(prompt_dim,) tanh projection of the embedding."""
    query: np.ndarray
    """(key_dim,) attention query, already multiplied by the attention scale."""


class NumpyPolicyNet:
    """Forward pass of the trained network over float32 numpy weights."""

    def __init__(self, config: NetConfig, params: dict[str, np.ndarray]) -> None:
        shapes = config.shapes()
        missing = sorted(set(shapes) - set(params))
        if missing:
            raise ValueError(f"policy weights lack parameters {missing}")
        for name, shape in shapes.items():
            if tuple(params[name].shape) != shape:
                raise ValueError(f"parameter {name!r} has shape {params[name].shape}, expected {shape}")
        self.config = config
        self._p = {name: np.ascontiguousarray(params[name], dtype=np.float32) for name in shapes}

    @classmethod
    def load(cls, path: Path = DEFAULT_WEIGHTS_PATH) -> NumpyPolicyNet:
        """Load weights written by :func:`save_weights`."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"policy weights {path} do not exist; run `train_policy` to create them")
        with np.load(path, allow_pickle=False) as data:
            config = NetConfig(**{k: int(data[f"config/{k}"]) for k in asdict(NetConfig())})
            params = {k: data[k].astype(np.float32) for k in config.shapes()}
        return cls(config, params)

    def encode_prompt(self, embedding: np.ndarray) -> PromptCode:
        """Prompt-dependent activations (cache them per prompt)."""
        p = self._p
        projection = np.tanh(embedding @ p["prompt_w"] + p["prompt_b"])
        query = (projection @ p["query_w"] + p["query_b"]) * np.exp(p["log_scale"][0])
        return PromptCode(projection.astype(np.float32), query.astype(np.float32))

    def attention(self, code: PromptCode, objects: np.ndarray) -> np.ndarray:
        """Softmax attention (N,) of the prompt over object feature rows (N, F)."""
        p = self._p
        keys = np.maximum(objects @ p["key1_w"] + p["key1_b"], 0.0) @ p["key2_w"] + p["key2_b"]
        scores = keys @ code.query
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def act(self, code: PromptCode, state: np.ndarray, scene: np.ndarray) -> np.ndarray:
        """Action chunk (horizon, 7) in world units for one observation."""
        objects, held, proprio = single_features(state, scene)
        weights = self.attention(code, objects)
        x = np.concatenate([code.projection, proprio, weights @ objects, held @ objects])
        p = self._p
        h = np.maximum(_vecmat(x, p["h1_w"]) + p["h1_b"], 0.0)
        h = np.maximum(_vecmat(h, p["h2_w"]) + p["h2_b"], 0.0)
        out = (_vecmat(h, p["out_w"]) + p["out_b"]).reshape(self.config.horizon, ACTION_DIM) * ACTION_SCALE
        out[:, 6] = np.clip(out[:, 6], 0.0, 1.0)
        return out


def save_weights(path: Path, config: NetConfig, params: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    """Write float16 weights plus config and provenance strings to ``path`` (.npz)."""
    shapes = config.shapes()
    arrays: dict[str, np.ndarray] = {name: np.asarray(params[name], dtype=np.float16) for name in shapes}
    arrays.update({f"config/{k}": np.array(v) for k, v in asdict(config).items()})
    arrays.update({f"meta/{k}": np.array(str(v)) for k, v in metadata.items()})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load_metadata(path: Path = DEFAULT_WEIGHTS_PATH) -> dict[str, str]:
    """Provenance strings stored with the weights (seed, demo count, training time, ...)."""
    with np.load(path, allow_pickle=False) as data:
        return {k[5:]: str(data[k]) for k in data.files if k.startswith("meta/")}
