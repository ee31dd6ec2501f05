"""Greedy evaluation draws from its own generator: evaluating, or not, never changes training (issue 19).

Before issue 19 greedy tie-breaking drew from the training generator, so interleaving evaluations shifted every
later replay batch and softmax sample; the first test then fails.
"""

from __future__ import annotations

import numpy as np
import torch

from sarl_agent.learning.config import SarlConfig
from sarl_agent.learning.synthetic_mdp import SyntheticSemanticMdp, run_episode
from sarl_agent.learning.trainer import SarlAgentCore

TRAIN_EPISODES = 30
EVALUATE_EVERY = 5


def make_agent() -> SarlAgentCore:
    return SarlAgentCore(SarlConfig.from_dict({
        "encoder": {"kind": ["history", "proprio"], "max_steps": 10},
        "q": {"hidden_sizes": [32, 32]},
        "td": {"batch_size": 16, "min_replay": 8},
        "replay": {"capacity": 500},
        "cache_capacity": 32,
        "seed": 3,
    }))


def train(evaluate: bool) -> tuple[list[bool], list[int], SarlAgentCore]:
    """Training outcomes and the replay's executed actions, with or without greedy evaluations in between."""
    agent = make_agent()
    training = SyntheticSemanticMdp(np.random.default_rng(0), max_steps=10)
    held_out = SyntheticSemanticMdp(np.random.default_rng(1), max_steps=10)
    for prompt in training.prompts:  # same prompt ids in both runs (the MDPs list their prompts in their own order)
        agent.cache.admit(prompt)
    outcomes = []
    for episode in range(TRAIN_EPISODES):
        if evaluate and episode % EVALUATE_EVERY == 0:
            for _ in range(3):
                run_episode(held_out, agent, agent.cache, greedy=True, learn=False)
        outcomes.append(run_episode(training, agent, agent.cache))
    actions = agent.replay.state_dict()["action"].tolist()
    return outcomes, actions, agent


def test_training_is_identical_with_and_without_interleaved_evaluations():
    outcomes, actions, plain = train(evaluate=False)
    outcomes_evaluated, actions_evaluated, evaluated = train(evaluate=True)
    assert plain.counters["updates"] > 100
    assert outcomes_evaluated == outcomes
    assert actions_evaluated == actions
    for a, b in zip(plain.q_network.parameters(), evaluated.q_network.parameters(), strict=True):
        assert torch.equal(a, b)


def test_greedy_decisions_move_only_the_evaluation_generator():
    agent = make_agent()
    training_state = agent._rngs.numpy_generator.bit_generator.state
    evaluation_state = agent._rngs.evaluation_generator.bit_generator.state
    run_episode(SyntheticSemanticMdp(np.random.default_rng(1)), agent, agent.cache, greedy=True, learn=False)
    assert agent._rngs.numpy_generator.bit_generator.state == training_state
    assert agent._rngs.evaluation_generator.bit_generator.state != evaluation_state
