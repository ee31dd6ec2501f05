"""The stand-in VLA: an openpi-style policy around the imitation-trained network.

It behaves like a served pi0.5 checkpoint at the interface — ``infer(obs)``
takes an openpi observation dict (``observation/image``, ``observation/state``,
``prompt``) and returns ``{"actions": (horizon, 7), "policy_timing": {...}}`` —
so the VLA bridge cannot tell it from the real thing.

One honest difference: it does not look at ``observation/image``. It reads the
object layout from ``observation/scene`` (see :mod:`sarl_sim.scene`), which the
simulator-side driver adds; a real VLA gets the same information from pixels.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

import numpy as np
from openpi_client.base_policy import BasePolicy
from sarl_prompt import check_prompt

from sarl_sim.embedding import PromptEmbedder, default_embedder
from sarl_sim.features import single_features
from sarl_sim.policy_net import ACTION_DIM, NumpyPolicyNet, PromptCode
from sarl_sim.prompts import normalize_prompt
from sarl_sim.scene import SCENE_KEY, validate_scene

IMAGE_KEY = "observation/image"
STATE_KEY = "observation/state"
PROMPT_KEY = "prompt"


class StandinVLA(BasePolicy):
    """Language-conditioned policy over (prompt, proprioception, object layout)."""

    def __init__(
        self,
        net: NumpyPolicyNet | None = None,
        embedder: PromptEmbedder | None = None,
        prompt_cache_size: int = 4096,
    ) -> None:
        self._net = net if net is not None else NumpyPolicyNet.load()
        self._embedder = embedder if embedder is not None else default_embedder()
        self._codes: OrderedDict[str, PromptCode] = OrderedDict()
        self._cache_size = prompt_cache_size
        self._lock = threading.Lock()

    @property
    def net(self) -> NumpyPolicyNet:
        """The numpy network (the simulator calls it directly on its fast path)."""
        return self._net

    @property
    def action_horizon(self) -> int:
        """Actions per returned chunk."""
        return self._net.config.horizon

    @property
    def metadata(self) -> dict:
        """What the policy server announces to clients on connect."""
        return {
            "policy": "sarl_sim.standin_vla",
            "action_horizon": self.action_horizon,
            "action_dim": ACTION_DIM,
            "control_hz": 5.0,
            "observation_keys": [IMAGE_KEY, STATE_KEY, SCENE_KEY, PROMPT_KEY],
            "privileged_inputs": [SCENE_KEY],
        }

    def prompt_code(self, prompt: str) -> PromptCode:
        """Prompt-dependent activations, memoised (embedding lookup + projection)."""
        key = normalize_prompt(prompt)
        with self._lock:
            code = self._codes.get(key)
            if code is not None:
                self._codes.move_to_end(key)
                return code
        code = self._net.encode_prompt(self._embedder.embed(key))
        with self._lock:
            self._codes[key] = code
            while len(self._codes) > self._cache_size:
                self._codes.popitem(last=False)
        return code

    def act(self, prompt: str, state: np.ndarray, scene: np.ndarray) -> np.ndarray:
        """Action chunk (horizon, 7) without the dict wrapping (the simulator's fast path)."""
        return self._net.act(self.prompt_code(prompt), state, scene)

    def attention(self, prompt: str, state: np.ndarray, scene: np.ndarray) -> np.ndarray:
        """Which object the policy attends to for ``prompt`` (diagnostics), shape (N,)."""
        objects, _, _ = single_features(np.asarray(state, dtype=np.float32), validate_scene(scene))
        return self._net.attention(self.prompt_code(prompt), objects)

    def infer(self, obs: dict) -> dict:
        """openpi ``Policy.infer``: observation dict in, ``{"actions": (horizon, 7), ...}`` out."""
        start = time.monotonic()
        if not isinstance(obs, dict):
            raise TypeError(f"observation must be a dict, got {type(obs).__name__}")
        missing = [k for k in (STATE_KEY, SCENE_KEY, PROMPT_KEY) if k not in obs]
        if missing:
            raise ValueError(
                f"observation lacks {missing}; the stand-in VLA needs {STATE_KEY!r} (7,), {PROMPT_KEY!r} (str) "
                f"and {SCENE_KEY!r} (the simulator's object layout in place of vision)"
            )
        prompt = obs[PROMPT_KEY]
        if isinstance(prompt, bytes):
            prompt = prompt.decode(errors="replace")
        check_prompt(prompt)  # a 10 kB or control-character prompt is refused before it costs anything
        state = np.asarray(obs[STATE_KEY], dtype=np.float32)
        if state.shape != (7,) or not np.all(np.isfinite(state)):
            raise ValueError(f"{STATE_KEY} must be 7 finite numbers [x, y, z, roll, pitch, yaw, gripper], got {state}")
        if IMAGE_KEY in obs:
            image = np.asarray(obs[IMAGE_KEY])
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise ValueError(f"{IMAGE_KEY} must be an HxWx3 uint8 image, got {image.shape} {image.dtype}")
        actions = self.act(prompt, state, validate_scene(obs[SCENE_KEY]))
        return {"actions": actions, "policy_timing": {"infer_ms": (time.monotonic() - start) * 1000.0}}
