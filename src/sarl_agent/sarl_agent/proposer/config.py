"""The vlm_proposer's parameters, validated in one place, and the one function that builds the proposer.

Every field is a read-only ROS parameter of the node with the same name and
default. A bad value (or a missing API key for the gemini backend) fails at
node start with a ValueError naming the parameter.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from .base import PromptProposer
from .cached import CachedProposer, load_cache
from .gemini import GeminiProposer, GeminiSettings
from .offline import OfflineProposer, sim_task_prompts
from .resilience import Backoff, CircuitBreaker

BACKENDS = ("offline", "gemini", "scene")

SceneSource = Callable[[], object]
"""Returns the latest scene layout; raises ProposerError while there is none yet."""


@dataclass(frozen=True)
class ProposerConfig:
    """Parameters of the ``vlm_proposer`` node."""

    backend: str = "offline"
    """'gemini' (google-genai), 'offline' (task prompts and templates) or 'scene' (the simulator's stand-in
    for a VLM that looks at the table: prompts for what is on it, from the ``scene_topic`` layout)."""
    model: str = GeminiSettings.model
    """Gemini model name (default in proposer/models.py; docs/real_robot.md says how to choose)."""
    base_url: str = ""
    """Gemini endpoint; '' = Google's default."""
    timeout: float = GeminiSettings.timeout
    """[s] per Gemini request. Keep :attr:`worst_case` below the agent's propose_timeout."""
    retries: int = 1
    """Extra attempts after a transient failure (429, 5xx, timeout) or a malformed answer; never after 400/403/404."""
    backoff_initial: float = 1.0
    """[s] wait before the first retry of a transient failure (doubling, capped by backoff_max)."""
    backoff_max: float = 4.0
    """[s] longest wait inside one call; a longer RetryInfo opens the circuit instead."""
    breaker_threshold: int = 3
    """Consecutive failed calls that open the circuit (no request until breaker_cooldown has passed)."""
    breaker_cooldown: float = 30.0
    """[s] the circuit stays open before one trial request."""
    permanent_cooldown: float = 600.0
    """[s] no request after a permanent error (bad key, forbidden, missing model) before one trial."""
    api_key_env: str = GeminiSettings.api_key_env
    """Environment variable holding the Gemini API key (never logged)."""
    temperature: float = GeminiSettings.temperature
    """Gemini sampling temperature; < 0 = the model family's (1.0 for Gemini 3.x, as Google recommends)."""
    thinking_level: str = GeminiSettings.thinking_level
    """'auto' (LOW for Gemini 3.x, off for 2.x), '' (model default), 'minimal', 'low', 'medium' or 'high'."""
    max_output_tokens: int = GeminiSettings.max_output_tokens
    """Gemini output cap, thinking included."""
    api_version: str = GeminiSettings.api_version
    """Gemini REST version ('' = the SDK's default, 'v1', 'v1beta')."""
    cache_capacity: int = 64
    """Prompt-cache size including 'reset to home' (must equal the agent's cache_capacity)."""
    prompt_cache_file: str = ""
    """JSON file to load the cache from at start and save it to after each addition ('' = in memory)."""
    default_max_candidates: int = 8
    """Candidates returned when a request says max_candidates = 0."""
    offline_task: str = ""
    """sarl_sim task whose candidate prompts the offline proposer offers ('' = none)."""
    offline_prompts: tuple[str, ...] = ()
    """Further offline candidate prompts."""
    offline_objects: tuple[str, ...] = ()
    """Object names for the offline templates ('pick up the {obj}', ...)."""
    offline_receptacles: tuple[str, ...] = ()
    """Receptacle names for the offline templates ('put it in the {rec}', ...)."""
    scene_topic: str = "sim/scene"
    """Scene backend: the simulator's object layout (std_msgs/Float32MultiArray, published by the sim driver)."""
    scene_distractors: int = 1
    """Scene backend: random extra prompts per proposal, drawn from the offline prompts (a VLM's noise)."""
    seed: int = 0
    """Scene backend: seed of the distractor draws."""
    scene_focus: bool = True
    """Scene backend: propose acting only on objects the task names (as a VLM reading the task does)."""
    scene_goals: bool = True
    """Scene backend: follow the task's open sub-goals (what still has to go where, in 'then' order)."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"parameter 'backend' must be one of {BACKENDS}, got {self.backend!r}")
        if not 0 <= self.retries <= 10:
            raise ValueError(f"parameter 'retries' must be in 0..10, got {self.retries!r}")
        if self.cache_capacity < 2:
            raise ValueError(
                f"parameter 'cache_capacity' must be >= 2 (reset to home + prompts), got {self.cache_capacity!r}"
            )
        if self.scene_distractors < 0:
            raise ValueError(f"parameter 'scene_distractors' must be >= 0, got {self.scene_distractors!r}")
        if self.default_max_candidates < 1:
            raise ValueError(f"parameter 'default_max_candidates' must be >= 1, got {self.default_max_candidates!r}")
        self.gemini_settings()  # validates model, timeout, api_key_env, temperature, thinking, output cap
        self.backoff()
        CircuitBreaker(self.breaker_threshold, self.breaker_cooldown)
        if not self.permanent_cooldown > 0:
            raise ValueError(f"parameter 'permanent_cooldown' must be > 0 s, got {self.permanent_cooldown!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> ProposerConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown vlm_proposer parameters {unknown}; known: {sorted(known)}")
        converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return cls(**converted)

    def gemini_settings(self) -> GeminiSettings:
        return GeminiSettings(self.model, self.base_url, self.timeout, self.api_key_env, self.temperature,
                              self.thinking_level, self.max_output_tokens, self.api_version)

    @property
    def worst_case(self) -> float:
        """[s] longest a propose call can take: every attempt times out, each retry waits the longest back-off."""
        return (self.retries + 1) * self.timeout + self.retries * self.backoff_max

    def backoff(self) -> Backoff:
        return Backoff(self.backoff_initial, self.backoff_max)

    def offline_prompt_list(self) -> list[str]:
        return [*(sim_task_prompts(self.offline_task) if self.offline_task else ()), *self.offline_prompts]

    def offline(self) -> OfflineProposer:
        return OfflineProposer(self.offline_prompt_list(), self.offline_objects, self.offline_receptacles)

    def scene(self, scene_source: SceneSource) -> PromptProposer:
        """The scene-aware proposer of ``sarl_eval`` (simulator only: imported when selected)."""
        try:
            from sarl_eval.scene_proposer import SceneAwareProposer
        except ImportError as exc:
            raise ValueError(f"backend 'scene' needs the sarl_eval package (simulator only): {exc}") from exc
        return SceneAwareProposer(scene_source, pool=self.offline_prompt_list(), seed=self.seed,
                                  distractors=self.scene_distractors, focus=self.scene_focus,
                                  goals=self.scene_goals)


def build_proposer(
    config: ProposerConfig,
    environ: Mapping[str, str] = os.environ,
    scene_source: SceneSource | None = None,
    log: Callable[[str], None] | None = None,
) -> CachedProposer:
    """The cache-wrapped backend; offline also serves as the fallback while the cache is empty.

    ``scene_source`` is required by the 'scene' backend (the node passes its latest ``scene_topic`` message).
    ``log`` receives every rejected prompt with its reason (default: the ``logging`` module).
    """
    offline = config.offline()
    if config.backend == "gemini":
        backend: PromptProposer = GeminiProposer(config.gemini_settings(), environ)
    elif config.backend == "scene":
        if scene_source is None:
            raise ValueError("backend 'scene' needs a scene source (the vlm_proposer node subscribes scene_topic)")
        backend = config.scene(scene_source)
    else:
        backend = offline
    cache = load_cache(config.cache_capacity, config.prompt_cache_file or None)
    breaker = CircuitBreaker(config.breaker_threshold, config.breaker_cooldown)
    return CachedProposer(
        backend,
        cache,
        fallback=offline if backend is not offline else None,
        retries=config.retries,
        cache_file=config.prompt_cache_file or None,
        backoff=config.backoff(),
        breaker=breaker if config.backend == "gemini" else None,
        permanent_cooldown=config.permanent_cooldown,
        log=log,
    )
