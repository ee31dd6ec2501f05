"""The proposer port: ``PromptProposer.propose(...) -> Proposal``.

Why an ABC: the node, the cache wrapper and the tests only know this
signature, so a backend (Gemini, offline lists/templates, a future local VLM)
is swapped by configuration. ``Proposal`` is the agent's own type
(:class:`sarl_agent.episode.robot.Proposal`), so there is one definition of
"candidate prompts plus why the VLM's answer was not used".
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from ..episode.robot import Proposal

from .errors import PermanentVlmError, ProposerError, TransientVlmError

__all__ = ["PermanentVlmError", "PromptProposer", "Proposal", "ProposerError", "TransientVlmError"]


class PromptProposer(ABC):
    """Proposes candidate prompts (short commands for the VLA) for a task and the current camera frame."""

    @abstractmethod
    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        """Up to ``max_candidates`` prompts; raise :class:`ProposerError` when nothing usable came out.

        ``allowed``: when given (the prompt cache is full), choose only among these prompts.
        ``history``: prompts already executed this episode, oldest first.
        """
