"""The third-person camera through real OpenCV, with a video file as the device (no camera here).

A file is read as fast as OpenCV can decode it and then ends, which is exactly how an unplugged or hung
camera looks to the grabber: ``read`` fails from then on.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from support.ros_node import wait_until
from widowx_driver.camera import OpenCvCamera

WIDTH, HEIGHT = 640, 480


def write_video(path, frames: int = 10) -> str:
    """A short MJPG file of red frames (BGR (0, 0, 255)) at the size of a typical USB camera."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (WIDTH, HEIGHT))
    assert writer.isOpened(), "OpenCV cannot write MJPG here"
    for _ in range(frames):
        writer.write(np.full((HEIGHT, WIDTH, 3), (0, 0, 255), np.uint8))
    writer.release()
    return str(path)


def test_frames_come_resized_and_in_rgb_order(tmp_path):
    camera = OpenCvCamera(write_video(tmp_path / "red.avi", frames=300), 256, 256, max_frame_age=60.0)
    camera.open()
    try:
        frame = camera.latest()
        assert frame.shape == (256, 256, 3) and frame.dtype == np.uint8
        red, green, blue = frame.reshape(-1, 3).mean(axis=0)
        assert red > 200 and green < 50 and blue < 50, (red, green, blue)
        assert camera.problem() is None
    finally:
        camera.close()


def test_a_camera_that_stops_giving_frames_is_never_served_stale(tmp_path):
    camera = OpenCvCamera(write_video(tmp_path / "short.avi"), 256, 256, max_frame_age=0.3)
    camera.open()
    try:
        wait_until(lambda: camera.latest() is None, 10.0, "the last frame to expire")
        assert "has given no frame for" in camera.problem() and "short.avi" in camera.problem()
    finally:
        camera.close()


def test_a_device_that_does_not_open_is_named(tmp_path):
    with pytest.raises(RuntimeError, match="no_such_camera"):
        OpenCvCamera(str(tmp_path / "no_such_camera"), 256, 256).open()
