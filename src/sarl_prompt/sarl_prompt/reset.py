"""Recognising "reset to home" however it is phrased.

Why: reset-to-home is a semantic action of its own (a PID controller drives the
arm home, id 0 in the prompt cache); the agent offers it itself. A VLM that
words it differently ("go back home", "return to the home pose") must not get
that text admitted as a VLA prompt: the VLA would be asked to do what a
controller does exactly, and the Q-function would learn two ids for one action.
"""

from __future__ import annotations

import re

RESET_TO_HOME = "reset to home"
"""The canonical wording (the prompt cache's id 0)."""

_VERB = r"(?:reset|return|go|move|head|come|get|send|bring|take|drive|put)"
_OBJECT = r"(?:it|the arm|the robot|yourself|itself)"
_PLACE = (
    r"(?:home|(?:the |its |your )?(?:home|starting|start|initial|rest|neutral|ready)"
    r"(?: (?:pose|position|configuration|posture))?)"
)
_RESET_PHRASE = re.compile(
    rf"^(?:please )?(?:{_VERB}(?: {_OBJECT})?(?: all the way)?(?: back)?(?: (?:to|into|towards))? )?"
    rf"(?:back (?:to )?)?{_PLACE}(?: please)?$|^(?:please )?reset(?: {_OBJECT})?(?: please)?$"
)
_WHITESPACE = re.compile(r"\s+")


def is_reset_to_home(text: object) -> bool:
    """True for "reset to home" and its variants ("go back home", "return to the home pose", "reset")."""
    if not isinstance(text, str):
        return False
    canonical = _WHITESPACE.sub(" ", text).strip().lower().rstrip(".!?,;:").rstrip()
    return bool(_RESET_PHRASE.match(canonical))


def vla_prompt_problem(text: object) -> str | None:
    """:func:`~sarl_prompt.rules.prompt_problem`, plus: reset-to-home in any wording is not a VLA prompt."""
    from sarl_prompt.rules import prompt_problem

    problem = prompt_problem(text)
    if problem is None and is_reset_to_home(text):
        return f"{text!r} means reset to home, which the agent offers itself (a controller, not the VLA, runs it)"
    return problem
