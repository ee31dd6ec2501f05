"""The admission rules for a prompt, checked wherever text enters the robot's path.

Why one module: a VLM's answer, a bag being replayed, and a goal from another
peer on the DDS domain all end as a string the VLA executes. A prompt is a short
command ("put the banana in the pot"), so anything long, multi-line, or carrying
control or bidirectional-override characters (text that displays differently
from what it says) is refused with the reason, never trimmed into something else.
"""

from __future__ import annotations

import unicodedata

MAX_PROMPT_CHARS = 120
"""[characters] longest admissible prompt; openpi's tokenizers cut far longer text anyway."""
MAX_PROMPT_WORDS = 16
"""[words] longest admissible prompt; a semantic action is one short command."""

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class PromptRejected(ValueError):
    """A prompt broke an admission rule; the message says which."""


def prompt_problem(text: object) -> str | None:
    """None for an admissible prompt, else why it is refused (one sentence, safe to log)."""
    if not isinstance(text, str):
        return f"a prompt must be text, got {type(text).__name__}"
    if not text.strip():
        return "the prompt is empty"
    if len(text) > MAX_PROMPT_CHARS:
        return f"the prompt has {len(text)} characters; at most {MAX_PROMPT_CHARS} are allowed"
    words = len(text.split())
    if words > MAX_PROMPT_WORDS:
        return f"the prompt has {words} words; at most {MAX_PROMPT_WORDS} are allowed"
    for char in text:
        if char in _BIDI_CONTROLS:
            return f"the prompt contains a bidirectional control character (U+{ord(char):04X})"
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):  # control, format, surrogate, private use, unassigned
            return f"the prompt contains a control or non-printing character (U+{ord(char):04X})"
    return None


def check_prompt(text: object) -> str:
    """``text`` unchanged if admissible; raises :class:`PromptRejected` with the reason otherwise."""
    problem = prompt_problem(text)
    if problem is not None:
        raise PromptRejected(problem)
    return text  # type: ignore[return-value]
