"""Task suite: layouts per seed, predicates, candidates, and solvability by the expert."""

import numpy as np
import pytest

from sarl_sim.prompts import RESET_TO_HOME, cached_prompts, normalize_prompt
from sarl_sim.skills import Skill, SkillSpec, expert_action
from sarl_sim.tasks import PAPER_TASKS, TASKS, get_task
from sarl_sim.world import HOME_STATE

EXPERT_PLANS = {
    "hammer_plate_mushroom": [("pick", "hammer"), ("place", "plate"), ("pick", "mushroom")],
    "banana_pot_sushi_bowl": [("pick", "banana"), ("place", "pot_right"), ("pick", "sushi"), ("place", "bowl")],
    "left_toy_largest_bowl": [("pick", "toy_left"), ("place", "bowl_large")],
    "pot_lid_to_towel": [("pick", "pot_lid"), ("place", "towel")],
    "carrot_corn_basket": [("pick", "carrot"), ("place", "basket"), ("pick", "corn"), ("place", "basket")],
    "cup_in_pot_cover": [("pick", "cup"), ("place", "pot"), ("pick", "pot_lid"), ("place", "pot")],
    "stack_blocks": [("pick", "red_block"), ("place", "blue_block"), ("pick", "green_block"), ("place", "red_block")],
    "apple_orange_plates": [("pick", "apple"), ("place", "plate_left"), ("pick", "orange"), ("place", "plate_right")],
    "spoon_bowl_tray": [("pick", "spoon"), ("place", "bowl"), ("pick", "bowl"), ("place", "tray")],
    "uncover_pot_mushroom": [("pick", "pot_lid"), ("place", "towel"), ("pick", "mushroom"), ("place", "pot")],
}


def test_suite_has_the_four_paper_tasks_and_six_more():
    assert set(PAPER_TASKS) == {
        "hammer_plate_mushroom",
        "banana_pot_sushi_bowl",
        "left_toy_largest_bowl",
        "pot_lid_to_towel",
    }
    assert len(TASKS) - len(PAPER_TASKS) >= 6
    assert get_task("pot_lid_to_towel").instruction == "move the pot lid to the towel"
    with pytest.raises(ValueError, match="unknown task"):
        get_task("fold the laundry")


@pytest.mark.parametrize("name", list(TASKS))
def test_candidates_are_a_small_cached_set_with_reset(name):
    task = TASKS[name]
    assert 10 <= len(task.candidates) <= 30
    assert RESET_TO_HOME in task.candidates and task.instruction in task.candidates
    assert len(set(task.candidates)) == len(task.candidates)
    cached = set(cached_prompts())
    assert all(normalize_prompt(p) in cached for p in task.candidates)


@pytest.mark.parametrize("name", list(TASKS))
def test_layouts_are_random_per_seed_and_reproducible(name):
    task = TASKS[name]
    a, b, a_again = (task.build(np.random.default_rng(s)) for s in (1, 2, 1))
    assert np.allclose(a.positions, a_again.positions)
    assert not np.allclose(a.positions, b.positions)
    assert np.allclose(a.state(), HOME_STATE)
    assert not task.success(a)


def _home(world):
    for _ in range(15):
        action = np.zeros(7)
        action[:3] = np.clip(HOME_STATE[:3] - world.ee[:3], -0.04, 0.04)
        action[6] = 0.0 if world.held >= 0 else 1.0
        world.step(action)


@pytest.mark.parametrize("name", list(TASKS))
def test_scripted_expert_solves_every_task(name):
    task = TASKS[name]
    for seed in range(5):
        world = task.build(np.random.default_rng(seed))
        for skill, obj in EXPERT_PLANS[name]:
            spec = SkillSpec(Skill(skill), world.index(obj))
            for _ in range(20):
                world.step(expert_action(world, spec))
            _home(world)
        assert task.success(world), f"{name} seed {seed}: {task.success}"


def test_left_and_right_twins_are_named_by_position():
    world = get_task("banana_pot_sushi_bowl").build(np.random.default_rng(3))
    assert world.positions[world.index("pot_left"), 1] > world.positions[world.index("pot_right"), 1]
