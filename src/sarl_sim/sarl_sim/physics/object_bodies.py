"""Task objects as free rigid MuJoCo bodies built from primitive geoms.

Why its own module: the catalogue (``sarl_sim.objects``) says what an object is (kind, size, colour); this
module says how it is built so that it can be grasped and can hold things: containers have a floor and four
walls, a lid is a plate with a handle, a towel is a thin flat box, long things are bars, the hammer has a
head. Graspable parts are at most :data:`MAX_GRASP_WIDTH` wide so the wx250s fingers (2-46 mm) can close on
them. Plan-view shapes are square, not round (boxes collide cheaply and stably).
"""

from __future__ import annotations

from dataclasses import dataclass

from sarl_sim.objects import CONTAINER_FLOOR, ObjectInstance, ObjectKind

MAX_GRASP_WIDTH = 0.032
"""Widest part a grasp closes on (m), inside the 46 mm aperture with room to spare."""
WALL_THICKNESS = 0.005
"""Container wall thickness (m)."""
LID_THICKNESS = 0.006
"""Lid plate thickness (m)."""
HANDLE_HALF = (0.009, 0.009, 0.012)
"""Half sizes of a lid's handle knob (m)."""
MAX_BAR_HALF_LENGTH = 0.04
"""Half length of a long item (m): an 8 cm bar fits lying flat inside the smallest container."""
FOOTPRINT_SCALE = 0.8
"""Half side of a square container/surface relative to the catalogue radius (keeps corners near the circle)."""
OBJECT_CONTACT = 'contype="1" conaffinity="3" condim="4" friction="1.0 0.01 0.001"'
"""Objects touch each other, the table and the arm, with torsional friction."""

_MASS = {ObjectKind.ITEM: 0.08, ObjectKind.CONTAINER: 0.25, ObjectKind.SURFACE: 0.08, ObjectKind.LID: 0.10}
"""Total mass per kind (kg): light, as the Bridge toy-kitchen objects are."""


@dataclass(frozen=True)
class GraspSite:
    """Where the scripted expert grasps an object, in the object's body frame."""

    offset: tuple[float, float, float]
    """Grasp point relative to the body origin (the object's base centre) (m)."""
    across_y: bool
    """True when the fingers should close along the body's y axis (a bar lying along x)."""


def half_extent(obj: ObjectInstance) -> float:
    """Half side of the square footprint of a container, surface or lid (m)."""
    return FOOTPRINT_SCALE * obj.radius


def grasp_site(obj: ObjectInstance) -> GraspSite:
    """The grasp point of ``obj``: a lid's handle, a bar's middle, a box's centre, a container's front wall."""
    if obj.kind == ObjectKind.LID:
        return GraspSite((0.0, 0.0, LID_THICKNESS + HANDLE_HALF[2]), True)
    if obj.kind == ObjectKind.CONTAINER:
        return GraspSite((-half_extent(obj) + WALL_THICKNESS / 2, 0.0, obj.height * 0.7), False)
    if obj.kind == ObjectKind.SURFACE:
        return GraspSite((0.0, 0.0, obj.height / 2), True)
    if obj.category == "hammer":
        return GraspSite((-0.02, 0.0, _bar_half_height(obj)), True)
    return GraspSite((0.0, 0.0, min(obj.height / 2, 0.02)), True)


def _bar_half_height(obj: ObjectInstance) -> float:
    return min(obj.height / 2, 0.011) if obj.category == "hammer" else min(obj.height / 2, 0.014)


def _rgba(obj: ObjectInstance) -> str:
    r, g, b = obj.color
    return f"{r / 255:.3f} {g / 255:.3f} {b / 255:.3f} 1"


def _box(name: str, half: tuple[float, float, float], pos: tuple[float, float, float], mass: float, rgba: str) -> str:
    size = " ".join(f"{v:.5g}" for v in half)
    where = " ".join(f"{v:.5g}" for v in pos)
    return (
        f'<geom name="{name}" type="box" size="{size}" pos="{where}" mass="{mass:.4g}" rgba="{rgba}" {OBJECT_CONTACT}/>'
    )


def object_geoms(obj: ObjectInstance) -> list[str]:
    """The geoms of ``obj`` in its body frame (origin at the base centre, z up)."""
    mass, rgba, name = _MASS[obj.kind], _rgba(obj), obj.name
    if obj.kind == ObjectKind.CONTAINER:
        half, wall, floor = half_extent(obj), WALL_THICKNESS / 2, CONTAINER_FLOOR / 2
        wall_z = obj.height / 2
        return [
            _box(f"{name}/floor", (half, half, floor), (0, 0, floor), mass * 0.4, rgba),
            _box(f"{name}/wall_front", (wall, half, wall_z), (-half + wall, 0, wall_z), mass * 0.15, rgba),
            _box(f"{name}/wall_back", (wall, half, wall_z), (half - wall, 0, wall_z), mass * 0.15, rgba),
            _box(f"{name}/wall_left", (half - 2 * wall, wall, wall_z), (0, half - wall, wall_z), mass * 0.15, rgba),
            _box(f"{name}/wall_right", (half - 2 * wall, wall, wall_z), (0, -half + wall, wall_z), mass * 0.15, rgba),
        ]
    if obj.kind == ObjectKind.SURFACE:
        half = half_extent(obj) if obj.category != "towel" else obj.radius
        return [_box(f"{name}/top", (half, half, obj.height / 2), (0, 0, obj.height / 2), mass, rgba)]
    if obj.kind == ObjectKind.LID:
        plate = (half_extent(obj) + 0.004, half_extent(obj) + 0.004, LID_THICKNESS / 2)
        handle_z = LID_THICKNESS + HANDLE_HALF[2]
        return [
            _box(f"{name}/plate", plate, (0, 0, LID_THICKNESS / 2), mass * 0.8, rgba),
            _box(f"{name}/handle", HANDLE_HALF, (0, 0, handle_z), mass * 0.2, "0.1 0.1 0.1 1"),
        ]
    if obj.category == "hammer":
        handle_z = _bar_half_height(obj)
        return [
            _box(f"{name}/handle", (0.05, 0.010, handle_z), (-0.02, 0, handle_z), mass * 0.4, "0.55 0.4 0.25 1"),
            _box(f"{name}/head", (0.012, 0.03, obj.height / 2), (0.042, 0, obj.height / 2), mass * 0.6, rgba),
        ]
    half_width = min(FOOTPRINT_SCALE * obj.radius, MAX_GRASP_WIDTH / 2)
    if obj.spec.shape == "long":
        half_z, half_length = _bar_half_height(obj), min(1.6 * obj.radius, MAX_BAR_HALF_LENGTH)
        return [_box(f"{name}/bar", (half_length, 0.013, half_z), (0, 0, half_z), mass, rgba)]
    return [_box(f"{name}/body", (half_width, half_width, obj.height / 2), (0, 0, obj.height / 2), mass, rgba)]


def object_body_xml(obj: ObjectInstance, base: tuple[float, float, float], yaw: float = 0.0) -> str:
    """A free body named after ``obj`` with its base centre at ``base`` (m) and heading ``yaw`` (rad)."""
    x, y, z = base
    geoms = "\n    ".join(object_geoms(obj))
    return (
        f'<body name="{obj.name}" pos="{x:.5g} {y:.5g} {z + 0.0005:.5g}" euler="0 0 {yaw:.5g}">\n'
        f'    <freejoint name="{obj.name}/free"/>\n    {geoms}\n</body>'
    )
