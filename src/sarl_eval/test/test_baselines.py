"""Baselines choose the way their names promise, through the learning core's agent interface."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.learning.transition import SemanticTransition

from sarl_eval.baselines import IclVlmAgent, RandomAgent, StepOnlyAgent, ZeroShotAgent
from sarl_eval.methods import METHODS, build_agent, load_learning

TASK = "move the pot lid to the towel"
PROMPTS = ["pick up the cup", "pick up the lid", "pick up the pot lid", TASK, "put it on the cloth"]


def _cache() -> tuple[PromptCache, list[int]]:
    cache = PromptCache(16)
    return cache, [0, *(cache.admit(p) for p in PROMPTS)]


def _obs(step=0, history=()) -> Observation:
    return Observation(step, history, np.zeros(7))


def _end(agent, obs, action, candidates, reward):
    agent.observe(SemanticTransition(obs, tuple(candidates), action, reward, obs.then(action, np.zeros(7)), (),
                                     terminal=True))


def test_zero_shot_says_the_task_and_refuses_without_it():
    cache, ids = _cache()
    agent = ZeroShotAgent(cache, TASK)
    assert cache.prompt_of(agent.act(_obs(), ids).action) == TASK
    with pytest.raises(ValueError, match="task instruction"):
        agent.act(_obs(), ids[:2])


def test_random_covers_the_candidates_uniformly():
    cache, ids = _cache()
    agent = RandomAgent(cache, seed=0)
    counts = np.bincount([agent.act(_obs(), ids).index for _ in range(3000)], minlength=len(ids))
    assert counts.min() > 0.7 * 3000 / len(ids)


def test_random_greedy_choices_never_change_the_training_choices():
    cache, ids = _cache()
    plain, evaluated = RandomAgent(cache, seed=3), RandomAgent(cache, seed=3)
    trained = []
    for _ in range(50):
        for _ in range(7):
            evaluated.act(_obs(), ids, greedy=True)
        trained.append(evaluated.act(_obs(), ids).index)
    assert trained == [plain.act(_obs(), ids).index for _ in range(50)]


def test_icl_prefers_plausible_fresh_prompts_avoids_recent_failures_and_replays_success():
    cache, ids = _cache()
    agent = IclVlmAgent(cache, TASK, memory=1)
    first = agent.act(_obs(), ids).action
    assert cache.prompt_of(first) == "pick up the pot lid"  # most words shared with the task, not the task itself
    assert agent.act(_obs(1, (first,)), ids).action != first  # already said this episode
    _end(agent, _obs(), first, ids, 0.0)
    second = agent.act(_obs(), ids).action
    assert second != first
    _end(agent, _obs(), second, ids, 1.0)
    _end(agent, _obs(), ids[1], ids, 0.0)  # a later failure does not erase the success
    assert agent.act(_obs(), ids).action == second


def test_step_only_hides_history_and_proprio_from_the_core():
    learning = load_learning()
    agent = build_agent(METHODS["sarl_step_only"], TASK, 0, learning)
    assert isinstance(agent, StepOnlyAgent)
    cache = agent.cache
    ids = [0, *(cache.admit(p) for p in PROMPTS)]
    seen = Observation(2, (ids[1], ids[2]), np.ones(7))
    for _ in range(60):
        agent.act(seen, ids)
        _end(agent, seen, ids[3], ids, 0.0)
    blank = Observation(2, (), np.zeros(7))
    assert agent.core.q_values(blank)[ids[3]] < 0.9  # the core learned about the blanked state it actually saw


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_builds_except_gemini_without_a_key(name, monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    method = METHODS[name]
    if method.kind == "icl_gemini":
        with pytest.raises(ValueError, match="API key"):
            build_agent(method, TASK, 0, load_learning())
        return
    agent = build_agent(method, TASK, 0, load_learning())
    assert agent.cache.capacity == {"sarl_cache16": 17, "sarl_cache100": 101}.get(name, agent.cache.capacity)
