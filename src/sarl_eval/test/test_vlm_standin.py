"""The stand-in VLM sees only a noisy detection, rephrases on every call and errs at its quality's rates."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.proposer.base import ProposerError
from sarl_agent.proposer.cached import CachedProposer
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.standin_vla import StandinVLA
from sarl_sim.tasks import PAPER_TASKS, get_task

from sarl_eval.embeddings import eval_embedder
from sarl_eval.scene_proposer import SceneAwareProposer
from sarl_eval.vlm_detection import detect, looks_held
from sarl_eval.vlm_grammar import noun_phrases, pick_phrasings
from sarl_eval.vlm_quality import PRESETS
from sarl_eval.vlm_standin import StandinVlmProposer, StepPlanner
from sarl_eval.vlm_vocabulary import exact_view

HAMMER = get_task("hammer_plate_mushroom")
EXACT = dataclasses.replace(PRESETS["near_oracle"], name="exact", position_noise=0.0, distractors=0)
"""A VLM without any error or distractor: what it intends is all it says."""


def _env(task=HAMMER, seed=3) -> SemanticEnv:
    env = SemanticEnv(task, policy=StandinVLA(embedder=eval_embedder()))
    env.reset(seed)
    return env


def _intended(world, instruction, quality=EXACT):
    rng = np.random.default_rng(0)
    return StepPlanner(instruction, detect(world, quality, rng), quality, rng).intended()


def _hammer_picks() -> set[str]:
    return set(pick_phrasings(("the hammer", "the mallet")))


@pytest.mark.parametrize("proposer, privileged", [("vlm", False), ("oracle", True)])
def test_support_and_held_flags_change_nothing_it_says(proposer, privileged):
    """Scrambling what the simulator says rests where and what is held changes the oracle's candidates,
    never the stand-in VLM's (it sees only positions and the gripper)."""
    world = _env(get_task("banana_pot_sushi_bowl")).world
    twin = world.copy()
    twin.supports = [(i + 2) % len(world.objects) for i in range(len(world.objects))]
    twin.held = 0

    def answers(w):
        if proposer == "vlm":
            p = StandinVlmProposer(lambda: w, quality="poor", seed=5)
        else:
            p = SceneAwareProposer(lambda: w, seed=5, distractors=0)
        return [p.propose(get_task("banana_pot_sushi_bowl").instruction, None, [], 12).prompts for _ in range(10)]

    assert (answers(world) != answers(twin)) == privileged


def test_progress_is_read_from_where_the_hammer_appears():
    env = _env()
    world = env.world
    before = _intended(world, HAMMER.instruction)
    assert [s.kind for s in before] == ["pick"] and "the hammer" in before[0].names
    hammer, plate = world.index("hammer"), world.index("plate")
    world.positions[hammer] = world.positions[plate] + [0.0, 0.0, 0.012]  # on the plate; supports untouched
    after = _intended(world, HAMMER.instruction)
    assert [s.kind for s in after] == ["pick"] and "the mushroom" in after[0].names


def test_a_held_object_is_seen_at_the_closed_gripper_and_placed_where_the_instruction_says():
    task = get_task("banana_pot_sushi_bowl")
    env = _env(task)
    env.execute("pick up the banana", max_steps=20)
    assert env.world.held == env.world.index("banana")  # the precondition, from the simulator
    view = detect(env.world, EXACT, np.random.default_rng(0))
    assert looks_held(view) == env.world.index("banana")
    steps = _intended(env.world, task.instruction)
    assert [s.kind for s in steps] == ["place", "release"]
    assert "the pot on the right" in steps[0].names and steps[0].preposition == "in"


def test_wording_is_sampled_anew_on_every_call_and_keeps_its_meaning():
    env = _env()
    proposer = StandinVlmProposer(lambda: env.world, quality=EXACT, seed=1)
    said = [proposer.propose(HAMMER.instruction, None, [], 12).prompts for _ in range(30)]
    assert all(p[0] == HAMMER.instruction and len(p) == 3 for p in said)
    wordings = {w for p in said for w in p[1:]}
    assert wordings <= _hammer_picks()
    assert len(wordings) >= 10


def _fill(proposer_of, calls_per_state=3, layouts=20):
    env = _env()
    cache = PromptCache(65)
    cached = CachedProposer(proposer_of(env), cache)
    for layout in range(layouts):
        env.reset(100 + layout)
        for _ in range(calls_per_state):
            cached.propose(HAMMER.instruction, None, [], 12)
    return cache


def test_its_wordings_fill_a_64_prompt_cache_where_the_oracle_never_does():
    vlm = _fill(lambda env: StandinVlmProposer(lambda: env.world, seed=2))
    oracle = _fill(lambda env: SceneAwareProposer(lambda: env.world, pool=HAMMER.candidates, seed=2))
    assert vlm.is_full
    assert not oracle.is_full and len(oracle) < 30


def test_with_a_full_cache_it_says_its_steps_only_in_cached_words():
    env = _env()
    proposer = StandinVlmProposer(lambda: env.world, quality=EXACT, seed=0)
    answer = proposer.propose(HAMMER.instruction, None, [], 12, allowed=["grab the hammer", "wave"])
    assert answer.prompts == ("grab the hammer",)
    with pytest.raises(ProposerError, match="cached words"):
        proposer.propose(HAMMER.instruction, None, [], 12, allowed=["wave"])


def _offered_hammer_pick(quality, calls=300) -> float:
    env = _env()
    proposer = StandinVlmProposer(lambda: env.world, quality=quality, seed=3)
    picks = _hammer_picks()
    return float(np.mean([bool(picks & set(proposer.propose(HAMMER.instruction, None, [], 12).prompts))
                          for _ in range(calls)]))


def test_a_worse_quality_offers_the_needed_step_less_often():
    """Measured: near_oracle 100 %, realistic 77 %, poor 67 % (its two random distractors often happen to pick
    the hammer too); the numbers are quoted in vlm_quality's docstring."""
    rates = {name: _offered_hammer_pick(name) for name in ("near_oracle", "realistic", "poor")}
    assert rates["near_oracle"] == 1.0, rates
    assert 0.6 < rates["realistic"] < 0.9, rates
    assert rates["poor"] < rates["realistic"] - 0.05, rates


def _only(**rates):
    return dataclasses.replace(EXACT, name="one error", **rates)


def _table_picks(world, rows) -> set[str]:
    view = exact_view(world)
    return {p for i in rows for p in pick_phrasings(noun_phrases(view, i))}


@pytest.mark.parametrize("error", ["drop_subgoal", "wrong_order", "extra_subgoal", "unseen_object"])
def test_each_error_does_what_its_rate_says(error):
    env = _env()
    world = env.world
    proposer = StandinVlmProposer(lambda: world, quality=_only(**{error: 1.0}), seed=4)
    hammer = _hammer_picks()
    involved = {world.index(n) for n in ("hammer", "plate", "mushroom")}
    unasked = _table_picks(world, [i for i in range(len(world.objects)) if i not in involved])
    on_table = _table_picks(world, range(len(world.objects)))
    for _ in range(20):
        said = set(proposer.propose(HAMMER.instruction, None, [], 12).prompts) - {HAMMER.instruction}
        rest = said - hammer
        if error == "drop_subgoal":
            assert not said, said
        elif error == "wrong_order":
            assert said and not said & hammer and all(" plate" in p or " dish" in p for p in said), said
        elif error == "extra_subgoal":
            assert said & hammer and rest and rest <= unasked, said
        else:
            assert said & hammer and rest and not rest & on_table, said


def test_what_it_says_on_the_paper_tasks_ships_with_its_embedding():
    """A wording outside the shipped caches makes each evaluation process load the sentence model."""
    known = eval_embedder()
    said = []
    for name in PAPER_TASKS:
        env = _env(get_task(name), seed=7)
        proposer = StandinVlmProposer(lambda env=env: env.world, quality="poor", seed=7)
        for layout in range(10):
            env.reset(200 + layout)
            said += proposer.propose(env.task.instruction, None, [], 12).prompts
            env.execute(proposer.propose(env.task.instruction, None, [], 12).prompts[-1], max_steps=20)
            said += proposer.propose(env.task.instruction, None, [], 12).prompts
    covered = np.mean([p in known for p in said])
    assert covered >= 0.98, [p for p in said if p not in known][:10]
