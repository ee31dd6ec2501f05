"""Driver parameters: defaults are valid, per-backend rates, and errors name the key."""

import pytest
from widowx_driver.driver_config import DriverConfig


def test_defaults_are_valid_and_match_the_bridge_box():
    config = DriverConfig.from_parameters(DriverConfig.defaults())
    assert config.backend == "sim"
    assert config.sim_world == "kinematic"  # the graph tests and make demo run on it until the physics world has sim/*
    assert config.workspace_min == (0.10, -0.15, -0.10)
    assert config.workspace_max == (0.45, 0.25, 0.18)


@pytest.mark.parametrize("backend,rate", [("sim", 20.0), ("interbotix", 5.0)])
def test_zero_control_rate_means_the_backend_default(backend, rate):
    assert DriverConfig(backend=backend).rate_hz == rate
    assert DriverConfig(backend=backend, control_rate_hz=7.0).rate_hz == 7.0


def test_integers_widen_to_floats():
    config = DriverConfig.from_parameters({"control_rate_hz": 20, "workspace_min": [0, -0.15, -0.1]})
    assert config.control_rate_hz == 20.0 and isinstance(config.control_rate_hz, float)


@pytest.mark.parametrize(
    "values,key",
    [
        ({"backend": "ros"}, "backend"),
        ({"watchdog_timeout": 0.0}, "watchdog_timeout"),
        ({"control_rate_hz": -1.0}, "control_rate_hz"),
        ({"control_rate_hz": "fast"}, "control_rate_hz"),
        ({"image_width": 0}, "image_width"),
        ({"image_height": 2.5}, "image_height"),
        ({"seed": -3}, "seed"),
        ({"autostart": "yes"}, "autostart"),
        ({"workspace_max": [0.45, 0.25]}, "workspace_max"),
        ({"workspace_min": [0.1, "a", 0.0]}, r"workspace_min\[1\]"),
        ({"max_rotation_step": 0.0}, "max_rotation_step"),
        ({"max_joint_step": 0.0}, "max_joint_step"),
        ({"max_joint_step": 4.0}, "max_joint_step"),
        ({"task_name": ""}, "task_name"),
        ({"no_such_key": 1}, "no_such_key"),
        ({"command_max_age": 0.0}, "command_max_age"),
        ({"command_max_future": -0.1}, "command_max_future"),
        ({"command_sources": "vla,robot"}, "command_sources"),
        ({"command_sources": " , "}, "command_sources"),
        ({"command_queue_depth": 0}, "command_queue_depth"),
        ({"frame_id": ""}, "frame_id"),
        ({"sim_world": "mujoco"}, "sim_world"),
        ({"sim_world": "physics", "backend": "interbotix"}, "sim_world"),
    ],
)
def test_invalid_values_are_refused_naming_the_key(values, key):
    with pytest.raises((ValueError, TypeError), match=key):
        DriverConfig.from_parameters(values)


def test_command_sources_name_the_message_constants():
    from sarl_interfaces.msg import ArmCommand
    from widowx_driver.driver_config import COMMAND_SOURCES

    assert COMMAND_SOURCES == {"vla": ArmCommand.SOURCE_VLA, "reset": ArmCommand.SOURCE_RESET,
                               "operator": ArmCommand.SOURCE_OPERATOR}  # fmt: skip
    assert DriverConfig(command_sources="vla, reset").admission.sources == {1, 2}


def test_sim_world_picks_the_world_the_sim_backend_drives():
    from widowx_driver.backend_factory import make_backend
    from widowx_driver.physics_sim_backend import PhysicsSimBackend
    from widowx_driver.sim_backend import SimBackend

    assert isinstance(make_backend(DriverConfig()), SimBackend)
    assert isinstance(make_backend(DriverConfig(sim_world="physics")), PhysicsSimBackend)
    with pytest.raises(ValueError, match=r"sim_world must be one of \('kinematic', 'physics'\), got 'mujoco'"):
        DriverConfig(sim_world="mujoco")


def test_without_a_usable_opengl_the_physics_world_fails_naming_mujoco_gl():
    import os
    import subprocess
    import sys

    build = ("from widowx_driver.backend_factory import make_backend; from widowx_driver.driver_config import "
             "DriverConfig; make_backend(DriverConfig(sim_world='physics'))")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", build], env={**os.environ, "MUJOCO_GL": "no_such_gl"},
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert "BackendError: sim_world 'physics' cannot load MuJoCo with MUJOCO_GL='no_such_gl'" in result.stderr
    assert "libegl1" in result.stderr
