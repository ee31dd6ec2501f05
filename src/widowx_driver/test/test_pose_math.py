"""Pose conversions used by the real-arm backend: extrinsic x-y-z Euler <-> rotation matrix."""

import numpy as np
import pytest
from widowx_driver.pose_math import matrix_to_pose, matrix_to_rpy, pose_to_matrix, rpy_to_matrix


@pytest.mark.parametrize("seed", range(5))
def test_rpy_round_trips_through_the_matrix(seed):
    rng = np.random.default_rng(seed)
    rpy = rng.uniform([-np.pi, -1.5, -np.pi], [np.pi, 1.5, np.pi])
    np.testing.assert_allclose(matrix_to_rpy(rpy_to_matrix(*rpy)), rpy, atol=1e-9)


def test_convention_is_yaw_about_base_z_after_roll_about_base_x():
    # Extrinsic x-y-z: R = Rz(yaw) Ry(pitch) Rx(roll); a pure yaw of 90 deg maps base x onto base y.
    np.testing.assert_allclose(rpy_to_matrix(0.0, 0.0, np.pi / 2) @ [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(rpy_to_matrix(np.pi / 2, 0.0, 0.0) @ [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], atol=1e-12)


def test_gimbal_lock_gives_a_matrix_equivalent_answer():
    rotation = rpy_to_matrix(0.3, np.pi / 2, -0.2)
    np.testing.assert_allclose(rpy_to_matrix(*matrix_to_rpy(rotation)), rotation, atol=1e-9)


def test_pose_round_trips_through_the_homogeneous_transform():
    pose = np.array([0.3, -0.1, 0.05, 0.1, -0.2, 0.7])
    transform = pose_to_matrix(pose)
    np.testing.assert_allclose(transform[3], [0, 0, 0, 1])
    np.testing.assert_allclose(matrix_to_pose(transform), pose, atol=1e-12)
