"""Object catalogue of the simulated tabletop: what exists, how big, how it behaves.

Why a catalogue: the world's physics rules, the renderer, the scripted expert
and the stand-in VLA's scene encoding all need the same per-category facts
(kind, size, colour). Keeping them in one table means a new object is one line.

The *pretraining names* are the words the stand-in VLA heard for a category in
its imitation data. They deliberately differ from some words the tasks use
(the mushroom was annotated as a "toadstool", the stuffed toy as a "teddy bear",
the towel as a "cloth"), so a task's own words can be ungrounded for the policy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ObjectKind(enum.IntEnum):
    """Physical role of an object; decides what can rest in or on it."""

    ITEM = 0
    """A small graspable thing; other items may be stacked on it only if ``stackable``."""
    CONTAINER = 1
    """Bowl, pot, basket: things dropped over it land *inside* (on its floor)."""
    SURFACE = 2
    """Plate, cloth, tray: things dropped over it land *on* its top."""
    LID = 3
    """A lid: dropped over a container it rests on the rim and *covers* it."""


@dataclass(frozen=True)
class ObjectSpec:
    """Static facts of one object category."""

    category: str
    """Catalogue key, also the word the task suite uses."""
    kind: ObjectKind
    """Physical role (item, container, surface, lid)."""
    radius: float
    """Footprint radius in metres (objects are round in plan view for the physics)."""
    height: float
    """Height in metres."""
    color: tuple[int, int, int]
    """RGB colour used by the renderer and encoded in the scene features."""
    pretrain_names: tuple[str, ...]
    """Nouns the stand-in VLA's pretraining prompts use for this category."""
    shape: str = "round"
    """Renderer hint: 'round' or 'long' (elongated objects such as a hammer)."""
    stackable: bool = False
    """Whether items dropped over this item rest on top of it (blocks)."""

    def __post_init__(self) -> None:
        if self.radius <= 0.0 or self.height <= 0.0:
            raise ValueError(f"{self.category}: radius and height must be > 0")
        if self.shape not in ("round", "long"):
            raise ValueError(f"{self.category}: shape must be 'round' or 'long', got {self.shape!r}")
        if not self.pretrain_names:
            raise ValueError(f"{self.category}: needs at least one pretraining name")


CONTAINER_FLOOR = 0.008
"""Height of a container's floor above its base (m): where dropped things rest."""

_I, _C, _S, _L = ObjectKind.ITEM, ObjectKind.CONTAINER, ObjectKind.SURFACE, ObjectKind.LID

CATALOGUE: dict[str, ObjectSpec] = {
    spec.category: spec
    for spec in (
        ObjectSpec("hammer", _I, 0.030, 0.030, (120, 90, 60), ("hammer",), shape="long"),
        ObjectSpec("plate", _S, 0.060, 0.012, (235, 235, 230), ("plate",)),
        ObjectSpec("mushroom", _I, 0.025, 0.045, (200, 40, 40), ("toadstool",)),
        ObjectSpec("banana", _I, 0.030, 0.025, (240, 210, 40), ("banana",), shape="long"),
        ObjectSpec("pot", _C, 0.065, 0.060, (90, 90, 100), ("pot",)),
        ObjectSpec("sushi", _I, 0.022, 0.025, (250, 140, 90), ("sushi",)),
        ObjectSpec("bowl", _C, 0.060, 0.045, (60, 120, 200), ("bowl",)),
        ObjectSpec("stuffed_toy", _I, 0.030, 0.050, (150, 100, 60), ("teddy bear",)),
        ObjectSpec("pot_lid", _L, 0.062, 0.015, (60, 60, 70), ("lid",)),
        ObjectSpec("towel", _S, 0.070, 0.006, (70, 160, 210), ("cloth",)),
        ObjectSpec("carrot", _I, 0.030, 0.025, (240, 120, 30), ("carrot",), shape="long"),
        ObjectSpec("corn", _I, 0.030, 0.028, (245, 225, 80), ("corn",), shape="long"),
        ObjectSpec("basket", _C, 0.075, 0.060, (170, 130, 80), ("basket",)),
        ObjectSpec("cup", _I, 0.025, 0.050, (230, 230, 240), ("cup", "mug")),
        ObjectSpec("block", _I, 0.020, 0.030, (200, 200, 200), ("block",), stackable=True),
        ObjectSpec("apple", _I, 0.025, 0.035, (190, 30, 40), ("apple",)),
        ObjectSpec("orange", _I, 0.025, 0.035, (250, 150, 30), ("orange",)),
        ObjectSpec("spoon", _I, 0.025, 0.015, (190, 190, 200), ("spoon",), shape="long"),
        ObjectSpec("tray", _S, 0.080, 0.015, (110, 160, 90), ("tray",)),
    )
}

CATEGORIES: tuple[str, ...] = tuple(CATALOGUE)
"""Stable category order: the index is the category id in the scene encoding."""

BLOCK_COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 220, 40),
}
"""Colour variants of the 'block' category; the adjective is part of its name."""

BOWL_SIZES: dict[str, float] = {"small": 0.045, "medium": 0.060, "large": 0.075}
"""Radius variants of the 'bowl' category (m)."""


def category_index(category: str) -> int:
    """Index of a category in :data:`CATEGORIES`; raises ValueError for unknown names."""
    try:
        return CATEGORIES.index(category)
    except ValueError:
        raise ValueError(f"unknown object category {category!r}; known: {', '.join(CATEGORIES)}") from None


@dataclass(frozen=True)
class ObjectInstance:
    """One object placed in a scene: a category plus per-instance variations."""

    name: str
    """Unique name in the scene (e.g. 'pot_right', 'bowl_large'); used by predicates."""
    category: str
    """Catalogue category."""
    radius: float
    """Footprint radius (m); may differ from the catalogue for size variants."""
    height: float
    """Height (m)."""
    color: tuple[int, int, int]
    """RGB colour; may differ from the catalogue for colour variants."""
    adjective: str = ""
    """Colour adjective that is part of how people name it ('red' block), else ''."""

    @property
    def spec(self) -> ObjectSpec:
        return CATALOGUE[self.category]

    @property
    def kind(self) -> ObjectKind:
        return self.spec.kind


def make_instance(
    name: str, category: str, *, radius: float | None = None, color_name: str | None = None
) -> ObjectInstance:
    """Build an instance of a catalogue category, optionally resized or recoloured."""
    spec = CATALOGUE.get(category)
    if spec is None:
        raise ValueError(f"unknown object category {category!r}; known: {', '.join(CATEGORIES)}")
    color = spec.color
    adjective = ""
    if color_name is not None:
        if color_name not in BLOCK_COLORS:
            raise ValueError(f"unknown colour {color_name!r}; known: {', '.join(BLOCK_COLORS)}")
        color, adjective = BLOCK_COLORS[color_name], color_name
    r = spec.radius if radius is None else float(radius)
    h = spec.height if radius is None else spec.height * (0.75 + 0.25 * r / spec.radius)
    return ObjectInstance(name=name, category=category, radius=r, height=h, color=color, adjective=adjective)
