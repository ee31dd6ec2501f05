"""Command admission (stamp, frame, source) and the lost-command count, without ROS."""

import pytest
from widowx_driver.command_admission import AdmissionRules, Refusal, SequenceGaps

RULES = AdmissionRules(max_age=0.5, max_future=0.1, frame_id="base_link", sources=frozenset({1, 2}))
NOW = 1_000.0


@pytest.mark.parametrize(
    "stamp,frame,source,refusal",
    [
        (NOW - 0.4, "base_link", 1, None),
        (NOW + 0.05, "base_link", 2, None),
        (NOW - 0.6, "base_link", 1, Refusal.STALE),
        (NOW + 1e6, "base_link", 1, Refusal.STALE),  # the 1e6-s-future stamp
        (0.0, "base_link", 1, Refusal.STALE),  # an unstamped command
        (NOW, "world", 1, Refusal.WRONG_FRAME),
        (NOW, "", 1, Refusal.WRONG_FRAME),
        (NOW, "base_link", 0, Refusal.WRONG_SOURCE),
        (NOW, "base_link", 3, Refusal.WRONG_SOURCE),
    ],
)
def test_commands_are_admitted_only_fresh_in_frame_and_from_expected_senders(stamp, frame, source, refusal):
    problem = RULES.problem(stamp, frame, source, NOW)
    assert (problem[0] if problem else None) is refusal
    if problem:
        assert problem[1]  # a sentence for the log


@pytest.mark.parametrize(
    "fields,match",
    [({"max_age": 0.0}, "command_max_age"), ({"max_future": float("nan")}, "command_max_future"),
     ({"frame_id": ""}, "frame_id"), ({"sources": frozenset()}, "command_sources")],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_parameter(fields, match):
    values = {"max_age": 0.5, "max_future": 0.1, "frame_id": "base_link", "sources": frozenset({1})} | fields
    with pytest.raises(ValueError, match=match):
        AdmissionRules(**values)


def test_sequence_gaps_count_each_senders_missing_samples():
    gaps = SequenceGaps()
    assert [gaps.received(b"a", n) for n in (1, 2, 5)] == [0, 0, 2]
    assert gaps.received(b"b", 10) == 0, "a sender's first sample says nothing about earlier ones"
    assert gaps.received(b"b", 11) == 0
    assert gaps.received(b"a", 4) == 0, "a late (reordered) sample is not a loss"
    assert gaps.received(b"a", None) == 0, "a middleware without sequence numbers"
    assert gaps.lost == 2
    gaps.reset()
    assert gaps.lost == 0 and gaps.received(b"a", 9) == 0


def test_sequence_gaps_forget_the_least_recently_heard_sender():
    gaps = SequenceGaps(remembered=2)
    gaps.received(b"a", 1)
    gaps.received(b"b", 1)
    gaps.received(b"c", 1)
    assert gaps.received(b"a", 5) == 0, "forgotten: counted as a new sender"
    assert gaps.received(b"c", 3) == 1
