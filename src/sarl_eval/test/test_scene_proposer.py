"""The scene-aware proposer offers what a VLM looking at the table would: state-relevant, partly ungrounded."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_agent.proposer.base import ProposerError
from sarl_sim.scene import encode_scene
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.tasks import get_task

from sarl_eval.scene_proposer import SceneAwareProposer, describe, parse_scene, scene_candidates


def _world(task: str, seed: int = 3):
    env = SemanticEnv(task)
    env.reset(seed)
    return env.world


def _candidates(world, task="do the task", **kwargs):
    return scene_candidates(world, task, np.random.default_rng(0), distractors=0, **kwargs)


def test_empty_gripper_offers_picks_of_every_named_object_including_receptacles_and_task_words():
    world = _world("pot_lid_to_towel")
    prompts = _candidates(world, "move the pot lid to the towel", goals=False)
    assert prompts[0] == "move the pot lid to the towel"
    assert {"pick up the pot", "pick up the pot lid", "pick up the lid", "pick up the towel"} <= set(prompts)
    assert not any(p.startswith("put it") for p in prompts)
    assert 5 <= len(prompts) <= 12


def test_holding_offers_places_and_release_but_no_picks():
    world = _world("pot_lid_to_towel")
    world.attach(world.index("pot_lid"))
    prompts = _candidates(world)
    assert {"put it on the towel", "put it on the cloth", "put it on the pot", "open the gripper"} <= set(prompts)
    assert not any(p.startswith("pick up") for p in prompts)


def test_scene_array_and_world_give_the_same_candidates():
    world = _world("banana_pot_sushi_bowl")
    assert _candidates(encode_scene(world)) == _candidates(world)


def test_look_alikes_are_told_apart_by_side_and_size_in_both_vocabularies():
    world = _world("left_toy_largest_bowl")
    objects = parse_scene(world)
    names = {o.name: describe(objects, i) for i, o in enumerate(world.objects)}
    assert names["toy_left"][:2] == ["the left stuffed toy", "the teddy bear on the left"]
    assert names["bowl_large"][:2] == ["the largest bowl", "the big bowl"]
    world = _world("stack_blocks")
    assert describe(parse_scene(world), world.index("red_block")) == ["the red block"]


def test_distractors_come_from_the_pool_and_repeat_for_a_seed():
    world = _world("hammer_plate_mushroom")
    pool = get_task("hammer_plate_mushroom").candidates
    base = set(_candidates(world))
    draws = [scene_candidates(world, "do the task", np.random.default_rng(7), pool=pool) for _ in range(2)]
    assert draws[0] == draws[1]
    extra = set(draws[0]) - base
    assert 1 <= len(extra) <= 2 and extra <= set(pool)


def test_proposer_selects_only_allowed_prompts_and_says_when_none_fit():
    world = _world("pot_lid_to_towel")
    proposer = SceneAwareProposer(lambda: world, seed=0, distractors=0)
    answer = proposer.propose("move the pot lid to the towel", None, [], 10, allowed=["pick up the lid", "wave"])
    assert answer.prompts == ("pick up the lid",)
    with pytest.raises(ProposerError, match="allowed"):
        proposer.propose("move the pot lid to the towel", None, [], 10, allowed=["wave"])


def test_focus_leaves_out_objects_the_task_does_not_name_but_keeps_every_name_of_those_it_does():
    world = _world("hammer_plate_mushroom")
    task = get_task("hammer_plate_mushroom").instruction
    unnamed = [o.category for o in world.objects if o.name.startswith("distractor")]
    assert unnamed, "the hammer scene should hold distractor objects"
    focused = _candidates(world, task, goals=False)
    assert {"pick up the hammer", "pick up the plate", "pick up the mushroom", "pick up the toadstool"} <= set(focused)
    assert not any(category.replace("_", " ") in p for p in focused for category in unnamed)
    everything = _candidates(world, task, focus=False, goals=False)
    assert set(focused) < set(everything)


def test_focus_offers_every_object_when_the_task_names_none_on_the_table():
    world = _world("hammer_plate_mushroom")
    assert _candidates(world, "tidy up") == _candidates(world, "tidy up", focus=False)


def test_focus_offers_every_place_named_for_the_held_object():
    world = _world("banana_pot_sushi_bowl")
    world.attach(world.index("banana"))
    task = get_task("banana_pot_sushi_bowl").instruction
    prompts = _candidates(world, task, goals=False)
    assert {"put it in the pot on the right", "put it in the left pot", "put it in the bowl"} <= set(prompts)
