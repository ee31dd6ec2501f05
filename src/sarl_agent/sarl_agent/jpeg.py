"""RGB frames <-> compressed images, one codec for the agent's live messages and its bags.

One place so that a frame the agent publishes, the recorder stores and ``replay`` reads back is encoded at
the same quality and in the same colour order (OpenCV works in BGR, every frame in sarl_agent is RGB).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

JPEG_QUALITY = 90


def encode_jpeg(image: np.ndarray) -> bytes:
    """(H, W, 3) uint8 RGB -> JPEG bytes."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError(f"JPEG encoding failed for an image of shape {image.shape}")
    return data.tobytes()


def decode_image(image_msg: Any) -> np.ndarray | None:
    """CompressedImage (jpeg/png; rclpy or rosbags, only ``data`` and ``format`` are read) -> RGB, None when empty."""
    if not len(image_msg.data):
        return None
    data = np.frombuffer(memoryview(image_msg.data), dtype=np.uint8)
    frame = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if frame is None:
        raise ValueError(f"cannot decode a {image_msg.format!r} image of {data.size} bytes")
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
