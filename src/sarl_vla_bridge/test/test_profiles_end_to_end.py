"""Each shipped profile end to end: bridge node ↔ an openpi-protocol server applying that profile's input contract.

The server (``sarl_sim.policy_server.PolicyServer``, byte-compatible with
openpi's ``WebsocketPolicyServer``) runs a :mod:`contract_policies` stand-in
that checks keys, shapes, dtypes and image sizes as the checkpoint's openpi
transforms would and answers the profile's action shape. The fake driver
confirms commands like the real one; the test checks what reached it:
direction, magnitude and gripper, per profile. Then the mismatches a user
hits with the wrong profile: each fails the goal with a message naming the
profile, what was expected and what was received.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bridge_harness import Bridge, ConfirmingDriver
from contract_policies import (
    INPUTS,
    ContractPolicy,
    bridge_ee_delta_chunk,
    joint_position_chunk,
    libero_chunk,
)
from sarl_interfaces.action import ExecutePrompt
from sarl_sim.policy_server import PolicyServer
from sarl_vla_bridge.state_math import euler_to_axis_angle

COMPLETED = ExecutePrompt.Result.OUTCOME_COMPLETED
POLICY_ERROR = ExecutePrompt.Result.OUTCOME_POLICY_ERROR
_namespaces = itertools.count()


@pytest.fixture
def rig():
    """Factory: (server policy, bridge, driver) for a profile; everything stopped at teardown."""
    started: list = []

    def make(bridge_profile: str, policy: ContractPolicy, metadata: dict | None = None, **parameters):
        namespace = f"/profile{next(_namespaces)}"
        server = PolicyServer(policy, host="127.0.0.1", port=0, metadata=metadata or {})
        server.start()
        started.append(server)
        driver = ConfirmingDriver(namespace)
        started.append(driver)
        bridge = Bridge(namespace, policy_port=server.port, policy_profile=bridge_profile, inference_timeout=5.0,
                        connect_timeout=5.0, settle_timeout=2.0, **parameters)  # fmt: skip
        started.append(bridge)
        return bridge, driver

    yield make
    for thing in reversed(started):
        thing.close() if hasattr(thing, "close") else thing.stop()


def _assert_padded_224(image: np.ndarray, value: int) -> None:
    """A 240x320 frame resized-with-pad to 224: 168 picture rows between 28 black rows above and below."""
    assert image.dtype == np.uint8 and image.shape == (224, 224, 3)
    assert not image[:27].any() and not image[-27:].any()
    assert np.all(np.abs(image[40:184].astype(int) - value) <= 1)


def test_bridge_ee_delta_profile_drives_ee_deltas_at_its_rate(rig):
    policy = ContractPolicy(INPUTS["bridge_ee_delta"], bridge_ee_delta_chunk())
    _, driver = rig("bridge_ee_delta", policy, control_rate_hz=20.0)
    result = driver.run_goal("put the banana in the pot", max_steps=7)
    assert result.outcome == COMPLETED, result.message
    assert "not confirmed" not in result.message
    assert len(policy.seen) == 2  # 7 steps at the profile's 5 rows per query
    raw = policy.seen[0]["raw"]
    assert sorted(raw) == ["observation/image", "observation/state", "prompt"]
    _assert_padded_224(raw["observation/image"], 200)
    assert raw["observation/state"].tolist() == pytest.approx([*ConfirmingDriver.POSE, ConfirmingDriver.GRIPPER])
    commands = driver.arm_commands
    assert len(commands) == 7
    assert all(c.dx == pytest.approx(0.01) and c.dyaw == pytest.approx(0.05) and c.gripper == 0.0 for c in commands)
    assert all(c.dy == 0.0 and c.dz == 0.0 for c in commands)


def test_libero_profile_sends_two_cameras_and_an_8d_state_and_scales_its_actions(rig):
    policy = ContractPolicy(INPUTS["libero"], libero_chunk())
    _, driver = rig("libero", policy)
    result = driver.run_goal("put the banana in the pot", max_steps=6)
    assert result.outcome == COMPLETED, result.message
    raw = policy.seen[0]["raw"]
    assert sorted(raw) == ["observation/image", "observation/state", "observation/wrist_image", "prompt"]
    _assert_padded_224(raw["observation/image"], 200)
    wrist = raw["observation/wrist_image"]
    assert wrist.shape == (224, 224, 3) and np.all(wrist[40:184] == 90)  # bgr8 grey stays grey
    half = 0.04 * ConfirmingDriver.GRIPPER
    expected = [*ConfirmingDriver.POSE[:3], *euler_to_axis_angle(*ConfirmingDriver.POSE[3:]), half, -half]
    assert raw["observation/state"].tolist() == pytest.approx(expected, abs=1e-6)
    assert len(policy.seen) == 2 and len(driver.arm_commands) == 6
    for c in driver.arm_commands:  # -0.2 of 0.05 m, 0.1 of 0.5 rad, +1 = close
        assert (c.dx, c.dy, c.dz) == pytest.approx((0.0, -0.01, 0.0), abs=1e-7)
        assert (c.droll, c.dpitch, c.dyaw) == pytest.approx((0.0, 0.05, 0.0), abs=1e-7)
        assert c.gripper == 0.0


def test_joint_position_profile_sends_droid_keys_and_commands_joint_targets(rig):
    policy = ContractPolicy(INPUTS["joint_position"], joint_position_chunk(np.array(ConfirmingDriver.JOINTS)))
    _, driver = rig("joint_position", policy)
    result = driver.run_goal("put the banana in the pot", max_steps=10)
    assert result.outcome == COMPLETED, result.message
    raw = policy.seen[0]["raw"]
    assert sorted(raw) == ["observation/exterior_image_1_left", "observation/gripper_position",
                           "observation/joint_position", "observation/wrist_image_left", "prompt"]  # fmt: skip
    _assert_padded_224(raw["observation/exterior_image_1_left"], 200)
    assert raw["observation/joint_position"].tolist() == pytest.approx(ConfirmingDriver.JOINTS)
    assert raw["observation/gripper_position"].tolist() == pytest.approx([1.0 - ConfirmingDriver.GRIPPER])
    assert len(policy.seen) == 2 and not driver.arm_commands  # 8 rows per query, then a fresh one
    rows = [list(c.position) for c in driver.joint_commands]
    assert [c.name[-1] for c in driver.joint_commands] == ["gripper"] * 10
    waist = [row[0] for row in rows]
    expected = [ConfirmingDriver.JOINTS[0] + 0.02 * i for i in [*range(1, 9), 1, 2]]
    assert waist == pytest.approx(expected, abs=1e-6)
    assert all(row[1:6] == pytest.approx(ConfirmingDriver.JOINTS[1:]) for row in rows)
    assert all(row[6] == 1.0 for row in rows)  # DROID's 0 = open → opening 1


def test_the_wrong_profile_for_the_checkpoint_fails_naming_profile_and_missing_key(rig):
    policy = ContractPolicy(INPUTS["libero"], libero_chunk())
    _, driver = rig("bridge_ee_delta", policy)
    result = driver.run_goal("put the banana in the pot", max_steps=3)
    assert result.outcome == POLICY_ERROR and result.steps_executed == 0
    assert "KeyError" in result.message and "observation/wrist_image" in result.message
    assert "profile 'bridge_ee_delta' sends keys" in result.message and not driver.arm_commands


def test_an_action_shape_the_profile_cannot_use_fails_at_the_first_answer(rig):
    droid_like = np.zeros((15, 8), dtype=np.float32)  # pi05_droid: (15, 8) joint velocities + gripper
    _, driver = rig("libero", ContractPolicy(INPUTS["libero"], droid_like))
    result = driver.run_goal("put the banana in the pot", max_steps=3)
    assert result.outcome == POLICY_ERROR and result.steps_executed == 0
    assert "profile 'libero' expects actions of shape (H >= 1, 7)" in result.message
    assert "returned (15, 8)" in result.message and not driver.arm_commands


def test_server_metadata_that_contradicts_the_profile_fails_before_any_query(rig):
    policy = ContractPolicy(INPUTS["bridge_ee_delta"], bridge_ee_delta_chunk())
    _, driver = rig("bridge_ee_delta", policy, metadata={"action_dim": 8})
    result = driver.run_goal("put the banana in the pot", max_steps=3)
    assert result.outcome == POLICY_ERROR and not policy.seen
    assert "profile 'bridge_ee_delta'" in result.message and "action_dim 8" in result.message
