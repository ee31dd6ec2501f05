"""The agent's acknowledgement ledger: pending by sequence, re-send with back-off, counts."""

from __future__ import annotations

import threading

import pytest

from sarl_agent.bag.ledger import AckLedger


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_acknowledged_transitions_are_never_resent_and_counts_add_up():
    clock = FakeClock()
    ledger = AckLedger(resend_after=5.0, clock=clock)
    for sequence in (1, 2, 3):
        ledger.add(sequence, f"msg{sequence}")
    assert ledger.acknowledge(2) and not ledger.acknowledge(2) and not ledger.acknowledge(99)
    clock.now += 5.0
    assert ledger.due() == [(1, "msg1"), (3, "msg3")]
    counts = ledger.counts()
    assert (counts.sent, counts.acknowledged, counts.pending, counts.resends) == (3, 1, 2, 2)
    assert counts.oldest_pending_age == 5.0


def test_resends_back_off_up_to_the_maximum_interval():
    clock = FakeClock()
    ledger = AckLedger(resend_after=5.0, max_resend_interval=20.0, clock=clock)
    ledger.add(1, "m")
    resent_at = []
    for _ in range(80):
        clock.now += 1.0
        if ledger.due():
            resent_at.append(clock.now - 100.0)
    assert resent_at == [5.0, 15.0, 35.0, 55.0, 75.0]  # +5, +10, +20, then capped at 20


def test_nothing_is_due_before_the_timeout():
    clock = FakeClock()
    ledger = AckLedger(resend_after=5.0, clock=clock)
    ledger.add(1, "m")
    clock.now += 4.9
    assert ledger.due() == []


def test_a_sequence_number_cannot_be_reused():
    ledger = AckLedger()
    ledger.add(1, "m")
    ledger.acknowledge(1)
    with pytest.raises(ValueError, match="sequence 1 was already sent"):
        ledger.add(1, "other")


def test_wait_all_acknowledged_returns_when_the_last_ack_arrives():
    ledger = AckLedger()
    ledger.add(1, "m")
    assert not ledger.wait_all_acknowledged(0.01)
    threading.Timer(0.05, ledger.acknowledge, args=(1,)).start()
    assert ledger.wait_all_acknowledged(5.0)


@pytest.mark.parametrize("kwargs", [{"resend_after": 0}, {"resend_after": 5, "max_resend_interval": 1}])
def test_invalid_timing_is_refused(kwargs):
    with pytest.raises(ValueError, match="resend"):
        AckLedger(**kwargs)
