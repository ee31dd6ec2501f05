"""What the operator panel shows and allows, with no ROS and no Qt in sight.

The operator labels hundreds of episodes with one hand near the e-stop, so the rules that
keep a press safe live here, where plain tests can pin them down:

- a label is only offered while the agent says it awaits one (``AWAITING_LABEL``), and
  only once per episode: the press is disabled while a reply is pending and after the agent
  accepted a label for that episode;
- a press labels the episode *shown* (the one in the last status), so a status that moves
  on between the press and the reply can never redirect the label to another episode;
- the e-stop is always available, and the E-STOP button and keys only ever *engage* it.
  Clearing is a separate act with a reason, sent to the driver's ``clear_estop`` service
  and signed with the run secret; only the driver decides whether it is cleared;
- the e-stop state shown is the driver's own (``arm_state.estop_active``), never the
  panel's last request: engaged, cleared, or unknown when the driver has said nothing for
  ``stale_after_s``.

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


class EstopState(IntEnum):
    """The driver's e-stop as the panel knows it."""

    UNKNOWN = 0
    """No ``arm_state`` yet, or none for ``stale_after_s``: the driver may be gone."""
    CLEARED = 1
    ENGAGED = 2


ARM_STATE_STALE_S = 2.0
"""[s] without an ``arm_state`` the e-stop is shown as unknown. The driver publishes it at its
control rate (5 Hz on the real arm, 20-50 Hz in simulation), so 2 s is 10 missed messages."""


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

LABEL_OUTCOMES = (Outcome.SUCCESS, Outcome.FAILURE, Outcome.ABORT)
RUNNING_PHASES = (Phase.CHOOSING, Phase.EXECUTING)  # an episode under way: only an early SUCCESS may end it

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
    estop: EstopState
    clear_enabled: bool
    notice: Notice | None = field(default=None)
    enabled_outcomes: frozenset[Outcome] = frozenset()


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
    """The panel's state: last status, pending label, labelled episode, the driver's e-stop, last notice."""

    def __init__(self, stale_after_s: float = ARM_STATE_STALE_S) -> None:
        self.status: EpisodeStatus | None = None
        self.pending: LabelRequest | None = None
        self.labelled_episode: int | None = None
        self.estop = EstopState.UNKNOWN
        self.clear_pending = False
        self.notice: Notice | None = None
        self._stale_after_s = stale_after_s
        self._driver_heard_at: float | None = None

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

    # --- inputs from the driver ------------------------------------------------------------

    def apply_driver_estop(self, active: bool, now: float) -> None:
        """``arm_state.estop_active`` received at ``now`` (a monotonic clock, seconds)."""
        self.estop = EstopState.ENGAGED if active else EstopState.CLEARED
        self._driver_heard_at = now

    def expire_driver_state(self, now: float) -> bool:
        """Fall back to UNKNOWN when the driver has been silent too long; True when that changed the state."""
        heard = self._driver_heard_at
        if self.estop is EstopState.UNKNOWN or (heard is not None and now - heard <= self._stale_after_s):
            return False
        self.estop = EstopState.UNKNOWN
        return True

    def apply_clear_reply(self, accepted: bool, message: str) -> None:
        self.clear_pending = False
        if accepted:
            self.notice = Notice(f"Driver: {message}" if message else "Driver: e-stop cleared", "ok")
        else:
            self.notice = Notice(f"E-stop NOT cleared: {message or 'no reason given'}", "error")

    # --- operator presses ------------------------------------------------------------------

    @property
    def label_enabled(self) -> bool:
        """Every outcome may be sent: the agent awaits the label of the episode shown."""
        return self._may_label(awaiting=True)

    @property
    def enabled_outcomes(self) -> frozenset[Outcome]:
        """The outcomes a press may send now.

        Why SUCCESS alone mid-episode: a task finished before the step budget should end the episode (the
        agent accepts an early SUCCESS for its running episode and stops after the running prompt), while
        FAILURE and ABORT mid-episode are refused by the agent: stopping is the e-stop's job.
        """
        if self.label_enabled:
            return frozenset(LABEL_OUTCOMES)
        if self._may_label(awaiting=False):
            return frozenset({Outcome.SUCCESS})
        return frozenset()

    def _may_label(self, *, awaiting: bool) -> bool:
        status = self.status
        phases = (Phase.AWAITING_LABEL,) if awaiting else RUNNING_PHASES
        return (
            status is not None
            and status.phase in phases
            and self.pending is None
            and self.labelled_episode != status.episode
        )

    def press_label(self, outcome: Outcome) -> LabelRequest | None:
        """The request to send for the episode on screen, or None when this outcome is not allowed now."""
        if Outcome(outcome) not in self.enabled_outcomes:
            return None
        assert self.status is not None
        self.pending = LabelRequest(self.status.episode, Outcome(outcome))
        self.notice = Notice(f"Episode {self.status.episode}: sending {outcome_name(outcome).upper()} ...", "info")
        return self.pending

    def press_estop(self) -> None:
        """The E-STOP button or key: always engage (the display follows the driver, not this press)."""
        self.notice = Notice("E-STOP sent to the driver", "error")

    @property
    def clear_enabled(self) -> bool:
        """Clearing is offered while the driver reports the e-stop engaged and no clear is in flight."""
        return self.estop is EstopState.ENGAGED and not self.clear_pending

    def press_clear(self, reason: str) -> str | None:
        """The reason to send with a clear request, or None (with a notice saying why) when not now."""
        if not self.clear_enabled:
            return None
        reason = reason.strip()
        if not reason:
            self.notice = Notice("To clear the e-stop, type why it is safe to move, then press Enter", "info")
            return None
        self.clear_pending = True
        self.notice = Notice("Asking the driver to clear the e-stop ...", "info")
        return reason

    def report_error(self, text: str) -> None:
        """An internal error the operator must see (the panel keeps working)."""
        self.notice = Notice(f"Internal error: {text}", "error")

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
                estop=self.estop,
                clear_enabled=self.clear_enabled,
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
            estop=self.estop,
            clear_enabled=self.clear_enabled,
            notice=self.notice,
            enabled_outcomes=self.enabled_outcomes,
        )
