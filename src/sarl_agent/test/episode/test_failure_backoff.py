"""The agent's pause after episodes the robot side could not execute."""

from __future__ import annotations

import pytest
from sarl_agent.episode.failure_backoff import FailureBackoff, TooManyFailures
from sarl_agent.episode.records import EpisodeResult, Outcome


def failed(reason: str = "step 0 'pick up the lid': policy server: unreachable") -> EpisodeResult:
    return EpisodeResult(episode=0, task="t", outcome=Outcome.ABORT, message=reason)


def test_waits_double_after_each_failure_in_a_row_up_to_the_cap():
    backoff = FailureBackoff(base_s=2.0, max_s=10.0, max_consecutive=0)
    assert [backoff.after(failed()) for _ in range(5)] == [2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_labelled_episode_resets_the_count_and_an_operator_abort_is_no_failure():
    backoff = FailureBackoff(base_s=1.0, max_s=30.0)
    backoff.after(failed())
    backoff.after(failed())
    assert backoff.after(EpisodeResult(episode=1, task="t", outcome=Outcome.FAILURE)) == 0.0
    assert backoff.after(EpisodeResult(episode=2, task="t", outcome=Outcome.ABORT)) == 0.0  # the operator's label
    assert backoff.after(failed()) == 1.0


def test_stops_the_run_after_max_consecutive_failures_naming_the_last_reason():
    backoff = FailureBackoff(base_s=0.0, max_s=0.0, max_consecutive=3)
    backoff.after(failed())
    backoff.after(failed())
    with pytest.raises(TooManyFailures, match="3 episodes in a row could not be executed; last: step 0 'pick up"):
        backoff.after(failed())


@pytest.mark.parametrize("kwargs", [{"base_s": -1.0}, {"base_s": 5.0, "max_s": 1.0}, {"max_consecutive": -1}])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        FailureBackoff(**kwargs)
