"""Success predicates over the tabletop state: On, In, Holding, Covered, All.

Why small objects instead of lambdas: a predicate can describe itself (logs,
the operator UI, test failure messages) and is checked against object *names*
so a typo fails loudly when the task is first evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from sarl_sim.objects import ObjectKind
from sarl_sim.world import TabletopWorld


class Predicate:
    """A boolean condition on a :class:`TabletopWorld`."""

    def __call__(self, world: TabletopWorld) -> bool:
        raise NotImplementedError

    def __and__(self, other: Predicate) -> All:
        return All((self, other))


@dataclass(frozen=True)
class On(Predicate):
    """``obj`` rests directly on (or in) ``support`` and is not held."""

    obj: str
    support: str

    def __call__(self, world: TabletopWorld) -> bool:
        i = world.index(self.obj)
        return world.held != i and world.supports[i] == world.index(self.support)

    def __str__(self) -> str:
        return f"On({self.obj}, {self.support})"


@dataclass(frozen=True)
class In(Predicate):
    """``obj`` rests inside the container ``container`` and is not held."""

    obj: str
    container: str

    def __call__(self, world: TabletopWorld) -> bool:
        c = world.index(self.container)
        if world.objects[c].kind != ObjectKind.CONTAINER:
            raise ValueError(f"In(): {self.container!r} is not a container")
        i = world.index(self.obj)
        return world.held != i and world.supports[i] == c

    def __str__(self) -> str:
        return f"In({self.obj}, {self.container})"


@dataclass(frozen=True)
class Holding(Predicate):
    """``obj`` is between the gripper's fingers."""

    obj: str

    def __call__(self, world: TabletopWorld) -> bool:
        return world.held == world.index(self.obj)

    def __str__(self) -> str:
        return f"Holding({self.obj})"


@dataclass(frozen=True)
class Covered(Predicate):
    """Some lid rests on the rim of ``container``."""

    container: str

    def __call__(self, world: TabletopWorld) -> bool:
        c = world.index(self.container)
        return any(
            obj.kind == ObjectKind.LID and world.supports[i] == c and world.held != i
            for i, obj in enumerate(world.objects)
        )

    def __str__(self) -> str:
        return f"Covered({self.container})"


@dataclass(frozen=True)
class All(Predicate):
    """Conjunction of predicates."""

    parts: tuple[Predicate, ...]

    def __call__(self, world: TabletopWorld) -> bool:
        return all(part(world) for part in self.parts)

    def __and__(self, other: Predicate) -> All:
        return All((*self.parts, other))

    def __str__(self) -> str:
        return " & ".join(str(p) for p in self.parts)
