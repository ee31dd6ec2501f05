"""A run saved with ``save_checkpoint()`` (defaults) and resumed continues exactly as if never interrupted.

Before issue 19 the default checkpoint left the replay buffer out, so the resumed run sampled from an empty
(then different) buffer; this test then fails at the replay comparison.
"""

from __future__ import annotations

import numpy as np
import torch

from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.learning.trainer import SarlAgentCore

from .helpers import random_transitions, small_config

BEFORE_SAVE = 30
UPDATES_AFTER = 100


def make_agent() -> SarlAgentCore:
    config = small_config(td={"utd": 1.0, "min_replay": 4}, policy={"temperature": 0.5})
    cache = PromptCache(config.cache_capacity, [f"prompt {i}" for i in range(1, config.cache_capacity)])
    return SarlAgentCore(config, cache)


def step(agent: SarlAgentCore, transition) -> tuple[int, int, dict[str, float]]:
    """One online step: a behaviour decision, a greedy decision, then learning from the transition."""
    explored = agent.act(transition.obs, transition.candidates).action
    evaluated = agent.act(transition.obs, transition.candidates, greedy=True).action
    return explored, evaluated, agent.observe(transition)


def parameters(agent: SarlAgentCore) -> list[torch.Tensor]:
    return [p.detach().clone() for p in (*agent.q_network.parameters(), *agent.target_network.parameters())]


def test_resume_restores_replay_and_the_next_100_updates_are_bit_identical(tmp_path):
    data = random_transitions(BEFORE_SAVE + UPDATES_AFTER, 12, seed=11)
    uninterrupted, interrupted = make_agent(), make_agent()
    for transition in data[:BEFORE_SAVE]:
        assert step(uninterrupted, transition) == step(interrupted, transition)
    path = tmp_path / "checkpoint.pt"
    interrupted.save_checkpoint(path)
    del interrupted
    resumed = SarlAgentCore.load_checkpoint(path)

    replay_before, replay_after = uninterrupted.replay.state_dict(), resumed.replay.state_dict()
    assert replay_after.keys() == replay_before.keys()
    for name, array in replay_before.items():
        if name == "_meta":
            assert replay_after[name] == array
        else:
            assert torch.equal(replay_after[name], array), name
    assert resumed.counters == uninterrupted.counters
    np.testing.assert_array_equal(resumed.novelty.counts, uninterrupted.novelty.counts)

    updates_before = uninterrupted.counters["updates"]
    for transition in data[BEFORE_SAVE:]:
        assert step(resumed, transition) == step(uninterrupted, transition)
    assert resumed.counters["updates"] - updates_before == UPDATES_AFTER
    for a, b in zip(parameters(uninterrupted), parameters(resumed), strict=True):
        assert torch.equal(a, b)


def test_a_small_checkpoint_without_replay_is_still_possible(tmp_path):
    agent = make_agent()
    for transition in random_transitions(10, 12, seed=3):
        agent.observe(transition)
    agent.save_checkpoint(tmp_path / "small.pt", include_replay=False)
    agent.save_checkpoint(tmp_path / "full.pt")
    assert len(SarlAgentCore.load_checkpoint(tmp_path / "small.pt").replay) == 0
    assert len(SarlAgentCore.load_checkpoint(tmp_path / "full.pt").replay) == 10
    assert (tmp_path / "small.pt").stat().st_size < (tmp_path / "full.pt").stat().st_size
