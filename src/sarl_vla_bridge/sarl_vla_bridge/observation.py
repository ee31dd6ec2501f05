"""openpi observation dicts from raw camera, arm-state and scene data (no ROS types).

Which keys, cameras, image size and state layout a query carries is the
chosen :class:`~.profiles.PolicyProfile`'s business; this module turns raw
buffers into arrays and assembles the dict: one uint8 (S, S, 3) RGB image per
profile key (resized with openpi-client's own ``resize_with_pad``, as
openpi's reference robot loops do), the profile's float32 state entries,
``prompt`` str, and — simulator only — ``observation/scene`` float32, the
privileged object layout.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from openpi_client import image_tools

from .profiles import Camera, PolicyProfile, RobotSnapshot

SCENE_KEY = "observation/scene"
PROMPT_KEY = "prompt"

_CHANNELS = {"rgb8": 3, "bgr8": 3, "rgba8": 4, "bgra8": 4, "mono8": 1}


def image_from_buffer(data: bytes | Sequence[int], height: int, width: int, step: int, encoding: str) -> np.ndarray:
    """(height, width, 3) uint8 RGB from a raw image buffer (row stride ``step`` bytes).

    Supports the encodings a camera driver commonly publishes: rgb8, bgr8, rgba8, bgra8, mono8.
    """
    channels = _CHANNELS.get(encoding)
    if channels is None:
        raise ValueError(f"image encoding {encoding!r} is not supported; use one of {sorted(_CHANNELS)}")
    if height <= 0 or width <= 0:
        raise ValueError(f"image must be non-empty, got {height}x{width}")
    if step < width * channels:
        raise ValueError(f"image step {step} is smaller than width*channels = {width * channels}")
    buffer = np.frombuffer(data, dtype=np.uint8)
    if buffer.size < step * height:
        raise ValueError(f"image buffer holds {buffer.size} bytes, expected step*height = {step * height}")
    rows = buffer[: step * height].reshape(height, step)[:, : width * channels]
    pixels = rows.reshape(height, width, channels)
    if encoding == "mono8":
        return np.repeat(pixels, 3, axis=2)
    if encoding.startswith("bgr"):
        pixels = pixels[:, :, 2::-1]
    return np.ascontiguousarray(pixels[:, :, :3])


def resize_image(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` as uint8 (size, size, 3): aspect kept, padded with black (openpi's resize_with_pad)."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must have shape (height, width, 3), got {array.shape}")
    array = image_tools.convert_to_uint8(array)
    if array.dtype != np.uint8:
        raise ValueError(f"image must be uint8 or float in [0, 1], got dtype {array.dtype}")
    return np.ascontiguousarray(image_tools.resize_with_pad(array, size, size))


def scene_array(data: Sequence[float], dims: Sequence[int]) -> np.ndarray:
    """float32 scene array shaped by a multi-array layout (``dims`` sizes; flat when empty)."""
    array = np.asarray(data, dtype=np.float32)
    if dims:
        expected = int(np.prod(dims))
        if array.size != expected:
            raise ValueError(f"scene holds {array.size} values but its layout says {list(dims)} = {expected}")
        array = array.reshape(tuple(int(d) for d in dims))
    return array


def build_observation(
    profile: PolicyProfile, snapshot: RobotSnapshot, prompt: str, scene: np.ndarray | None = None, image_size: int = 0
) -> dict[str, object]:
    """The openpi observation dict of ``profile``; ``scene`` only when given (the real robot has none).

    ``image_size`` overrides the profile's image side (0 = the profile's).
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    size = image_size or profile.image_size
    observation: dict[str, object] = {}
    for key, camera in profile.images:
        image = snapshot.images.get(camera)
        if image is None:
            topic = "camera/wrist/image_raw" if camera is Camera.WRIST else "camera/image_raw"
            raise ValueError(f"profile {profile.name!r} needs the {camera.value} camera ({topic}) for {key!r}")
        observation[key] = resize_image(image, size)
    observation.update(profile.state(snapshot))
    observation[PROMPT_KEY] = prompt
    if scene is not None:
        observation[SCENE_KEY] = np.asarray(scene, dtype=np.float32)
    return observation


HOME_POSE = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0])
"""[m, rad] a reachable WidowX pose for probe observations."""


def probe_observation(
    profile: PolicyProfile, prompt: str, scene: np.ndarray | None = None, image_size: int = 0
) -> dict[str, object]:
    """A well-formed observation of ``profile`` with black images and a home state (``sarl doctor``'s probe)."""
    images = {camera: np.zeros((256, 256, 3), dtype=np.uint8) for camera in profile.cameras}
    joints = np.zeros(profile.joint_count) if profile.joint_count else None
    return build_observation(profile, RobotSnapshot(images, HOME_POSE, 1.0, joints), prompt, scene, image_size)
