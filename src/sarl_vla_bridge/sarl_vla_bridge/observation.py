"""openpi observation dicts from raw camera, arm-state and scene data (no ROS types).

The keys and shapes are the contract with the policy server (π0.5 under
openpi, or the simulator's stand-in VLA): ``observation/image`` uint8
(256, 256, 3) RGB, ``observation/state`` float32 (7,) = [x, y, z, roll,
pitch, yaw, gripper], ``prompt`` str, and — simulator only —
``observation/scene`` float32, the privileged object layout.

Images are resized with openpi-client's own ``resize_with_pad`` so the bridge
feeds the model exactly what openpi's reference robot loops feed it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from openpi_client import image_tools

IMAGE_KEY = "observation/image"
STATE_KEY = "observation/state"
SCENE_KEY = "observation/scene"
PROMPT_KEY = "prompt"
IMAGE_SIZE = (256, 256)
"""(height, width) the policy server expects."""
STATE_DIM = 7

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


def resize_image(image: np.ndarray) -> np.ndarray:
    """``image`` as uint8 (256, 256, 3): aspect kept, padded with black (openpi's resize_with_pad)."""
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"image must have shape (height, width, 3), got {array.shape}")
    array = image_tools.convert_to_uint8(array)
    if array.dtype != np.uint8:
        raise ValueError(f"image must be uint8 or float in [0, 1], got dtype {array.dtype}")
    return np.ascontiguousarray(image_tools.resize_with_pad(array, *IMAGE_SIZE))


def state_vector(x: float, y: float, z: float, roll: float, pitch: float, yaw: float, gripper: float) -> np.ndarray:
    """float32 (7,) proprioception in the order the policy was trained on."""
    state = np.array([x, y, z, roll, pitch, yaw, gripper], dtype=np.float32)
    if not np.all(np.isfinite(state)):
        raise ValueError(f"arm state must be finite, got {state.tolist()}")
    return state


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
    image: np.ndarray, state: np.ndarray, prompt: str, scene: np.ndarray | None = None
) -> dict[str, object]:
    """The openpi observation dict; ``scene`` only when given (the real robot has none)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt must be a non-empty string")
    state = np.asarray(state, dtype=np.float32)
    if state.shape != (STATE_DIM,):
        raise ValueError(f"state must have shape ({STATE_DIM},), got {state.shape}")
    observation: dict[str, object] = {
        IMAGE_KEY: resize_image(image),
        STATE_KEY: state,
        PROMPT_KEY: prompt,
    }
    if scene is not None:
        observation[SCENE_KEY] = np.asarray(scene, dtype=np.float32)
    return observation
