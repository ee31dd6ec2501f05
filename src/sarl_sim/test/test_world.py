"""Physics rules of the tabletop world: grasp, carry, release, stack, cover, bounds."""

import numpy as np
import pytest

from sarl_sim.layout import sample_world
from sarl_sim.objects import make_instance
from sarl_sim.predicates import Covered, Holding, In, On
from sarl_sim.skills import Skill, SkillSpec, expert_action
from sarl_sim.world import HOME_STATE, NO_OBJECT, TABLE_Z, WORKSPACE_HIGH, WORKSPACE_LOW, TabletopWorld


def _world(*specs, positions, supports=None):
    objects = [make_instance(name, category) for name, category in specs]
    return TabletopWorld(objects, np.array(positions, dtype=float), supports)


def _move_to(world, xyz, gripper, steps=30):
    for _ in range(steps):
        action = np.zeros(7)
        action[:3] = np.clip(np.asarray(xyz) - world.ee[:3], -0.04, 0.04)
        action[6] = gripper
        world.step(action)


def test_home_state_is_inside_workspace_and_open():
    assert HOME_STATE.shape == (7,)
    assert np.all(HOME_STATE[:3] >= WORKSPACE_LOW) and np.all(HOME_STATE[:3] <= WORKSPACE_HIGH)
    assert HOME_STATE[6] == 1.0


def test_motion_is_clipped_to_step_limit_and_workspace():
    world = _world(("cup", "cup"), positions=[[0.3, 0.0, TABLE_Z]])
    world.step(np.array([1.0, 0, 0, 0, 0, 0, 1.0]))
    assert world.ee[0] == pytest.approx(HOME_STATE[0] + 0.05)
    for _ in range(20):
        world.step(np.array([0, 0, -1.0, 0, 0, 0, 1.0]))
    assert world.ee[2] == pytest.approx(WORKSPACE_LOW[2])


@pytest.mark.parametrize("bad", [np.zeros(6), np.full(7, np.nan)])
def test_invalid_actions_are_rejected(bad):
    world = _world(("cup", "cup"), positions=[[0.3, 0.0, TABLE_Z]])
    with pytest.raises(ValueError, match="action"):
        world.step(bad)


def test_closing_near_an_object_grasps_and_carries_it():
    world = _world(("cup", "cup"), positions=[[0.3, 0.0, TABLE_Z]])
    _move_to(world, [0.3, 0.0, TABLE_Z + 0.025], gripper=1.0)
    world.step(np.array([0, 0, 0, 0, 0, 0, 0.0]))
    assert Holding("cup")(world)
    _move_to(world, [0.2, 0.1, 0.05], gripper=0.0)
    assert world.positions[0, :2] == pytest.approx([0.2, 0.1], abs=1e-6)


def test_closing_far_from_objects_grasps_nothing():
    world = _world(("cup", "cup"), positions=[[0.3, 0.0, TABLE_Z]])
    _move_to(world, [0.2, 0.15, TABLE_Z + 0.02], gripper=1.0)
    world.step(np.array([0, 0, 0, 0, 0, 0, 0.0]))
    assert world.held == NO_OBJECT
    assert world.ee[6] <= 0.5


def test_release_over_container_lands_inside_and_over_table_on_table():
    world = _world(("cup", "cup"), ("bowl", "bowl"), positions=[[0.2, 0.0, TABLE_Z], [0.35, 0.1, TABLE_Z]])
    world.attach(0)
    _move_to(world, [0.35, 0.1, 0.0], gripper=0.0)
    world.step(np.array([0, 0, 0, 0, 0, 0, 1.0]))
    assert In("cup", "bowl")(world)
    assert world.positions[0, 2] > TABLE_Z
    world.attach(0)
    _move_to(world, [0.15, -0.1, 0.0], gripper=0.0)
    world.step(np.array([0, 0, 0, 0, 0, 0, 1.0]))
    assert world.supports[0] == NO_OBJECT and world.positions[0, 2] == pytest.approx(TABLE_Z)


def test_lid_covers_pot_and_is_grasped_before_the_pot():
    world = _world(("pot", "pot"), ("pot_lid", "pot_lid"), positions=[[0.3, 0.0, TABLE_Z], [0.2, 0.1, TABLE_Z]])
    world.attach(1)
    _move_to(world, [0.3, 0.0, 0.0], gripper=0.0)
    world.step(np.array([0, 0, 0, 0, 0, 0, 1.0]))
    assert Covered("pot")(world) and On("pot_lid", "pot")(world)
    spec = SkillSpec(Skill.PICK, world.index("pot_lid"))
    for _ in range(20):
        world.step(expert_action(world, spec))
    assert Holding("pot_lid")(world) and not Covered("pot")(world)


def test_contents_move_with_their_container():
    world = _world(
        ("bowl", "bowl"),
        ("spoon", "spoon"),
        positions=[[0.3, 0.0, TABLE_Z], [0.3, 0.0, TABLE_Z + 0.008]],
        supports=[-1, 0],
    )
    spec = SkillSpec(Skill.PICK, world.index("bowl"))
    for _ in range(20):
        world.step(expert_action(world, spec))
    assert Holding("bowl")(world)
    assert In("spoon", "bowl")(world)
    assert world.positions[1, 2] > world.positions[0, 2]


def test_blocks_stack():
    objects = [make_instance("red", "block", color_name="red"), make_instance("blue", "block", color_name="blue")]
    world = TabletopWorld(objects, np.array([[0.2, 0.0, TABLE_Z], [0.35, 0.1, TABLE_Z]]))
    world.attach(0)
    spec = SkillSpec(Skill.PLACE, 1)
    for _ in range(20):
        world.step(expert_action(world, spec))
    assert On("red", "blue")(world)
    assert world.positions[0, 2] == pytest.approx(world.top_z(1))


def test_sampled_layouts_do_not_overlap():
    rng = np.random.default_rng(0)
    objects = [make_instance(n, n) for n in ("pot", "basket", "plate", "cup", "apple")]
    for _ in range(20):
        world = sample_world(rng, objects)
        for i in range(len(objects)):
            for j in range(i):
                gap = np.hypot(*(world.positions[i, :2] - world.positions[j, :2]))
                assert gap >= objects[i].radius + objects[j].radius


def test_unknown_names_fail_loudly():
    world = _world(("cup", "cup"), positions=[[0.3, 0.0, TABLE_Z]])
    with pytest.raises(ValueError, match="no object 'mug'"):
        Holding("mug")(world)
    with pytest.raises(ValueError, match="unknown object category"):
        make_instance("x", "unicorn")
