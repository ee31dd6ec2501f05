"""The panel's rules without ROS or Qt: what is shown, when a label may be sent, which episode it names."""

from __future__ import annotations

import dataclasses
import math

import pytest

from rqt_sarl_operator.operator_model import (
    EpisodeStatus,
    EstopState,
    LabelReply,
    LabelRequest,
    Notice,
    OperatorModel,
    Outcome,
    Phase,
    candidate_rows,
    phase_name,
    success_rate_text,
)

AWAITING = EpisodeStatus(phase=Phase.AWAITING_LABEL, task="stack the cups", episode=12, step=3, max_steps=8)


@pytest.mark.parametrize(
    ("phase", "name"),
    [
        (Phase.IDLE, "idle"),
        (Phase.CHOOSING, "choosing prompt"),
        (Phase.EXECUTING, "executing prompt"),
        (Phase.RESETTING, "resetting"),
        (Phase.AWAITING_LABEL, "awaiting label"),
        (Phase.LEARNING, "learning"),
        (Phase.DONE, "done"),
        (42, "unknown phase 42"),
    ],
)
def test_phase_names(phase: int, name: str) -> None:
    assert phase_name(phase) == name


@pytest.mark.parametrize(
    ("successes", "done", "text"),
    [(24, 36, "24 / 36  (67 %)"), (0, 5, "0 / 5  (0 %)"), (0, 0, "no labelled episodes yet")],
)
def test_success_rate_text(successes: int, done: int, text: str) -> None:
    assert success_rate_text(successes, done) == text


def test_candidates_sorted_by_probability_with_missing_values_last() -> None:
    status = EpisodeStatus(
        phase=Phase.EXECUTING,
        current_prompt="pick up the cup",
        candidate_ids=(0, 4, 9, 2),
        candidate_prompts=("reset to home", "pick up the cup", "push the plate", "open the gripper"),
        q_values=(0.1, 0.8, 0.3),
        probabilities=(0.2, 0.7, math.nan),
    )
    rows = candidate_rows(status)
    assert [r.prompt_id for r in rows] == [4, 0, 9, 2]
    assert rows[0].is_current and not any(r.is_current for r in rows[1:])
    assert rows[2].probability is None and rows[2].q == pytest.approx(0.3)
    assert rows[3].q is None and rows[3].probability is None


@pytest.mark.parametrize("phase", [p for p in Phase if p != Phase.AWAITING_LABEL])
def test_failure_and_abort_only_offered_while_awaiting_a_label(phase: Phase) -> None:
    model = OperatorModel()
    model.apply_status(dataclasses.replace(AWAITING, phase=phase))
    assert not model.view().label_enabled
    assert model.press_label(Outcome.FAILURE) is None and model.press_label(Outcome.ABORT) is None


@pytest.mark.parametrize("phase", [Phase.IDLE, Phase.RESETTING, Phase.LEARNING, Phase.DONE])
def test_no_label_at_all_between_episodes(phase: Phase) -> None:
    model = OperatorModel()
    model.apply_status(dataclasses.replace(AWAITING, phase=phase))
    assert model.view().enabled_outcomes == frozenset()
    assert model.press_label(Outcome.SUCCESS) is None


@pytest.mark.parametrize("phase", [Phase.CHOOSING, Phase.EXECUTING])
def test_success_alone_ends_a_running_episode_early_and_only_once(phase: Phase) -> None:
    model = OperatorModel()
    model.apply_status(dataclasses.replace(AWAITING, phase=phase))
    assert model.view().enabled_outcomes == frozenset({Outcome.SUCCESS})
    assert model.press_label(Outcome.SUCCESS) == LabelRequest(episode=12, outcome=Outcome.SUCCESS)
    assert model.view().enabled_outcomes == frozenset(), "one request in flight at a time"
    model.apply_reply(LabelReply(12, Outcome.SUCCESS, accepted=True))
    model.apply_status(dataclasses.replace(AWAITING, phase=Phase.AWAITING_LABEL))
    assert model.view().enabled_outcomes == frozenset(), "the episode is labelled already"


def test_every_outcome_offered_while_awaiting_a_label() -> None:
    model = OperatorModel()
    model.apply_status(AWAITING)
    assert model.view().enabled_outcomes == {Outcome.SUCCESS, Outcome.FAILURE, Outcome.ABORT}


def test_no_label_before_any_status() -> None:
    model = OperatorModel()
    view = model.view()
    assert not view.connected and not view.label_enabled and view.phase is None
    assert model.press_label(Outcome.FAILURE) is None


def test_press_names_the_episode_shown_and_blocks_until_the_reply() -> None:
    model = OperatorModel()
    model.apply_status(AWAITING)
    request = model.press_label(Outcome.FAILURE)
    assert request == LabelRequest(episode=12, outcome=Outcome.FAILURE)
    assert not model.label_enabled, "a second press while the first is in flight"
    assert model.press_label(Outcome.SUCCESS) is None


def test_accepted_episode_cannot_be_labelled_again_even_if_status_lags() -> None:
    model = OperatorModel()
    model.apply_status(AWAITING)
    model.press_label(Outcome.SUCCESS)
    model.apply_reply(LabelReply(12, Outcome.SUCCESS, accepted=True))
    model.apply_status(AWAITING)  # the agent's next status has not caught up yet
    assert not model.label_enabled
    assert model.view().notice.tone == "ok"
    model.apply_status(dataclasses.replace(AWAITING, episode=13))
    assert model.label_enabled, "the next episode can be labelled"


def test_refused_label_shows_the_reason_and_allows_another_try() -> None:
    model = OperatorModel()
    model.apply_status(AWAITING)
    model.press_label(Outcome.ABORT)
    model.apply_reply(LabelReply(12, Outcome.ABORT, accepted=False, reason="wrong episode"))
    notice = model.view().notice
    assert notice.tone == "error" and "ABORT refused: wrong episode" in notice.text
    assert model.label_enabled


def test_estop_display_follows_the_driver_never_the_press() -> None:
    model = OperatorModel(stale_after_s=2.0)
    assert model.view().estop is EstopState.UNKNOWN, "no arm_state yet"
    model.press_estop()
    assert model.view().estop is EstopState.UNKNOWN, "a press is a request; only the driver's answer is shown"
    model.apply_driver_estop(True, now=10.0)
    assert model.view().estop is EstopState.ENGAGED
    model.apply_driver_estop(False, now=11.0)
    assert model.view().estop is EstopState.CLEARED


@pytest.mark.parametrize(("silent_s", "shown"), [(1.9, EstopState.ENGAGED), (2.1, EstopState.UNKNOWN)])
def test_a_silent_driver_makes_the_estop_unknown(silent_s: float, shown: EstopState) -> None:
    model = OperatorModel(stale_after_s=2.0)
    model.apply_driver_estop(True, now=100.0)
    assert model.expire_driver_state(100.0 + silent_s) is (shown is EstopState.UNKNOWN)
    assert model.view().estop is shown
    model.expire_driver_state(200.0)
    assert not model.expire_driver_state(201.0), "already unknown: no change to report"


def test_clearing_needs_an_engaged_driver_a_reason_and_one_request_at_a_time() -> None:
    model = OperatorModel()
    assert model.press_clear("arm checked") is None, "unknown state: nothing to clear"
    model.apply_driver_estop(True, now=1.0)
    assert model.view().clear_enabled
    assert model.press_clear("   ") is None
    assert "type why it is safe" in model.view().notice.text
    assert model.press_clear("  arm checked ") == "arm checked"
    assert not model.view().clear_enabled, "one clear request in flight at a time"
    assert model.press_clear("again") is None
    model.apply_clear_reply(False, "stale request (6.0 s old)")
    assert model.view().notice == Notice("E-stop NOT cleared: stale request (6.0 s old)", "error")
    assert model.view().clear_enabled and model.view().estop is EstopState.ENGAGED, "a refusal changes nothing"
    model.press_clear("arm checked")
    model.apply_clear_reply(True, "cleared by alice: arm checked")
    assert model.view().estop is EstopState.ENGAGED, "cleared only once the driver's arm_state says so"
    model.apply_driver_estop(False, now=2.0)
    assert model.view().estop is EstopState.CLEARED and not model.view().clear_enabled


def test_view_formats_the_status() -> None:
    model = OperatorModel()
    model.apply_status(dataclasses.replace(AWAITING, current_prompt="", successes=3, episodes_done=4, message="hi"))
    view = model.view()
    assert view.episode_text == "Episode 12  ·  step 3 / 8"
    assert view.phase_text == "awaiting label"
    assert view.prompt_text == "—"
    assert view.success_text == "3 / 4  (75 %)"
    assert view.detail_text == "hi"
    assert view.notice.text == "Episode 12 is over: was it a success?"
