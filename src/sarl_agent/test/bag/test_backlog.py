"""When the agent holds before an episode, and how it names the transitions never stored."""

from __future__ import annotations

import pytest

from sarl_agent.bag.backlog import BacklogLimits, describe_sequences, hold_reason
from sarl_agent.bag.ledger import AckLedger


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def ledger_with(pending: int, age: float) -> AckLedger:
    clock = Clock()
    ledger: AckLedger[str] = AckLedger(clock=clock)
    for sequence in range(1, pending + 1):
        ledger.add(sequence, "msg")
    clock.now = age
    return ledger


@pytest.mark.parametrize(("pending", "age", "holds"), [
    (0, 100.0, False),   # everything stored
    (8, 1.0, False),     # one episode just published, inside both limits
    (11, 0.0, True),     # over the count
    (1, 10.5, True),     # one transition waiting too long
])
def test_hold_when_count_or_age_exceed_the_limits(pending, age, holds):
    reason = hold_reason(ledger_with(pending, age).counts(), BacklogLimits(max_pending=10, max_age=10.0))
    assert (reason is not None) == holds


def test_the_hold_message_names_the_recorders_error():
    reason = hold_reason(ledger_with(12, 3.0).counts(), BacklogLimits(), "No space left on device: /bags")
    assert "12 transitions not stored" in reason and "No space left on device" in reason


def test_a_recorder_that_says_it_cannot_store_holds_at_once():
    assert hold_reason(ledger_with(1, 0.0).counts(), BacklogLimits(), "Read-only file system") is not None
    assert hold_reason(ledger_with(0, 0.0).counts(), BacklogLimits(), "Read-only file system") is None


def test_limits_are_validated_with_the_parameter_name():
    with pytest.raises(ValueError, match="max_unacknowledged"):
        BacklogLimits(max_pending=0)
    with pytest.raises(ValueError, match="max_unacknowledged_age"):
        BacklogLimits(max_age=0.0)


def test_never_stored_names_pending_and_given_up_sequences_exactly():
    ledger = ledger_with(6, 0.0)
    for sequence in (1, 2, 5):
        ledger.acknowledge(sequence)
    ledger.give_up(6)
    assert ledger.never_stored() == [3, 4, 6]
    assert ledger.counts().pending == 2 and ledger.counts().sent == 6
    assert describe_sequences(ledger.never_stored()) == "3-4, 6"
    assert describe_sequences([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10" and describe_sequences([]) == ""
