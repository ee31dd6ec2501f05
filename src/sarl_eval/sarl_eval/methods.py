"""The methods the evaluation compares, by name, and the one function that builds an agent for a run.

A method is data (:class:`Method`): which agent, what it changes in the SARL
learning config, whether reset-to-home is offered. ``build_agent`` turns it
into an object the episode loop can drive (``cache``, ``act``, ``observe``).
Adding a method is one entry in :data:`METHODS`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sarl_agent.learning.config import SarlConfig
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.learning.trainer import SarlAgentCore

from .baselines import IclVlmAgent, RandomAgent, StepOnlyAgent, ZeroShotAgent

KINDS = ("zero_shot", "random", "icl_vlm", "icl_gemini", "sarl")


@dataclass(frozen=True)
class Method:
    """One evaluated method."""

    name: str
    kind: str
    """Agent family, one of :data:`KINDS`."""
    description: str
    learning: Mapping[str, Any] = field(default_factory=dict)
    """Nested overrides of the SARL learning config (and ``cache_capacity``, which every kind uses)."""
    offer_reset_to_home: bool = True
    """Whether "reset to home" is among the candidates of every step."""
    step_only: bool = False
    """SARL ablation: the Q-function sees only the semantic step index."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"method {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def learns(self) -> bool:
        return self.kind == "sarl"


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("zero_shot", "zero_shot", "the task instruction at every step (base VLA)"),
        Method("random", "random", "uniform over the proposer's candidates"),
        Method("icl_vlm", "icl_vlm", "offline in-context VLM stand-in: plausibility ranking + recent outcomes"),
        Method("icl_gemini", "icl_gemini", "in-context VLM with the real Gemini backend (needs GEMINI_API_KEY)"),
        Method("sarl", "sarl", "SARL: semantic Q-learning over cached prompts"),
        Method("sarl_no_reset", "sarl", "SARL without the reset-to-home action", offer_reset_to_home=False),
        Method("sarl_step_only", "sarl", "SARL with the state reduced to the step index",
               learning={"encoder": {"kind": ["history"]}}, step_only=True),
        Method("sarl_cache16", "sarl", "SARL with a 16-prompt cache", learning={"cache_capacity": 17}),
        Method("sarl_cache100", "sarl", "SARL with a 100-prompt cache", learning={"cache_capacity": 101}),
    )
}
"""Every method by name."""

DEFAULT_METHODS: tuple[str, ...] = ("zero_shot", "random", "icl_vlm", "sarl", "sarl_cache16", "sarl_cache100")
"""What ``sarl eval`` runs unless told otherwise (icl_gemini needs a key and the network). The cache ablations
stay in: with the stand-in VLM the cache fills. sarl_no_reset and sarl_step_only left the defaults when the
report moved to 5 test seeds: CPU time per run measured at ~40 s (SARL, hammer) and ~22 s (random, banana),
so all 8 methods x 4 tasks x 5 seeds would need ~45 min of 2 cores, the budget itself; these 6 ~31 min.
Add them with ``--methods``."""

MAIN_METHODS: tuple[str, ...] = ("zero_shot", "random", "icl_vlm", "sarl")
"""The headline comparison (main plot)."""


def get_method(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown method {name!r}; known: {', '.join(METHODS)}") from None


def default_learning_file() -> Path:
    """The evaluation's SARL learning config (shipped with this package)."""
    return Path(str(resources.files("sarl_eval") / "assets" / "learning.yaml"))


def load_learning(path: str | Path | None = None) -> dict[str, Any]:
    """The learning config mapping from YAML (default: :func:`default_learning_file`), validated."""
    with open(path or default_learning_file(), encoding="utf-8") as stream:
        data = yaml.safe_load(stream) or {}
    SarlConfig.from_dict(data)  # fail early, naming the key
    return data


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Nested dict update (overrides win), without changing the inputs."""
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def sarl_config(method: Method, learning: Mapping[str, Any], seed: int) -> SarlConfig:
    """The method's learning config: base + method overrides, seeded."""
    return SarlConfig.from_dict(merge(merge(learning, method.learning), {"seed": seed}))


def build_agent(method: Method, task: str, seed: int, learning: Mapping[str, Any],
                gemini: Mapping[str, Any] | None = None):
    """An agent for one run of ``method`` on the task whose instruction is ``task``.

    ``gemini``: the icl_gemini method's GeminiSettings fields (model, timeout, api_key_env, ...).
    """
    config = sarl_config(method, learning, seed)
    cache = PromptCache(config.cache_capacity)
    if method.kind == "zero_shot":
        return ZeroShotAgent(cache, task)
    if method.kind == "random":
        return RandomAgent(cache, seed)
    if method.kind == "icl_vlm":
        return IclVlmAgent(cache, task)
    if method.kind == "icl_gemini":
        from .icl_gemini import IclGeminiAgent

        return IclGeminiAgent(cache, task, gemini)
    core = SarlAgentCore(config, cache)
    return StepOnlyAgent(core) if method.step_only else core
