"""Typed, frozen, validated configuration of the SARL learning core.

Why one file: the agent node builds a ``SarlConfig`` from ROS parameters, the
offline tools from YAML, the tests from keyword arguments; all three go
through the same checks here, so a bad value (``td.gamma: 1.5``, an unknown
encoder name, a misspelt key) fails at start-up with the key and what is
allowed, never as a silent mis-training hours later.

Every field has a docstring. Errors name keys with their section prefix
(``td.gamma``), which is also how the keys nest in ``from_dict``/``to_dict``.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

ENCODER_KINDS = ("history", "proprio", "image")
VALUE_KINDS = ("soft", "expected")
TARGET_UPDATES = ("polyak", "periodic")
TARGET_REDUCES = ("min", "mean")
TEMPERATURE_SCHEDULES = ("constant", "linear", "exponential")

MAX_CACHE_CAPACITY = 4096
"""Prompt ids are stored as int16 in the replay buffer; 4096 is far above the 32-100 the method uses."""


def _key(section: str, name: str) -> str:
    return f"{section}.{name}" if section else name


def _coerce(key: str, value: Any, hint: Any) -> Any:
    """Check ``value`` against a field's type hint; ints widen to float, lists become tuples."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _coerce(key, value, inner)
    if origin is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{key} must be a list, got {type(value).__name__} {value!r}")
        return tuple(_coerce(f"{key}[{i}]", item, item_hint) for i, item in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{key} must be an integer, got {type(value).__name__} {value!r}")
        return int(value)
    if hint is float:
        if isinstance(value, str):  # PyYAML reads "1e-3" (no dot) as a string; accept exactly-numeric text
            try:
                value = float(value)
            except ValueError:
                raise TypeError(f"{key} must be a number, got str {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{key} must be a number, got {type(value).__name__} {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{key} must be finite, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise TypeError(f"{key} must be a string, got {type(value).__name__} {value!r}")
        return value
    if dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        raise TypeError(f"{key} must be a {hint.__name__} (or a mapping in from_dict), got {type(value).__name__}")
    raise TypeError(f"{key}: unsupported config type {hint!r}")  # pragma: no cover - programming error


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


def _in_range(key: str, value: float, low: float | None = None, high: float | None = None, *,
              low_open: bool = False, high_open: bool = False) -> None:
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        opening = "(" if low_open or low is None else "["
        closing = ")" if high_open or high is None else "]"
        interval = f"{opening}{left}, {right}{closing}"
        raise ValueError(f"{key} must be in {interval}, got {value!r}")


class _Section:
    """Mixin: type-check/coerce every field on construction, keyed by the section prefix."""

    section: ClassVar[str] = ""

    def _check_types(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            coerced = _coerce(_key(self.section, f.name), getattr(self, f.name), hints[f.name])
            object.__setattr__(self, f.name, coerced)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (lists, not tuples) suitable for YAML/JSON and ``from_dict``."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, _Section):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        """Build from a (nested) mapping; unknown keys are refused with the allowed ones listed."""
        return _from_dict(cls, data, cls.section)


def _from_dict(cls: Any, data: Mapping[str, Any], section: str) -> Any:
    where = f"under '{section}'" if section else "at the top level"
    if not isinstance(data, Mapping):
        raise TypeError(f"config {where} must be a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    allowed = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown config key {_key(section, str(unknown[0]))!r}; allowed keys {where}: {', '.join(allowed)}"
        )
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
            value = _from_dict(hint, value, _key(section, name))
        kwargs[name] = value
    return cls(**kwargs)


@dataclass(frozen=True)
class EncoderConfig(_Section):
    """Which state encoders feed the Q-function, and their sizes."""

    section: ClassVar[str] = "encoder"

    kind: tuple[str, ...] = ("history",)
    """Encoders to concatenate, any non-empty subset of ``history``, ``proprio``, ``image`` (order kept)."""
    max_steps: int = 16
    """Semantic steps the history encoder distinguishes; set >= the episode step limit (longer histories saturate)."""
    image_size: int = 64
    """Camera images are resized to image_size x image_size before the CNN and before storage in replay."""
    proprio_hidden: int = 64
    """Hidden width of the proprio MLP."""
    proprio_features: int = 32
    """Output width of the proprio MLP."""
    image_channels: tuple[int, ...] = (8, 16, 32)
    """Channels of each stride-2 4x4 conv layer of the image CNN (each halves the resolution). Small by
    default: conv backward dominates CPU updates (16-32-32 costs ~2.5x the time of 8-16-32)."""
    image_features: int = 64
    """Output width of the image CNN."""

    def __post_init__(self) -> None:
        self._check_types()
        if not self.kind:
            raise ValueError(f"encoder.kind must list at least one of {', '.join(map(repr, ENCODER_KINDS))}")
        for i, name in enumerate(self.kind):
            _choice(f"encoder.kind[{i}]", name, ENCODER_KINDS)
        if len(set(self.kind)) != len(self.kind):
            raise ValueError(f"encoder.kind lists an encoder twice: {list(self.kind)}")
        _in_range("encoder.max_steps", self.max_steps, 1, 1000)
        _in_range("encoder.image_size", self.image_size, 8, 512)
        _in_range("encoder.proprio_hidden", self.proprio_hidden, 1, 4096)
        _in_range("encoder.proprio_features", self.proprio_features, 1, 4096)
        _in_range("encoder.image_features", self.image_features, 1, 4096)
        if not self.image_channels:
            raise ValueError("encoder.image_channels must list at least one conv layer")
        for i, channels in enumerate(self.image_channels):
            _in_range(f"encoder.image_channels[{i}]", channels, 1, 1024)
        if self.image_size >> len(self.image_channels) < 1:
            raise ValueError(
                f"encoder.image_channels has {len(self.image_channels)} stride-2 layers, too many for "
                f"encoder.image_size={self.image_size}"
            )


@dataclass(frozen=True)
class QConfig(_Section):
    """Shape of the semantic Q-network ``Q(s, l) = e_l . head(encoder(s))``."""

    section: ClassVar[str] = "q"

    hidden_sizes: tuple[int, ...] = (128, 128)
    """Hidden widths of each head's MLP (after the shared state encoder)."""
    ensemble_size: int = 2
    """Independent MLP heads; >= 2 enables the pessimistic ensemble target (2 = clipped double-Q)."""
    target_reduce: str = "min"
    """How heads combine in the TD target: ``min`` curbs over-estimation, ``mean`` is plain averaging."""
    init_q: float = 0.0
    """Initial Q of every prompt; untried prompts keep exactly this value (zero-initialised output weights).
    Neutral (0 = no evidence of reward) so untried prompts never out-value learned ones in greedy choices or
    in the backup; exploration comes from ``policy.novelty_bonus`` instead. In [0, 1], the range of returns
    with one 0/1 reward per episode (1 restores the old optimistic initialisation, for comparison)."""

    def __post_init__(self) -> None:
        self._check_types()
        if not self.hidden_sizes:
            raise ValueError("q.hidden_sizes must list at least one hidden layer width")
        for i, width in enumerate(self.hidden_sizes):
            _in_range(f"q.hidden_sizes[{i}]", width, 1, 8192)
        _in_range("q.ensemble_size", self.ensemble_size, 1, 32)
        _choice("q.target_reduce", self.target_reduce, TARGET_REDUCES)
        _in_range("q.init_q", self.init_q, 0.0, 1.0)


@dataclass(frozen=True)
class PolicyConfig(_Section):
    """Softmax prompt selection ``l ~ softmax((Q(s, .) + novelty bonus)/tau)`` over the candidates."""

    section: ClassVar[str] = "policy"

    temperature: float = 0.05
    """Softmax temperature tau in Q units (rewards are 0/1, so Q lives in [0, 1])."""
    schedule: str = "constant"
    """``constant``, or ``linear``/``exponential`` from temperature to final_temperature over schedule_episodes."""
    final_temperature: float | None = None
    """Temperature reached at the end of the schedule; required by linear/exponential, must be unset for constant."""
    schedule_episodes: int = 100
    """Online episodes over which the schedule moves (then it stays at final_temperature)."""
    novelty_bonus: float = 0.3
    """Optimism for rarely tried prompts, in Q units, in the behaviour (softmax) policy only - never in greedy
    choices or the TD backup: a prompt executed n times gets novelty_bonus / (1 + n) added to its Q before
    sampling (why and how much: ``novelty.py``). 0 = no optimism."""

    def __post_init__(self) -> None:
        self._check_types()
        _in_range("policy.novelty_bonus", self.novelty_bonus, 0.0, 10.0)
        _in_range("policy.temperature", self.temperature, 0.0, None, low_open=True)
        _choice("policy.schedule", self.schedule, TEMPERATURE_SCHEDULES)
        if self.schedule == "constant":
            if self.final_temperature is not None:
                raise ValueError(
                    "policy.final_temperature is set but policy.schedule='constant' would ignore it; "
                    "choose schedule 'linear' or 'exponential', or remove final_temperature"
                )
        else:
            if self.final_temperature is None:
                raise ValueError(f"policy.schedule={self.schedule!r} needs policy.final_temperature")
            _in_range("policy.final_temperature", self.final_temperature, 0.0, None, low_open=True)
        _in_range("policy.schedule_episodes", self.schedule_episodes, 1, None)


@dataclass(frozen=True)
class TdConfig(_Section):
    """Temporal-difference backups: target, target network, loss, optimiser, update rate."""

    section: ClassVar[str] = "td"

    gamma: float = 0.9
    """Discount per semantic step, in [0, 1): truncated episodes bootstrap, so 1 could diverge."""
    value: str = "expected"
    """V(s') over candidates(s'): ``expected`` = sum softmax(Q/tau)*Q (expected SARSA, <= max Q), or
    ``soft`` = tau*logsumexp(Q/tau) (soft Q-learning). ``soft`` adds up to tau*log(#candidates) per step,
    which over a 1/(1-gamma) horizon must stay well below the 0/1 reward: with gamma=0.9 and 30
    candidates that means tau <~ 0.01, or self-loops look better than success and optimism dies."""
    value_temperature: float | None = None
    """Temperature of V(s'); unset = the policy's current temperature (keeps the backup consistent with acting)."""
    target_update: str = "polyak"
    """``polyak``: target <- (1-polyak_tau)*target + polyak_tau*online each update; ``periodic``: hard copy."""
    polyak_tau: float = 0.05
    """Polyak averaging rate in (0, 1]; only with target_update=polyak (must stay at its default otherwise)."""
    target_period: int = 250
    """Updates between hard target copies; only with target_update=periodic (must stay at its default otherwise)."""
    huber_delta: float = 1.0
    """Huber loss transition point, in Q units."""
    grad_clip_norm: float = 10.0
    """Global gradient-norm clip."""
    lr: float = 1e-3
    """Adam learning rate."""
    batch_size: int = 64
    """Transitions per TD update (sampled uniformly with replacement)."""
    utd: float = 1.0
    """Updates per environment step (update-to-data ratio); fractional values accumulate, 0 = collect only."""
    min_replay: int = 32
    """Transitions in replay before online updates start."""

    def __post_init__(self) -> None:
        self._check_types()
        _in_range("td.gamma", self.gamma, 0.0, 1.0, high_open=True)
        _choice("td.value", self.value, VALUE_KINDS)
        if self.value_temperature is not None:
            _in_range("td.value_temperature", self.value_temperature, 0.0, None, low_open=True)
        _choice("td.target_update", self.target_update, TARGET_UPDATES)
        _in_range("td.polyak_tau", self.polyak_tau, 0.0, 1.0, low_open=True)
        _in_range("td.target_period", self.target_period, 1, None)
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        ignored = "target_period" if self.target_update == "polyak" else "polyak_tau"
        if getattr(self, ignored) != defaults[ignored]:
            raise ValueError(
                f"td.{ignored}={getattr(self, ignored)!r} is set but td.target_update={self.target_update!r} "
                f"ignores it; remove td.{ignored} or change td.target_update"
            )
        _in_range("td.huber_delta", self.huber_delta, 0.0, None, low_open=True)
        _in_range("td.grad_clip_norm", self.grad_clip_norm, 0.0, None, low_open=True)
        _in_range("td.lr", self.lr, 0.0, 1.0, low_open=True)
        _in_range("td.batch_size", self.batch_size, 1, 1_000_000)
        _in_range("td.utd", self.utd, 0.0, 1000.0)
        _in_range("td.min_replay", self.min_replay, 1, None)


@dataclass(frozen=True)
class ReplayConfig(_Section):
    """Replay buffer size; storage is preallocated, so this fixes memory up front."""

    section: ClassVar[str] = "replay"

    capacity: int = 10_000
    """Transitions kept (oldest overwritten). With 64x64 images this is about 25 KB per transition."""

    def __post_init__(self) -> None:
        self._check_types()
        _in_range("replay.capacity", self.capacity, 1, 10_000_000)


@dataclass(frozen=True)
class SarlConfig(_Section):
    """Everything the learning core needs; compose sub-configs, validated as a whole."""

    section: ClassVar[str] = ""

    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    """State encoders."""
    q: QConfig = field(default_factory=QConfig)
    """Q-network."""
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    """Softmax policy and temperature schedule."""
    td: TdConfig = field(default_factory=TdConfig)
    """TD learning."""
    replay: ReplayConfig = field(default_factory=ReplayConfig)
    """Replay buffer."""
    cache_capacity: int = 64
    """Prompt ids, *including* the reserved reset-to-home id 0; the Q-network has this many outputs."""
    seed: int = 0
    """Seeds network init, replay sampling and the policy's sampling."""

    def __post_init__(self) -> None:
        self._check_types()
        _in_range("cache_capacity", self.cache_capacity, 2, MAX_CACHE_CAPACITY)
        _in_range("seed", self.seed, 0, 2**32 - 1)
        if self.td.min_replay > self.replay.capacity:
            raise ValueError(
                f"td.min_replay={self.td.min_replay} exceeds replay.capacity={self.replay.capacity}: "
                "learning would never start"
            )

    @property
    def uses_image(self) -> bool:
        """True when camera images are encoded (and therefore stored in replay)."""
        return "image" in self.encoder.kind
