"""Task suite: the four long-horizon SARL paper tasks and six LIBERO-10-style ones.

Each task says what a user asks for (``instruction``), how the simulator
judges it (``success``), how a scene is laid out for a seed (``build``), and
which prompts an offline proposer offers (``candidates``). ``reference_plan``
is one atomic prompt sequence known to solve the task with the shipped policy;
it exists for tests, benchmarks and oracle baselines — an RL agent must never
be given it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sarl_sim.layout import sample_world
from sarl_sim.objects import ObjectInstance, make_instance
from sarl_sim.predicates import All, Covered, Holding, In, On, Predicate
from sarl_sim.prompts import RESET_TO_HOME, TASK_CANDIDATES
from sarl_sim.world import TabletopWorld

R = RESET_TO_HOME

DISTRACTOR_POOL = ("sushi", "carrot", "cup", "apple", "orange", "spoon", "banana", "corn", "hammer", "mushroom")
"""Small items that may be added to a task scene as clutter."""


@dataclass(frozen=True)
class Task:
    """One evaluation task of the simulator."""

    name: str
    """Slug used in configs, logs and file names."""
    instruction: str
    """What the user asks for, in words."""
    success: Predicate
    """Success detector (the simulator's operator)."""
    build: Callable[[np.random.Generator], TabletopWorld]
    """Randomised initial scene for a random generator."""
    candidates: tuple[str, ...]
    """Offline candidate prompts (grounded, ungrounded, the instruction, reset to home)."""
    reference_plan: tuple[str, ...]
    """A known-good atomic prompt sequence (tests and oracle baselines only)."""
    paper: bool = False
    """Whether this is one of the four long-horizon tasks of the SARL paper."""

    def __post_init__(self) -> None:
        missing = [p for p in self.reference_plan if p not in self.candidates]
        if missing:
            raise ValueError(f"task {self.name!r}: reference plan prompts not among candidates: {missing}")
        if self.instruction not in self.candidates:
            raise ValueError(f"task {self.name!r}: the instruction must be a candidate")


def _scene(
    rng: np.random.Generator,
    objects: Sequence[ObjectInstance],
    placed_on: dict[str, str] | None = None,
    distractors: int = 1,
) -> TabletopWorld:
    present = {o.category for o in objects}
    pool = [c for c in DISTRACTOR_POOL if c not in present]
    extra = [make_instance(f"distractor_{k}", c) for k, c in enumerate(rng.choice(pool, distractors, replace=False))]
    return sample_world(rng, [*objects, *extra], placed_on)


def _rename_by_side(world: TabletopWorld, a: str, b: str, left: str, right: str) -> TabletopWorld:
    """Rename twins ``a``/``b`` to ``left``/``right`` by their y (left = larger y)."""
    ia, ib = world.index(a), world.index(b)
    left_i, right_i = (ia, ib) if world.positions[ia, 1] > world.positions[ib, 1] else (ib, ia)
    names = {left_i: left, right_i: right}
    objects = [dataclasses.replace(o, name=names.get(i, o.name)) for i, o in enumerate(world.objects)]
    return TabletopWorld(objects, world.positions, world.supports, world.state())


def _separated_twins(rng: np.random.Generator, build: Callable[[], TabletopWorld], a: str, b: str) -> TabletopWorld:
    """Rebuild until twins ``a`` and ``b`` are clearly left/right of each other (> 6 cm in y)."""
    for _ in range(100):
        world = build()
        if abs(world.positions[world.index(a), 1] - world.positions[world.index(b), 1]) > 0.06:
            return world
    raise RuntimeError(f"could not separate {a!r} and {b!r} in y")


def _build_hammer_plate_mushroom(rng: np.random.Generator) -> TabletopWorld:
    objs = [make_instance("hammer", "hammer"), make_instance("plate", "plate"), make_instance("mushroom", "mushroom")]
    return _scene(rng, objs, distractors=2)


def _build_banana_pot_sushi_bowl(rng: np.random.Generator) -> TabletopWorld:
    objs = [
        make_instance("banana", "banana"),
        make_instance("sushi", "sushi"),
        make_instance("pot_a", "pot"),
        make_instance("pot_b", "pot"),
        make_instance("bowl", "bowl"),
    ]
    world = _separated_twins(rng, lambda: _scene(rng, objs, distractors=0), "pot_a", "pot_b")
    return _rename_by_side(world, "pot_a", "pot_b", "pot_left", "pot_right")


def _build_left_toy_largest_bowl(rng: np.random.Generator) -> TabletopWorld:
    objs = [
        make_instance("toy_a", "stuffed_toy"),
        make_instance("toy_b", "stuffed_toy"),
        make_instance("bowl_large", "bowl", radius=0.075),
        make_instance("bowl_medium", "bowl", radius=0.060),
        make_instance("bowl_small", "bowl", radius=0.045),
    ]
    world = _separated_twins(rng, lambda: _scene(rng, objs, distractors=0), "toy_a", "toy_b")
    return _rename_by_side(world, "toy_a", "toy_b", "toy_left", "toy_right")


def _build_pot_lid_to_towel(rng: np.random.Generator) -> TabletopWorld:
    objs = [make_instance("pot", "pot"), make_instance("pot_lid", "pot_lid"), make_instance("towel", "towel")]
    return _scene(rng, objs, {"pot_lid": "pot"}, distractors=2)


def _build_carrot_corn_basket(rng: np.random.Generator) -> TabletopWorld:
    objs = [make_instance("carrot", "carrot"), make_instance("corn", "corn"), make_instance("basket", "basket")]
    return _scene(rng, objs, distractors=2)


def _build_cup_in_pot_cover(rng: np.random.Generator) -> TabletopWorld:
    objs = [make_instance("cup", "cup"), make_instance("pot", "pot"), make_instance("pot_lid", "pot_lid")]
    return _scene(rng, objs, distractors=1)


def _build_stack_blocks(rng: np.random.Generator) -> TabletopWorld:
    objs = [make_instance(f"{c}_block", "block", color_name=c) for c in ("red", "green", "blue", "yellow")]
    return _scene(rng, objs, distractors=1)


def _build_apple_orange_plates(rng: np.random.Generator) -> TabletopWorld:
    objs = [
        make_instance("apple", "apple"),
        make_instance("orange", "orange"),
        make_instance("plate_a", "plate"),
        make_instance("plate_b", "plate"),
    ]
    world = _separated_twins(rng, lambda: _scene(rng, objs, distractors=1), "plate_a", "plate_b")
    return _rename_by_side(world, "plate_a", "plate_b", "plate_left", "plate_right")


def _build_spoon_bowl_tray(rng: np.random.Generator) -> TabletopWorld:
    objs = [make_instance("spoon", "spoon"), make_instance("bowl", "bowl"), make_instance("tray", "tray")]
    return _scene(rng, objs, distractors=1)


def _build_uncover_pot_mushroom(rng: np.random.Generator) -> TabletopWorld:
    objs = [
        make_instance("pot", "pot"),
        make_instance("pot_lid", "pot_lid"),
        make_instance("mushroom", "mushroom"),
        make_instance("towel", "towel"),
    ]
    return _scene(rng, objs, {"pot_lid": "pot"}, distractors=1)


def _task(name: str, success: Predicate, build: Callable, plan: Sequence[str], paper: bool = False) -> Task:
    candidates = TASK_CANDIDATES[name]
    return Task(name, candidates[0], success, build, candidates, tuple(plan), paper)


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        _task(
            "hammer_plate_mushroom",
            All((On("hammer", "plate"), Holding("mushroom"))),
            _build_hammer_plate_mushroom,
            ("pick up the hammer", R, "put it on the plate", R, "pick up the toadstool"),
            paper=True,
        ),
        _task(
            "banana_pot_sushi_bowl",
            All((In("banana", "pot_right"), In("sushi", "bowl"))),
            _build_banana_pot_sushi_bowl,
            (
                "pick up the banana",
                R,
                "put it in the pot on the right",
                R,
                "pick up the sushi",
                R,
                "put it in the bowl",
            ),
            paper=True,
        ),
        _task(
            "left_toy_largest_bowl",
            In("toy_left", "bowl_large"),
            _build_left_toy_largest_bowl,
            ("pick up the teddy bear on the left", R, "put it in the big bowl"),
            paper=True,
        ),
        _task(
            "pot_lid_to_towel",
            On("pot_lid", "towel"),
            _build_pot_lid_to_towel,
            ("pick up the lid", R, "put it on the cloth"),
            paper=True,
        ),
        _task(
            "carrot_corn_basket",
            All((In("carrot", "basket"), In("corn", "basket"))),
            _build_carrot_corn_basket,
            ("pick up the carrot", R, "put it in the basket", R, "pick up the corn", R, "put it in the basket"),
        ),
        _task(
            "cup_in_pot_cover",
            All((In("cup", "pot"), Covered("pot"))),
            _build_cup_in_pot_cover,
            ("pick up the cup", R, "put it in the pot", R, "pick up the lid", R, "put it on the pot"),
        ),
        _task(
            "stack_blocks",
            All((On("red_block", "blue_block"), On("green_block", "red_block"))),
            _build_stack_blocks,
            (
                "pick up the red block",
                R,
                "put it on the blue block",
                R,
                "pick up the green block",
                R,
                "put it on the red block",
            ),
        ),
        _task(
            "apple_orange_plates",
            All((On("apple", "plate_left"), On("orange", "plate_right"))),
            _build_apple_orange_plates,
            (
                "pick up the apple",
                R,
                "put it on the plate on the left",
                R,
                "pick up the orange",
                R,
                "put it on the plate on the right",
            ),
        ),
        _task(
            "spoon_bowl_tray",
            All((In("spoon", "bowl"), On("bowl", "tray"))),
            _build_spoon_bowl_tray,
            ("pick up the spoon", R, "put it in the bowl", R, "pick up the bowl", R, "put it on the tray"),
        ),
        _task(
            "uncover_pot_mushroom",
            In("mushroom", "pot"),
            _build_uncover_pot_mushroom,
            ("pick up the lid", R, "put it on the cloth", R, "pick up the toadstool", R, "put it in the pot"),
        ),
    )
}
"""All tasks by name."""

PAPER_TASKS: tuple[str, ...] = tuple(name for name, t in TASKS.items() if t.paper)
"""Names of the four long-horizon tasks of the SARL paper."""


def get_task(name: str) -> Task:
    """The task called ``name``; raises ValueError listing the known names otherwise."""
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}") from None
