"""Untried prompts: neutral in greedy choices and in the backup, favoured only by the behaviour policy (issue 19).

With the old optimistic initialisation (``q.init_q`` = 1, no novelty bonus) the first two tests fail: the
untried prompt wins the greedy choice over the learned 0.6, and V(s') over candidates with untried prompts is ~1.
"""

from __future__ import annotations

import numpy as np
import pytest

from sarl_agent.learning.novelty import NoveltyBonus
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.learning.trainer import SarlAgentCore
from sarl_agent.learning.transition import SemanticTransition

from .helpers import small_config

LEARNED, UNTRIED, USELESS = 2, 5, 3
"""Prompt ids: one learned to be worth 0.6, one never executed, one executed often and worth nothing."""
UNTRIED_TOO = (6, 7)
STATE = Observation(1, (4,), np.zeros(7, dtype=np.float32))
NEXT = Observation(2, (4, LEARNED), np.zeros(7, dtype=np.float32))


def agent_with_learned_values(td: dict | None = None, **overrides) -> SarlAgentCore:
    """In STATE, LEARNED ends the episode with reward 0.6 and USELESS with 0; nothing else is ever executed."""
    config = small_config(td={"batch_size": 16, "min_replay": 4, "lr": 3e-3, **(td or {})}, **overrides)
    cache = PromptCache(config.cache_capacity, [f"prompt {i}" for i in range(1, config.cache_capacity)])
    agent = SarlAgentCore(config, cache)
    candidates = (LEARNED, USELESS, UNTRIED)
    data = [SemanticTransition(STATE, candidates, LEARNED, 0.6, NEXT, (), terminal=True)] * 8
    data += [SemanticTransition(STATE, candidates, USELESS, 0.0, NEXT, (), terminal=True)] * 20
    agent.train_offline(data, num_updates=400)
    return agent


@pytest.fixture(scope="module")
def agent() -> SarlAgentCore:
    return agent_with_learned_values()


def test_the_fixture_learned_what_it_claims(agent):
    q = agent.q_values(STATE)
    assert q[LEARNED] == pytest.approx(0.6, abs=0.03)
    assert q[USELESS] == pytest.approx(0.0, abs=0.03)
    assert q[UNTRIED] == agent.config.q.init_q == 0.0


def test_an_untried_prompt_does_not_win_the_greedy_choice_over_a_learned_value(agent):
    choices = {agent.act(STATE, [UNTRIED, LEARNED, *UNTRIED_TOO], greedy=True).action for _ in range(50)}
    assert choices == {LEARNED}


@pytest.mark.parametrize(("value", "value_temperature"), [("expected", None), ("expected", 0.01), ("soft", 0.01)])
def test_untried_prompts_do_not_inflate_the_backup(value, value_temperature):
    """y = r + gamma * V(s') with s' offering the learned prompt and three untried ones: V(s') ~ 0.6, not ~1."""
    agent = agent_with_learned_values(td={"value": value, "value_temperature": value_temperature})
    into_state = SemanticTransition(NEXT, (1,), 1, 0.0, STATE, (LEARNED, UNTRIED, *UNTRIED_TOO), terminal=False)
    agent.train_offline([into_state], num_updates=0)
    batch = agent.replay.gather(np.array([len(agent.replay) - 1]))
    target = float(agent._td_target(batch)[0])  # the trainer's own target computation
    gamma = agent.config.td.gamma
    assert gamma * 0.55 <= target <= gamma * 0.62, f"target {target:.3f}, gamma * learned = {gamma * 0.6:.3f}"


def test_the_behaviour_policy_prefers_the_untried_prompt_and_greedy_does_not(agent):
    """Between an untried prompt and one executed 20 times for nothing, exploration tries the new one."""
    behaviour = [agent.act(STATE, [USELESS, UNTRIED]) for _ in range(100)]
    assert sum(d.action == UNTRIED for d in behaviour) >= 90
    bonus = agent.config.policy.novelty_bonus
    np.testing.assert_allclose(behaviour[0].novelty_bonus, [bonus / 21, bonus])
    greedy = agent.act(STATE, [USELESS, UNTRIED], greedy=True)
    np.testing.assert_array_equal(greedy.novelty_bonus, [0.0, 0.0])


def test_without_a_bonus_the_untried_prompt_gets_no_preference():
    agent = agent_with_learned_values(policy={"novelty_bonus": 0.0})
    behaviour = [agent.act(STATE, [USELESS, UNTRIED]).action for _ in range(200)]
    assert 40 <= sum(a == UNTRIED for a in behaviour) <= 160  # ~ a coin flip between two values near 0


def test_bonus_decays_with_executions_and_round_trips():
    novelty = NoveltyBonus(4, scale=0.3)
    np.testing.assert_allclose(novelty.bonus([0, 1, 2]), [0.3, 0.3, 0.3])
    for _ in range(3):
        novelty.record(1)
    novelty.record(2)
    np.testing.assert_allclose(novelty.bonus([2, 1, 0]), [0.15, 0.075, 0.3])
    restored = NoveltyBonus(4, scale=0.3)
    restored.load_state_dict(novelty.state_dict())
    np.testing.assert_array_equal(restored.counts, [0, 3, 1, 0])
    with pytest.raises(ValueError, match="shape"):
        NoveltyBonus(5, scale=0.3).load_state_dict(novelty.state_dict())
