"""What the stand-in VLM sees of the table: a noisy, partial object detection.

Why this file draws the line: the simulator knows exactly what rests on what
and what the gripper holds (``world.supports``, ``world.held``), and the task
knows its goal predicates; a VLM looking at a camera image knows none of it.
:func:`detect` reads only what a detector could report from the image — each
object's category, colour word and size, and where it appears, with Gaussian
noise — plus where the gripper is and how far it is open (visible in the
image, and the robot's own proprioception besides). Objects go undetected at
the quality's ``miss_object`` rate.

Everything the VLM concludes about progress it concludes from that here:
:func:`looks_held` (an object hanging at the closed gripper) and
:func:`looks_on` (an object inside another's footprint). Those readings are
wrong whenever the noise says so, as a VLM's would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sarl_sim.world import TabletopWorld

from .vlm_grammar import Seen
from .vlm_quality import VlmQuality

HELD_DISTANCE = 0.05
"""[m] an object this close to the fingertips of a closed gripper looks held."""
BELOW = 0.02
"""[m] an object whose base appears this far below another's is under it, not in or on it."""
CLOSED_GRIPPER = 0.6
"""Gripper opening (0 closed .. 1 open) below which the gripper looks closed."""


@dataclass(frozen=True)
class Detection(Seen):
    """One detected object: :class:`~sarl_eval.vlm_grammar.Seen` plus its apparent position."""

    position: tuple[float, float, float]
    """[m] apparent base centre (x, y, z) in the robot base frame, noisy."""


@dataclass(frozen=True)
class View:
    """One look at the table."""

    objects: tuple[Detection, ...]
    gripper: tuple[float, float, float]
    """[m] fingertip position."""
    opening: float
    """Gripper opening, 0 closed .. 1 open."""


def detect(world: TabletopWorld, quality: VlmQuality, rng: np.random.Generator) -> View:
    """A noisy, partial view of ``world``; reads no support, held or goal information."""
    state = world.state()
    noise = quality.position_noise
    seen = []
    for obj, position in zip(world.objects, world.positions, strict=True):
        if rng.random() < quality.miss_object:
            continue
        xyz = np.asarray(position, dtype=float) + rng.normal(0.0, noise, 3)
        radius = max(0.005, obj.radius + rng.normal(0.0, noise / 2))
        seen.append(Detection(category=obj.category, color_name=obj.adjective, radius=float(radius),
                              y=float(xyz[1]), position=(float(xyz[0]), float(xyz[1]), float(xyz[2]))))
    return View(objects=tuple(seen), gripper=(float(state[0]), float(state[1]), float(state[2])),
                opening=float(state[6]))


def looks_held(view: View) -> int | None:
    """Index of the object that appears to hang in the closed gripper, None when none does."""
    if view.opening >= CLOSED_GRIPPER:
        return None
    gripper = np.asarray(view.gripper)
    distances = [float(np.linalg.norm(np.asarray(o.position) - gripper)) for o in view.objects]
    if not distances or min(distances) > HELD_DISTANCE:
        return None
    return int(np.argmin(distances))


def looks_on(objects: Sequence[Detection], i: int, j: int) -> bool:
    """Whether object ``i`` appears to rest in or on object ``j``: inside its footprint and not clearly
    below its base (a pot is not 'on' the lid that covers it)."""
    a, b = objects[i].position, objects[j].position
    return bool(np.hypot(a[0] - b[0], a[1] - b[1]) < objects[j].radius and a[2] > b[2] - BELOW)
