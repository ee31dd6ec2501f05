"""The stand-in VLM's task reading: which object goes where, in which order, from the instruction's words."""

from __future__ import annotations

import numpy as np
from sarl_sim.scene import SCENE_COLUMNS, encode_scene
from sarl_sim.semantic_env import SemanticEnv
from sarl_sim.tasks import TASKS, get_task

from sarl_eval.instruction_goals import Goal, find_mentions, open_goals, read_goals
from sarl_eval.scene_proposer import describe, parse_scene, scene_candidates

SUPPORT = SCENE_COLUMNS.index("support")


def _scene(task: str, seed: int = 3):
    env = SemanticEnv(task)
    env.reset(seed)
    objects = parse_scene(env.world)
    return env.world, [describe(objects, i) for i in range(len(objects))]


def _named_goals(task: str) -> set[tuple]:
    """Goals of a task's own instruction, with object names instead of rows."""
    world, phrases = _scene(task)
    name = {i: o.name for i, o in enumerate(world.objects)}.get
    return {(name(g.obj), name(g.destination), name(g.away_from), g.stage)
            for g in read_goals(get_task(task).instruction, phrases)}


def test_each_object_goes_to_the_destination_named_after_it_and_then_orders_stages():
    assert _named_goals("banana_pot_sushi_bowl") == {("banana", "pot_right", None, 0), ("sushi", "bowl", None, 0)}
    assert _named_goals("hammer_plate_mushroom") == {("hammer", "plate", None, 0), ("mushroom", None, None, 1)}
    assert _named_goals("stack_blocks") == {("red_block", "blue_block", None, 0),
                                            ("green_block", "red_block", None, 1)}


def test_shared_destination_instrument_and_source_words():
    assert _named_goals("carrot_corn_basket") == {("carrot", "basket", None, 0), ("corn", "basket", None, 0)}
    assert _named_goals("cup_in_pot_cover") == {("cup", "pot", None, 0), ("pot_lid", "pot", None, 0)}
    assert _named_goals("uncover_pot_mushroom") == {("pot_lid", None, "pot", 0), ("mushroom", "pot", None, 0)}


def test_longest_phrase_wins_so_the_pot_lid_is_not_read_as_the_pot():
    world, phrases = _scene("pot_lid_to_towel")
    rows = [row for _, _, row in find_mentions("move the pot lid to the towel", phrases)]
    assert [world.objects[r].name for r in rows] == ["pot_lid", "towel"]


def test_goals_are_met_by_support_or_grasp_and_later_stages_wait_for_earlier_ones():
    goals = [Goal(0, destination=1), Goal(2, stage=1)]
    assert open_goals(goals, None, [-1, -1, -1]) == [goals[0]]
    assert open_goals(goals, 0, [1, -1, -1]) == [goals[0]], "a held object is not yet where it rests"
    assert open_goals(goals, None, [1, -1, -1]) == [goals[1]]
    assert open_goals(goals, 2, [1, -1, -1]) == []
    assert Goal(0, away_from=1).met(None, [-1]) and not Goal(0, away_from=1).met(None, [1])


def test_every_suite_instruction_yields_goals():
    for name, task in TASKS.items():
        _, phrases = _scene(name)
        goals = read_goals(task.instruction, phrases)
        assert goals, f"{name}: no goals read from {task.instruction!r}"


def test_proposer_follows_progress_picking_only_what_is_still_to_be_moved():
    world, _ = _scene("banana_pot_sushi_bowl")
    task = get_task("banana_pot_sushi_bowl").instruction
    banana, pot_right = world.index("banana"), world.index("pot_right")

    def picks(scene):
        prompts = scene_candidates(scene, task, np.random.default_rng(0), distractors=0)
        return {p for p in prompts if p.startswith("pick up")}

    assert picks(world) == {"pick up the banana", "pick up the sushi"}
    scene = encode_scene(world)
    scene[banana, SUPPORT] = pot_right
    assert picks(scene) == {"pick up the sushi"}, "the banana is already in the right pot"
    scene[banana, SUPPORT] = world.index("pot_left")
    assert picks(scene) == {"pick up the banana", "pick up the sushi"}, "the wrong pot does not count"
    world.attach(banana)
    assert set(scene_candidates(world, task, np.random.default_rng(0), distractors=0)) == {
        task, "put it in the right pot", "put it in the pot on the right", "open the gripper"}


def test_unreadable_instruction_falls_back_to_the_focus_rule():
    world, _ = _scene("hammer_plate_mushroom")
    rng = np.random.default_rng
    assert (scene_candidates(world, "tidy up", rng(0), distractors=0)
            == scene_candidates(world, "tidy up", rng(0), distractors=0, goals=False))
