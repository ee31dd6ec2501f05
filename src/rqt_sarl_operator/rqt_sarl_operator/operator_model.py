"""What the operator panel shows and allows, with no ROS and no Qt in sight.

The operator labels hundreds of episodes with one hand near the e-stop, so the rules that
keep a press safe live here, where plain tests can pin them down:

- a label is only offered while the agent says it awaits one (``AWAITING_LABEL``), and
  only once per episode: the press is disabled while a reply is pending and after the agent
  accepted a label for that episode;
- a press labels the episode *shown* (the one in the last status), so a status that moves
  on between the press and the reply can never redirect the label to another episode;
- the e-stop is always available. A click toggles it (engage when clear, clear when
  engaged); the keyboard shortcut only ever engages, so a reflex keypress cannot release it.

The ROS glue converts messages to :class:`EpisodeStatus` / :class:`LabelReply`; the widget
renders :meth:`OperatorModel.view`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum


class Phase(IntEnum):
    """``EpisodeStatus.PHASE_*``, same numbers."""

    IDLE = 0
    CHOOSING = 1
    EXECUTING = 2
    RESETTING = 3
    AWAITING_LABEL = 4
    LEARNING = 5
    DONE = 6


class Outcome(IntEnum):
    """``LabelEpisode.SUCCESS/FAILURE/ABORT`` and ``EpisodeStatus.OUTCOME_*``, same numbers."""

    NONE = 0
    SUCCESS = 1
    FAILURE = 2
    ABORT = 3


PHASE_NAMES = {
    Phase.IDLE: "idle",
    Phase.CHOOSING: "choosing prompt",
    Phase.EXECUTING: "executing prompt",
    Phase.RESETTING: "resetting",
    Phase.AWAITING_LABEL: "awaiting label",
    Phase.LEARNING: "learning",
    Phase.DONE: "done",
}

OUTCOME_NAMES = {Outcome.NONE: "none", Outcome.SUCCESS: "success", Outcome.FAILURE: "failure", Outcome.ABORT: "abort"}


def phase_name(phase: int) -> str:
    """Operator-facing name of a phase number; an unknown number is shown, not hidden."""
    try:
        return PHASE_NAMES[Phase(phase)]
    except ValueError:
        return f"unknown phase {phase}"


def outcome_name(outcome: int) -> str:
    try:
        return OUTCOME_NAMES[Outcome(outcome)]
    except ValueError:
        return f"outcome {outcome}"


@dataclass(frozen=True)
class EpisodeStatus:
    """The fields of ``sarl_interfaces/EpisodeStatus`` the panel uses, as plain values."""

    phase: int
    task: str = ""
    episode: int = 0
    step: int = 0
    max_steps: int = 0
    current_prompt: str = ""
    candidate_ids: tuple[int, ...] = ()
    candidate_prompts: tuple[str, ...] = ()
    q_values: tuple[float, ...] = ()
    probabilities: tuple[float, ...] = ()
    last_outcome: int = Outcome.NONE
    episodes_done: int = 0
    successes: int = 0
    message: str = ""
    run_id: str = ""


@dataclass(frozen=True)
class CandidateRow:
    """One candidate prompt as a table row. ``q``/``probability`` are None when the agent sent none."""

    prompt_id: int
    prompt: str
    q: float | None
    probability: float | None
    is_current: bool


@dataclass(frozen=True)
class LabelRequest:
    episode: int
    outcome: Outcome


@dataclass(frozen=True)
class LabelReply:
    """The agent's answer to a :class:`LabelRequest` (or the glue's, when no answer came)."""

    episode: int
    outcome: Outcome
    accepted: bool
    reason: str = ""


@dataclass(frozen=True)
class Notice:
    """A one-line message for the operator; ``tone`` is ``ok``, ``error`` or ``info``."""

    text: str
    tone: str


@dataclass(frozen=True)
class OperatorView:
    """Everything the widget draws, already formatted."""

    connected: bool
    task: str
    episode_text: str
    phase: int | None
    phase_text: str
    prompt_text: str
    rows: tuple[CandidateRow, ...]
    success_text: str
    detail_text: str
    label_enabled: bool
    estop_engaged: bool | None
    notice: Notice | None = field(default=None)


def _optional(values: tuple[float, ...], index: int) -> float | None:
    if index >= len(values):
        return None
    value = float(values[index])
    return None if math.isnan(value) else value


def candidate_rows(status: EpisodeStatus) -> tuple[CandidateRow, ...]:
    """Candidates sorted the way the policy ranks them: probability, then Q, high first.

    Q-values or probabilities may be missing (e.g. while choosing); such rows sort last.
    """
    rows = []
    for index, prompt in enumerate(status.candidate_prompts):
        prompt_id = status.candidate_ids[index] if index < len(status.candidate_ids) else -1
        rows.append(
            CandidateRow(
                prompt_id=int(prompt_id),
                prompt=prompt,
                q=_optional(status.q_values, index),
                probability=_optional(status.probabilities, index),
                is_current=bool(status.current_prompt) and prompt == status.current_prompt,
            )
        )
    low = -math.inf
    rows.sort(key=lambda r: (r.probability if r.probability is not None else low, r.q if r.q is not None else low),
              reverse=True)
    return tuple(rows)


def success_rate_text(successes: int, episodes_done: int) -> str:
    if episodes_done <= 0:
        return "no labelled episodes yet"
    return f"{successes} / {episodes_done}  ({100.0 * successes / episodes_done:.0f} %)"


class OperatorModel:
    """The panel's state: last status, pending label, labelled episode, e-stop, last notice."""

    def __init__(self) -> None:
        self.status: EpisodeStatus | None = None
        self.pending: LabelRequest | None = None
        self.labelled_episode: int | None = None
        self.estop_engaged: bool | None = None
        self.notice: Notice | None = None

    # --- inputs from the agent -------------------------------------------------------------

    def apply_status(self, status: EpisodeStatus) -> None:
        previous = self.status
        self.status = status
        newly_awaiting = status.phase == Phase.AWAITING_LABEL and (
            previous is None or previous.phase != Phase.AWAITING_LABEL or previous.episode != status.episode
        )
        if newly_awaiting and self.labelled_episode != status.episode:
            self.notice = Notice(f"Episode {status.episode} is over: was it a success?", "info")

    def apply_reply(self, reply: LabelReply) -> None:
        self.pending = None  # one request at a time (press_label refuses while pending), so this is its reply
        verb = outcome_name(reply.outcome).upper()
        if reply.accepted:
            self.labelled_episode = reply.episode
            self.notice = Notice(f"Episode {reply.episode}: {verb} accepted", "ok")
        else:
            reason = reply.reason or "no reason given"
            self.notice = Notice(f"Episode {reply.episode}: {verb} refused: {reason}", "error")

    def apply_estop(self, engaged: bool) -> None:
        self.estop_engaged = bool(engaged)

    # --- operator presses ------------------------------------------------------------------

    @property
    def label_enabled(self) -> bool:
        status = self.status
        return (
            status is not None
            and status.phase == Phase.AWAITING_LABEL
            and self.pending is None
            and self.labelled_episode != status.episode
        )

    def press_label(self, outcome: Outcome) -> LabelRequest | None:
        """The request to send for the episode on screen, or None when a label is not allowed now."""
        if not self.label_enabled:
            return None
        assert self.status is not None
        self.pending = LabelRequest(self.status.episode, Outcome(outcome))
        self.notice = Notice(f"Episode {self.status.episode}: sending {outcome_name(outcome).upper()} ...", "info")
        return self.pending

    def click_estop(self) -> bool:
        """Toggle: returns the e-stop state to publish (engage unless known to be engaged)."""
        return self._request_estop(not self.estop_engaged)

    def key_estop(self) -> bool:
        """Keyboard e-stop: always engage, so a reflex keypress never releases the arm."""
        return self._request_estop(True)

    def _request_estop(self, engage: bool) -> bool:
        self.estop_engaged = engage
        self.notice = Notice("E-STOP ENGAGED" if engage else "E-stop cleared", "error" if engage else "info")
        return engage

    # --- output ----------------------------------------------------------------------------

    def view(self) -> OperatorView:
        status = self.status
        if status is None:
            return OperatorView(
                connected=False,
                task="waiting for sarl/episode_status ...",
                episode_text="Episode —",
                phase=None,
                phase_text="no agent",
                prompt_text="—",
                rows=(),
                success_text="—",
                detail_text="",
                label_enabled=False,
                estop_engaged=self.estop_engaged,
                notice=self.notice,
            )
        step = f"step {status.step} / {status.max_steps}" if status.max_steps else f"step {status.step}"
        detail = [f"last episode: {outcome_name(status.last_outcome)}"] if status.last_outcome else []
        if status.message:
            detail.append(status.message)
        return OperatorView(
            connected=True,
            task=status.task or "(no task)",
            episode_text=f"Episode {status.episode}  ·  {step}",
            phase=status.phase,
            phase_text=phase_name(status.phase),
            prompt_text=status.current_prompt or "—",
            rows=candidate_rows(status),
            success_text=success_rate_text(status.successes, status.episodes_done),
            detail_text="   ·   ".join(detail),
            label_enabled=self.label_enabled,
            estop_engaged=self.estop_engaged,
            notice=self.notice,
        )
