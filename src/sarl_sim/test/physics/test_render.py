"""The two cameras render RGB frames that show different views and follow the arm."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.rendering import CameraRenderer


def test_frames_are_square_rgb_uint8(renderer: CameraRenderer) -> None:
    for camera in ("bridge", "wrist"):
        frame = renderer.render(camera)
        assert frame.shape == (96, 96, 3) and frame.dtype == np.uint8
        assert frame.std() > 10, f"{camera}: a blank picture"


def test_the_two_cameras_see_different_pictures(renderer: CameraRenderer) -> None:
    bridge, wrist = renderer.render("bridge").astype(int), renderer.render("wrist").astype(int)
    assert np.abs(bridge - wrist).mean() > 20


def test_the_picture_changes_when_the_arm_moves(renderer: CameraRenderer, controller: DeltaArmController) -> None:
    before = {camera: renderer.render(camera).astype(int) for camera in ("bridge", "wrist")}
    assert np.array_equal(renderer.render("bridge"), before["bridge"]), "rendering the same state must be stable"
    for _ in range(3):
        controller.apply(np.array([0.0, 0.05, 0.0, 0.0, 0.0, 0.0, 1.0]))
    for camera, image in before.items():
        changed = np.abs(renderer.render(camera).astype(int) - image).max(axis=2) > 30
        assert changed.mean() > 0.01, f"{camera}: only {changed.mean():.1%} of the pixels changed"


def test_unknown_cameras_and_sizes_are_refused(renderer: CameraRenderer, task_world) -> None:
    with pytest.raises(ValueError, match="unknown camera"):
        renderer.render("overhead")
    with pytest.raises(ValueError, match="size must be"):
        CameraRenderer(task_world, 512)
