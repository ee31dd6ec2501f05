"""The ``observation/scene`` array: the stand-in VLA's privileged view of the table.

Why it exists, honestly: a real VLA such as pi0.5 reads where things are from
the camera image. The stand-in VLA is a small network trained in minutes, so
instead of learning vision it reads the object layout directly from the
simulator — one row per object — which the simulator-side driver adds to the
openpi observation next to ``observation/image``. Everything *language* still
goes through the learned network; only perception is privileged.

Row layout (float32), one row per object, in :data:`SCENE_COLUMNS` order:
``category`` (index into :data:`sarl_sim.objects.CATEGORIES`), ``red, green,
blue`` (0..1), ``radius, height`` (m), ``x, y, z`` (base centre, m, robot base
frame), ``held`` (1 if between the fingers), ``support`` (row index of what it
rests in/on, -1 for the table).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sarl_sim.objects import CATEGORIES, ObjectInstance, category_index
from sarl_sim.world import TabletopWorld

SCENE_KEY = "observation/scene"
"""Observation key of the scene array in openpi-style observation dicts."""

SCENE_COLUMNS: tuple[str, ...] = (
    "category",
    "red",
    "green",
    "blue",
    "radius",
    "height",
    "x",
    "y",
    "z",
    "held",
    "support",
)
"""Column names of a scene row."""

SCENE_DIM = len(SCENE_COLUMNS)
MAX_OBJECTS = 10
"""Largest number of objects a scene may hold (the policy pads to this in training)."""


@lru_cache(maxsize=256)
def _static_columns(objects: tuple[ObjectInstance, ...]) -> np.ndarray:
    """Columns that never change within an episode (category, colour, size), memoised per object set."""
    static = np.empty((len(objects), 6), dtype=np.float32)
    for i, obj in enumerate(objects):
        static[i, 0] = category_index(obj.category)
        static[i, 1:4] = np.asarray(obj.color, dtype=np.float32) / 255.0
        static[i, 4] = obj.radius
        static[i, 5] = obj.height
    static.setflags(write=False)
    return static


def encode_scene(world: TabletopWorld) -> np.ndarray:
    """Scene array of shape ``(num_objects, SCENE_DIM)`` for ``world``."""
    n = len(world.objects)
    scene = np.empty((n, SCENE_DIM), dtype=np.float32)
    scene[:, :6] = _static_columns(world.objects)
    scene[:, 6:9] = world.positions
    scene[:, 9] = 0.0
    if world.held >= 0:
        scene[world.held, 9] = 1.0
    scene[:, 10] = world.supports
    return scene


def validate_scene(scene: object) -> np.ndarray:
    """Return ``scene`` as a float32 array, or raise ValueError saying what is wrong."""
    array = np.asarray(scene, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != SCENE_DIM:
        raise ValueError(f"{SCENE_KEY} must have shape (num_objects, {SCENE_DIM}), got {array.shape}")
    if not 1 <= array.shape[0] <= MAX_OBJECTS:
        raise ValueError(f"{SCENE_KEY} must hold 1..{MAX_OBJECTS} objects, got {array.shape[0]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{SCENE_KEY} must be finite")
    categories = array[:, 0]
    if np.any(categories < 0) or np.any(categories >= len(CATEGORIES)) or np.any(categories != np.round(categories)):
        raise ValueError(f"{SCENE_KEY} column 'category' must hold integers in [0, {len(CATEGORIES)})")
    return array
