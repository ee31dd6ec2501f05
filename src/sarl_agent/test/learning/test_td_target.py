"""TD targets against hand-computed numbers: soft and expected values, terminal vs truncated."""

from __future__ import annotations

import pytest
import torch

from sarl_agent.learning.td_target import expected_value, soft_value, state_value, td_target

# Next state: Q = [1, 2, 3] over ids 0..2, candidates(s') = {0, 1}; id 2 (Q=3) is NOT a candidate.
# tau = 1:
#   soft     V = log(e^1 + e^2)                         = log(2.718282 + 7.389056) = 2.313262
#   expected V = (e^1 * 1 + e^2 * 2) / (e^1 + e^2)      = 17.496394 / 10.107338    = 1.731059
# r = 0.5, gamma = 0.9:  soft y = 0.5 + 0.9 * 2.313262 = 2.581936
#                        expected y = 0.5 + 0.9 * 1.731059 = 2.057953
Q_NEXT = torch.tensor([[1.0, 2.0, 3.0]])
MASK = torch.tensor([[True, True, False]])


def test_soft_value_hand_computed():
    assert soft_value(Q_NEXT, MASK, 1.0).item() == pytest.approx(2.313262, abs=1e-6)


def test_expected_value_hand_computed():
    assert expected_value(Q_NEXT, MASK, 1.0).item() == pytest.approx(1.731059, abs=1e-6)


@pytest.mark.parametrize(
    ("kind", "terminal", "truncated", "expected"),
    [
        ("soft", False, False, 2.581936),
        ("expected", False, False, 2.057953),
        ("soft", True, False, 0.5),
        ("expected", True, False, 0.5),
        ("soft", False, True, 2.581936),  # truncation bootstraps
        ("expected", False, True, 2.057953),
    ],
)
def test_td_target_hand_computed(kind, terminal, truncated, expected):
    value = state_value(Q_NEXT, MASK, 1.0, kind)
    # The trainer only ever passes `terminal` (truncated transitions are stored with terminal=False).
    y = td_target(torch.tensor([0.5]), value, torch.tensor([terminal]), gamma=0.9)
    assert y.item() == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("kind", ["soft", "expected"])
def test_values_tend_to_the_max_over_candidates_as_temperature_drops(kind):
    assert state_value(Q_NEXT, MASK, 1e-4, kind).item() == pytest.approx(2.0, abs=1e-3)


def test_soft_value_bounds_expected_value_from_above():
    q = torch.randn(64, 10)
    mask = torch.rand(64, 10) < 0.5
    mask[:, 0] = True
    assert torch.all(soft_value(q, mask, 0.3) >= expected_value(q, mask, 0.3) - 1e-6)


@pytest.mark.parametrize("kind", ["soft", "expected"])
def test_no_candidates_gives_zero_value_not_nan(kind):
    value = state_value(Q_NEXT, torch.zeros_like(MASK), 0.5, kind)
    assert value.item() == 0.0


def test_unknown_value_kind_is_refused():
    with pytest.raises(ValueError, match="soft"):
        state_value(Q_NEXT, MASK, 1.0, "max")
