"""Masking, softmax vs greedy selection, temperature schedule."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sarl_agent.learning.config import PolicyConfig
from sarl_agent.learning.policy import TemperatureSchedule, candidate_mask, choose, masked_logits, masked_softmax


def test_candidate_mask():
    mask = candidate_mask([3, 0, 5], 6)
    assert mask.tolist() == [True, False, False, True, False, True]


@pytest.mark.parametrize(
    ("candidates", "error"),
    [([], ValueError), ([1, 1], ValueError), ([6], ValueError), ([-1], ValueError), ([0.5], TypeError)],
)
def test_candidate_mask_refuses_bad_sets(candidates, error):
    with pytest.raises(error):
        candidate_mask(candidates, 6)


def test_non_candidates_get_minus_inf_and_zero_probability():
    q = torch.tensor([[5.0, 1.0, 100.0, 2.0]])
    mask = torch.tensor([[True, True, False, True]])
    logits = masked_logits(q, mask, temperature=1.0)
    assert logits[0, 2] == -math.inf
    probabilities = masked_softmax(q, mask, temperature=1.0)
    assert probabilities[0, 2] == 0.0
    expected = np.exp([5.0, 1.0, 2.0]) / np.exp([5.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(probabilities[0, [0, 1, 3]].numpy(), expected, rtol=1e-6)


def test_masked_softmax_with_no_candidates_is_zero_not_nan():
    probabilities = masked_softmax(torch.ones(2, 3), torch.zeros(2, 3, dtype=torch.bool), 0.1)
    assert torch.equal(probabilities, torch.zeros(2, 3))


def test_softmax_sampling_matches_probabilities():
    q = np.array([0.0, 0.1, 0.3])
    rng = np.random.default_rng(0)
    counts = np.zeros(3)
    for _ in range(4_000):
        index, probabilities = choose(q, 0.1, rng, greedy=False)
        counts[index] += 1
    expected = np.exp(q / 0.1) / np.exp(q / 0.1).sum()
    np.testing.assert_allclose(probabilities, expected)
    np.testing.assert_allclose(counts / counts.sum(), expected, atol=0.03)


@pytest.mark.parametrize("temperature", [1e-3, 0.05, 10.0])
def test_greedy_ignores_temperature_and_picks_the_max(temperature):
    rng = np.random.default_rng(1)
    for _ in range(50):
        index, probabilities = choose(np.array([0.2, 0.9, 0.5]), temperature, rng, greedy=True)
        assert index == 1
        assert probabilities.tolist() == [0.0, 1.0, 0.0]


def test_greedy_breaks_exact_ties_at_random():
    rng = np.random.default_rng(2)
    picks = {choose(np.array([1.0, 0.0, 1.0, 1.0]), 0.1, rng, greedy=True)[0] for _ in range(200)}
    assert picks == {0, 2, 3}


def test_low_temperature_softmax_is_nearly_greedy_and_high_is_nearly_uniform():
    q = np.array([0.0, 1.0])
    assert choose(q, 0.01, np.random.default_rng(0), greedy=False)[1][1] > 0.999
    np.testing.assert_allclose(choose(q, 1000.0, np.random.default_rng(0), greedy=False)[1], [0.5, 0.5], atol=1e-3)


@pytest.mark.parametrize(
    ("schedule", "episode", "expected"),
    [
        ("linear", 0, 1.0),
        ("linear", 5, 0.55),
        ("linear", 10, 0.1),
        ("linear", 50, 0.1),
        ("exponential", 0, 1.0),
        ("exponential", 5, math.sqrt(0.1)),
        ("exponential", 10, 0.1),
    ],
)
def test_temperature_schedule(schedule, episode, expected):
    config = PolicyConfig(temperature=1.0, schedule=schedule, final_temperature=0.1, schedule_episodes=10)
    assert TemperatureSchedule(config).at(episode) == pytest.approx(expected)


def test_constant_schedule():
    assert TemperatureSchedule(PolicyConfig(temperature=0.3)).at(1000) == 0.3
