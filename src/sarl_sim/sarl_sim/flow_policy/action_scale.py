"""Delta commands <-> the unit scale the flow is trained in.

Why: flow matching starts from N(0, I) noise, so targets should span about [-1, 1]; raw commands are
up to 0.05 m, 0.25 rad (the driver's step limits) and a gripper target in [0, 1].
"""

from __future__ import annotations

import numpy as np

from sarl_sim.physics.expert import MAX_ROTATION_STEP, MAX_TRANSLATION_STEP

STEP_LIMITS = np.array([MAX_TRANSLATION_STEP] * 3 + [MAX_ROTATION_STEP] * 3, dtype=np.float32)


def to_unit(actions: np.ndarray) -> np.ndarray:
    """(..., 7) commands -> unit scale: deltas over the step limits, gripper 0..1 -> -1..1."""
    out = np.array(actions, dtype=np.float32, copy=True)
    out[..., :6] /= STEP_LIMITS
    out[..., 6] = 2.0 * out[..., 6] - 1.0
    return out


def from_unit(values: np.ndarray) -> np.ndarray:
    """Inverse of :func:`to_unit`, clipped to the step limits and the gripper's range."""
    out = np.array(values, dtype=np.float32, copy=True)
    out[..., :6] = np.clip(out[..., :6], -1.0, 1.0) * STEP_LIMITS
    out[..., 6] = np.clip((out[..., 6] + 1.0) / 2.0, 0.0, 1.0)
    return out
