"""Stand-ins for served checkpoints: each applies one profile's openpi input contract and answers its action shape.

The input checks mirror the transforms a real openpi server runs before the
model (openpi commit 15a9616a00943ada6c20a0f158e3adb39df2ccac):

* ``libero`` — ``src/openpi/policies/libero_policy.py`` ``LiberoInputs`` reads
  ``observation/image``, ``observation/wrist_image`` (uint8 HWC; the client
  ``examples/libero/main.py`` sends 224x224 after ``resize_with_pad``) and
  ``observation/state`` (8,) = eef pos, axis-angle, 2 finger qpos;
  ``LiberoOutputs`` returns ``actions[..., :7]`` with ``pi05_libero``'s
  ``action_horizon=10`` (``src/openpi/training/config.py``).
* ``joint_position`` — DROID's keys from ``droid_policy.py`` ``DroidInputs``:
  ``observation/exterior_image_1_left``, ``observation/wrist_image_left``,
  ``observation/joint_position``, ``observation/gripper_position`` (1,), which
  it concatenates into the state; 6 joints + gripper for the WidowX, so 7 action
  columns (``DroidOutputs`` slices to the dataset's action dim).
* ``bridge_ee_delta`` — the contract docs/vla_checkpoints.md tells a WidowX
  fine-tune's ``Inputs`` transform to accept: ``observation/image`` (224, 224, 3)
  uint8, ``observation/state`` (7,) float32, ``prompt``; output (H, 7).

A missing key raises ``KeyError`` exactly where openpi's transform would
(``data[key]``), so the server sends the traceback back as openpi does. Shapes
and dtypes are asserted strictly (openpi would accept some of them silently
and feed the model nonsense, e.g. a 7-D state into an 8-D model's norm stats).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

IMAGE = (224, 224, 3)


def _image(data: dict, key: str) -> np.ndarray:
    image = data[key]
    if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == IMAGE):
        raise ValueError(f"{key} must be uint8 {IMAGE}, got {getattr(image, 'dtype', type(image))} "
                         f"{getattr(image, 'shape', '')}")  # fmt: skip
    return image


def _vector(data: dict, key: str, size: int) -> np.ndarray:
    value = data[key]
    if not (isinstance(value, np.ndarray) and value.dtype == np.float32 and value.shape == (size,)):
        raise ValueError(f"{key} must be float32 ({size},), got {getattr(value, 'dtype', type(value))} "
                         f"{getattr(value, 'shape', '')}")  # fmt: skip
    return value


def _prompt(data: dict) -> str:
    prompt = data["prompt"]
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty str, got {prompt!r}")
    return prompt


def bridge_ee_delta_inputs(data: dict) -> dict:
    return {"images": [_image(data, "observation/image")], "state": _vector(data, "observation/state", 7),
            "prompt": _prompt(data)}  # fmt: skip


def libero_inputs(data: dict) -> dict:
    images = [_image(data, "observation/image"), _image(data, "observation/wrist_image")]
    return {"images": images, "state": _vector(data, "observation/state", 8), "prompt": _prompt(data)}


def joint_position_inputs(data: dict) -> dict:
    gripper = _vector(data, "observation/gripper_position", 1)
    state = np.concatenate([_vector(data, "observation/joint_position", 6), gripper])
    images = [_image(data, "observation/exterior_image_1_left"), _image(data, "observation/wrist_image_left")]
    return {"images": images, "state": state, "prompt": _prompt(data)}


INPUTS = {"bridge_ee_delta": bridge_ee_delta_inputs, "libero": libero_inputs, "joint_position": joint_position_inputs}


@dataclass
class ContractPolicy:
    """Applies ``inputs`` to every observation (raising as openpi would) and answers ``chunk``."""

    inputs: object
    chunk: np.ndarray
    seen: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, data: dict) -> dict:
        parsed = self.inputs(data)
        with self.lock:
            self.seen.append({"raw": data, "parsed": parsed})
        return {"actions": self.chunk.copy()}


def bridge_ee_delta_chunk() -> np.ndarray:
    """(10, 7): +x 1 cm and +yaw 0.05 rad per step, gripper 0 (close)."""
    rows = np.zeros((10, 7), dtype=np.float32)
    rows[:, 0], rows[:, 5], rows[:, 6] = 0.01, 0.05, 0.0
    return rows


def libero_chunk() -> np.ndarray:
    """(10, 7) as LiberoOutputs returns: -y at 0.2 of full scale (1 cm), +pitch 0.1 (0.05 rad), gripper +1 (close)."""
    rows = np.zeros((10, 7), dtype=np.float32)
    rows[:, 1], rows[:, 4], rows[:, 6] = -0.2, 0.1, 1.0
    return rows


def joint_position_chunk(current: np.ndarray) -> np.ndarray:
    """(15, 7): waist +0.02 rad per row from ``current``, other joints held, gripper 0 (DROID: open)."""
    rows = np.tile(np.append(np.asarray(current, dtype=np.float32), 0.0), (15, 1)).astype(np.float32)
    rows[:, 0] += 0.02 * np.arange(1, 16, dtype=np.float32)
    return rows
