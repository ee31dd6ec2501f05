"""Which Gemini model to use, and how each model family is configured: the one place for model names.

Default ``gemini-3.8-flash``: the current GA Flash model (Sep 2026) — Flash is
the latency/cost class meant for a short structured answer per robot step, it
takes images, and its thinking can be turned down to LOW. ``gemini-2.5-flash``
(the old default) is shut down; ``gemini-3.5-flash`` is deprecated and
forwarded to a newer Flash by Google. ``sarl doctor`` checks the configured
name against :data:`RETIRED_MODELS` and against the key's ``models.list``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MODEL = "gemini-3.8-flash"
"""The proposer's, the doctor's and ``icl_gemini``'s default (change it here only)."""

RETIRED_MODELS: dict[str, str] = {
    "gemini-1.5-flash": DEFAULT_MODEL,
    "gemini-1.5-flash-8b": "gemini-3.5-flash-lite",
    "gemini-1.5-pro": DEFAULT_MODEL,
    "gemini-2.0-flash": DEFAULT_MODEL,
    "gemini-2.0-flash-001": DEFAULT_MODEL,
    "gemini-2.0-flash-lite": "gemini-3.5-flash-lite",
    "gemini-2.5-flash": DEFAULT_MODEL,  # shut down; since 1 Dec 2026 404/503 or re-routed to gemini-3.5-flash-lite
    "gemini-3.5-flash": DEFAULT_MODEL,  # deprecated: Google forwards its requests to gemini-3.6-flash
}
"""Shut down or deprecated model name → the replacement the doctor names. Add a row when Google's
deprecations page announces a shutdown (only names with such a notice are listed)."""

THINKING_LEVELS = ("", "minimal", "low", "medium", "high")
"""'' = the model's own default. Gemini 3.x takes a level; older models a token budget (never both: HTTP 400)."""

_VERSION = re.compile(r"^(?:models/)?gemini-(\d+)(?:\.(\d+))?")


def replacement_for(model: str) -> str | None:
    """The model to use instead of a retired/deprecated ``model``; None when it is not known to be retired."""
    return RETIRED_MODELS.get(model.removeprefix("models/"))


def generation(model: str) -> int | None:
    """Major version of a ``gemini-X.Y-...`` name (3 for ``gemini-3.8-flash``); None for other names."""
    match = _VERSION.match(model)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class FamilyDefaults:
    """Settings that depend on the model family, when the parameter says 'model default' (< 0 or '')."""

    temperature: float
    """Google recommends 1.0 for Gemini 3.x (lower values can loop or degrade); 0.4 for older models."""
    thinking_level: str
    """Gemini 3.x: LOW keeps a one-line JSON answer fast (every 3.x model accepts it)."""
    thinking_budget: int | None
    """Gemini 2.x: 0 disables thinking (Flash); None for 3.x, which takes a level instead."""


def family_defaults(model: str) -> FamilyDefaults:
    major = generation(model)
    if major is not None and major < 3:
        return FamilyDefaults(temperature=0.4, thinking_level="", thinking_budget=0)
    return FamilyDefaults(temperature=1.0, thinking_level="low", thinking_budget=None)
