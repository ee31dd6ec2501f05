"""SemanticEnv contract: reset, candidates, execute, reset-to-home (PID), render, success."""

import numpy as np
import pytest

import reset_controller.pid
import sarl_sim.semantic_env as semantic_env
from sarl_sim.prompts import RESET_TO_HOME
from sarl_sim.semantic_env import EnvConfig, SemanticEnv, StepResult
from sarl_sim.world import HOME_STATE


@pytest.fixture(scope="module")
def env():
    return SemanticEnv("hammer_plate_mushroom")


def test_must_reset_before_use():
    fresh = SemanticEnv("pot_lid_to_towel")
    with pytest.raises(RuntimeError, match="reset"):
        fresh.execute("pick up the lid")


def test_reset_is_seeded_and_starts_at_home(env):
    env.reset(7)
    first = env.world.positions.copy()
    np.testing.assert_allclose(env.state(), HOME_STATE)
    env.execute("pick up the hammer")
    env.reset(7)
    np.testing.assert_allclose(env.world.positions, first)
    assert env.task.name == "hammer_plate_mushroom"
    assert RESET_TO_HOME in env.candidates()


def test_execute_runs_the_vla_for_max_steps_and_reports(env):
    env.reset(3)
    result = env.execute("pick up the hammer", max_steps=20)
    assert isinstance(result, StepResult)
    assert result.steps == 20 and result.holding == "hammer" and not result.success
    assert result.state.shape == (7,)
    short = env.execute("open the gripper", max_steps=3)
    assert short.steps == 3
    with pytest.raises(ValueError, match="max_steps"):
        env.execute("open the gripper", max_steps=0)


def test_reset_to_home_uses_the_pid_law_and_keeps_the_held_object(env, monkeypatch):
    calls = []
    original = reset_controller.pid.PidController.update

    def spy(self, error, dt):
        calls.append(dt)
        return original(self, error, dt)

    monkeypatch.setattr(reset_controller.pid.PidController, "update", spy)
    env.reset(4)
    env.execute("pick up the hammer")
    assert env.world.held >= 0
    result = env.execute(RESET_TO_HOME)
    assert result.reached_home is True and result.holding == "hammer"
    assert np.linalg.norm(env.state()[:3] - HOME_STATE[:3]) <= EnvConfig().homing.tolerance
    assert calls and all(dt == pytest.approx(0.2) for dt in calls)
    assert result.steps == len(calls)


def test_reset_to_home_opens_an_empty_gripper(env):
    env.reset(5)
    env.execute("close the gripper", max_steps=4)
    assert env.state()[6] < 0.5
    result = env.reset_to_home()
    assert result.reached_home and env.state()[6] == pytest.approx(1.0)


def test_rendering_is_only_done_when_asked(env, monkeypatch):
    def forbidden(world):
        raise AssertionError("render called on the fast path")

    monkeypatch.setattr(semantic_env, "render", forbidden)
    env.reset(1)
    env.execute("pick up the hammer")
    env.execute(RESET_TO_HOME)
    env.observation("pick up the hammer", with_image=False)


def test_render_is_a_256_rgb_image_that_shows_motion(env):
    env.reset(2)
    before = env.render()
    assert before.shape == (256, 256, 3) and before.dtype == np.uint8
    env.execute("pick up the hammer")
    after = env.render()
    assert np.abs(after.astype(int) - before.astype(int)).sum() > 1000


def test_home_pose_agrees_with_the_reset_controller():
    np.testing.assert_allclose(EnvConfig().homing.home_pose, HOME_STATE[:6])


def test_config_is_validated():
    with pytest.raises(ValueError, match="replan_steps"):
        EnvConfig(replan_steps=0)
    with pytest.raises(ValueError, match="action horizon"):
        SemanticEnv("pot_lid_to_towel", config=EnvConfig(replan_steps=99))
