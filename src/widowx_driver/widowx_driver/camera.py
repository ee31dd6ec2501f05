"""The real robot's third-person camera: an OpenCV capture device read in the background.

Why a grabber thread: ``VideoCapture.read`` blocks until the next frame and
drivers buffer old frames, so reading on demand from the control tick would
both stall the tick and hand out stale pictures. The thread keeps only the
newest frame; :meth:`OpenCvCamera.latest` never blocks.

Why frames expire: when a USB camera is unplugged or hangs, ``read`` fails
from then on and the newest frame stays the one from before. Handed out as
"latest", it would be published with a fresh stamp, the VLA would act on a
frozen picture and the bag would record it as what the robot saw. A frame
older than ``max_frame_age`` is therefore never handed out.
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np


def parse_device(device: str) -> int | str:
    """``"0"`` → camera index 0; anything else (``/dev/video2``, an RTSP URL) is passed as is."""
    device = device.strip()
    return int(device) if device.isdigit() else device


def fit_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """``frame`` resized to ``width`` x ``height`` (no copy when it already fits)."""
    if frame.shape[0] == height and frame.shape[1] == width:
        return frame
    return cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)


MAX_FRAME_AGE = 0.5
"""[s] a camera frame older than this is not handed out: 15 frames of a 30 fps camera, 2.5 control ticks at 5 Hz."""


class OpenCvCamera:
    """Latest RGB frame of an OpenCV device, resized to the configured size."""

    def __init__(self, device: str, width: int, height: int, open_timeout: float = 5.0,
                 max_frame_age: float = MAX_FRAME_AGE) -> None:  # fmt: skip
        self._device = device
        self._max_frame_age = max_frame_age
        self._frame_time = 0.0
        self._width, self._height = width, height
        self._open_timeout = open_timeout
        self._capture: cv2.VideoCapture | None = None
        self._frame: np.ndarray | None = None
        self._lock = threading.Lock()
        self._first_frame = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        """Open the device and wait (bounded) for a first frame; raise RuntimeError naming the device."""
        capture = cv2.VideoCapture(parse_device(self._device))
        if not capture.isOpened():
            raise RuntimeError(f"camera_device {self._device!r} could not be opened by OpenCV")
        self._capture = capture
        self._thread = threading.Thread(target=self._grab_loop, name="camera_grabber", daemon=True)
        self._thread.start()
        if not self._first_frame.wait(self._open_timeout):
            self.close()
            raise RuntimeError(f"camera_device {self._device!r} opened but gave no frame in {self._open_timeout} s")

    def latest(self) -> np.ndarray | None:
        """Newest frame (H, W, 3) RGB uint8; None before the first one and once it is older than max_frame_age."""
        with self._lock:
            if self._frame is None or time.monotonic() - self._frame_time > self._max_frame_age:
                return None
            return self._frame

    def problem(self) -> str | None:
        """Why :meth:`latest` has no frame (for the driver's log), None while frames are fresh."""
        with self._lock:
            if self._frame is None:
                return f"camera_device {self._device!r} has given no frame yet"
            age = time.monotonic() - self._frame_time
        if age <= self._max_frame_age:
            return None
        return (f"camera_device {self._device!r} has given no frame for {age:.1f} s (unplugged or hung?): "
                "no image is published until it does")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def _grab_loop(self) -> None:
        capture = self._capture
        while not self._stop.is_set() and capture is not None:
            ok, bgr = capture.read()
            if not ok or bgr is None:
                if self._stop.wait(0.05):
                    break
                continue
            rgb = fit_frame(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self._width, self._height)
            with self._lock:
                self._frame, self._frame_time = rgb, time.monotonic()
            self._first_frame.set()
