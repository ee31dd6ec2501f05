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


def test_the_render_thread_serves_frames_to_any_calling_thread(task_world) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sarl_sim.physics.render_thread import RenderThread
    from sarl_sim.physics.rendering import RenderUnavailableError

    try:
        renderer = RenderThread(task_world, 64)
    except RenderUnavailableError as error:
        pytest.skip(str(error))
    try:
        here = renderer.render("bridge")
        with ThreadPoolExecutor(max_workers=2) as callers:  # a plain CameraRenderer fails here: EGL_BAD_ACCESS
            elsewhere = [f.result() for f in [callers.submit(renderer.render, "bridge") for _ in range(4)]]
        assert here.shape == (64, 64, 3) and here.std() > 10
        assert all(np.array_equal(frame, here) for frame in elsewhere)
    finally:
        renderer.close()
        renderer.close()
    with pytest.raises(RuntimeError, match="closed"):
        renderer.render("bridge")
