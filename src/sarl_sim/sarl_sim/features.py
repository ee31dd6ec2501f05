"""Network input features from proprioception and the scene array (batched numpy).

Why one module: the demo generator (training) and the stand-in VLA (inference)
must build exactly the same inputs; both call :func:`build_features`. Object
positions are given both absolute (so "left"/"right" can be learned) and
relative to the gripper (so reaching is easy), and the gripper's own absolute
pose is an input too — which is why skills learned from near the home pose
degrade when started far from it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from sarl_sim.objects import CATALOGUE, CATEGORIES, ObjectKind
from sarl_sim.world import TABLE_Z

NUM_CATEGORIES = len(CATEGORIES)
NUM_KINDS = len(ObjectKind)
OBJECT_FEATURES = NUM_CATEGORIES + 3 + 2 + NUM_KINDS + 3 + 4 + 1 + 3
"""Width of one object's feature row."""
GLOBAL_FEATURES = 8
"""Width of the proprioceptive feature vector."""

_CENTER = np.array([0.275, 0.05, TABLE_Z])
_SCALE = 0.1
_KIND_OF_CATEGORY = np.array([int(CATALOGUE[c].kind) for c in CATEGORIES])


class Features(NamedTuple):
    """Inputs of the policy network for a batch of observations."""

    objects: np.ndarray
    """(B, N, OBJECT_FEATURES) per-object rows."""
    mask: np.ndarray
    """(B, N) 1 for a real object, 0 for padding."""
    held: np.ndarray
    """(B, N) 1 for the object between the fingers."""
    proprio: np.ndarray
    """(B, GLOBAL_FEATURES) gripper pose, opening, and whether something is held."""


_CATEGORY_ONE_HOT = np.eye(NUM_CATEGORIES, dtype=np.float32)
_KIND_ONE_HOT = np.eye(NUM_KINDS, dtype=np.float32)[_KIND_OF_CATEGORY]
# Column offsets of the object feature row.
_COLOR = NUM_CATEGORIES
_SIZE = _COLOR + 3
_KIND = _SIZE + 2
_ABS = _KIND + NUM_KINDS
_REL = _ABS + 3
_DIST = _REL + 4
_FLAGS = _DIST + 1


def build_features(state: np.ndarray, scene: np.ndarray, mask: np.ndarray | None = None) -> Features:
    """Features of a batch: ``state`` (B, 7), ``scene`` (B, N, SCENE_DIM), ``mask`` (B, N)."""
    state = np.asarray(state, dtype=np.float32)
    scene = np.asarray(scene, dtype=np.float32)
    b, n, _ = scene.shape
    if mask is None:
        mask = np.ones((b, n), dtype=np.float32)
    category = scene[..., 0].astype(np.intp)
    height = scene[..., 5]
    pos = scene[..., 6:9]
    top = pos[..., 2] + height
    held = scene[..., 9] * mask
    ee = state[:, None, :3]
    rel = pos - ee
    parts = np.empty((b, n, OBJECT_FEATURES), dtype=np.float32)
    parts[..., :_COLOR] = _CATEGORY_ONE_HOT[category]
    parts[..., _COLOR:_SIZE] = scene[..., 1:4]
    parts[..., _SIZE:_KIND] = scene[..., 4:6] * (1.0 / _SCALE)
    parts[..., _KIND:_ABS] = _KIND_ONE_HOT[category]
    parts[..., _ABS : _ABS + 2] = (pos[..., :2] - _CENTER[:2]) * (1.0 / _SCALE)
    parts[..., _ABS + 2] = (top - _CENTER[2]) * (1.0 / _SCALE)
    parts[..., _REL : _REL + 2] = rel[..., :2] * (1.0 / _SCALE)
    parts[..., _REL + 2] = (top - ee[..., 2]) * (1.0 / _SCALE)
    parts[..., _REL + 3] = (rel[..., 2] + 0.5 * height) * (1.0 / _SCALE)
    parts[..., _DIST] = np.sqrt(rel[..., 0] ** 2 + rel[..., 1] ** 2) * (1.0 / _SCALE)
    support = scene[..., 10].astype(np.intp)
    parts[..., _FLAGS] = held
    parts[..., _FLAGS + 1] = support >= 0
    occupied = np.zeros((b, n), dtype=np.float32)
    rows, cols = np.nonzero((support >= 0) & (mask > 0))
    occupied[rows, support[rows, cols]] = 1.0
    parts[..., _FLAGS + 2] = occupied
    if b * n != mask.sum():
        parts *= mask[..., None]
    proprio = np.empty((b, GLOBAL_FEATURES), dtype=np.float32)
    proprio[:, :3] = (state[:, :3] - _CENTER) * (1.0 / _SCALE)
    proprio[:, 3:7] = state[:, 3:7]
    proprio[:, 7] = held.max(axis=1)
    return Features(parts, mask.astype(np.float32, copy=False), held, proprio)


_STATIC_WIDTH = _ABS
"""Columns [0, _ABS) depend only on what the objects are, not where they are."""


@lru_cache(maxsize=1024)
def _static_rows(static_bytes: bytes, n: int) -> np.ndarray:
    static = np.frombuffer(static_bytes, dtype=np.float32).reshape(n, 6)
    category = static[:, 0].astype(np.intp)
    rows = np.empty((n, _STATIC_WIDTH), dtype=np.float32)
    rows[:, :_COLOR] = _CATEGORY_ONE_HOT[category]
    rows[:, _COLOR:_SIZE] = static[:, 1:4]
    rows[:, _SIZE:_KIND] = static[:, 4:6] * (1.0 / _SCALE)
    rows[:, _KIND:_ABS] = _KIND_ONE_HOT[category]
    rows.setflags(write=False)
    return rows


def single_features(state: np.ndarray, scene: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fast path of :func:`build_features` for one observation: (objects (N, F), held (N,), proprio (G,)).

    Why: the semantic environment queries the policy tens of thousands of times
    per minute; the static columns (category, colour, size, kind) are memoised
    per object set and the rest is a handful of 2-D numpy operations.
    """
    scene = np.asarray(scene, dtype=np.float32)
    n = scene.shape[0]
    objects = np.empty((n, OBJECT_FEATURES), dtype=np.float32)
    objects[:, :_STATIC_WIDTH] = _static_rows(np.ascontiguousarray(scene[:, :6]).tobytes(), n)
    pos = scene[:, 6:9]
    height = scene[:, 5]
    top = pos[:, 2] + height
    ex, ey, ez = float(state[0]), float(state[1]), float(state[2])
    dx = pos[:, 0] - ex
    dy = pos[:, 1] - ey
    inv = 1.0 / _SCALE
    objects[:, _ABS] = (pos[:, 0] - _CENTER[0]) * inv
    objects[:, _ABS + 1] = (pos[:, 1] - _CENTER[1]) * inv
    objects[:, _ABS + 2] = (top - _CENTER[2]) * inv
    objects[:, _REL] = dx * inv
    objects[:, _REL + 1] = dy * inv
    objects[:, _REL + 2] = (top - ez) * inv
    objects[:, _REL + 3] = (pos[:, 2] + 0.5 * height - ez) * inv
    objects[:, _DIST] = np.sqrt(dx * dx + dy * dy) * inv
    held = scene[:, 9]
    support = scene[:, 10]
    objects[:, _FLAGS] = held
    objects[:, _FLAGS + 1] = support >= 0
    occupied = np.zeros(n, dtype=np.float32)
    occupied[support[support >= 0].astype(np.intp)] = 1.0
    objects[:, _FLAGS + 2] = occupied
    proprio = np.array(
        [(ex - _CENTER[0]) * inv, (ey - _CENTER[1]) * inv, (ez - _CENTER[2]) * inv, *state[3:7], held.max()],
        dtype=np.float32,
    )
    return objects, held, proprio
