"""Scene-aware offline proposer: an honest stand-in for a VLM that looks at the table.

Why it exists: offering every prompt of a task in every state (the plain
:class:`~sarl_agent.proposer.offline.OfflineProposer`) makes exploration of a
5-7 step plan hopeless, and it is not what a VLM does: a VLM looks at the
camera image and proposes commands that make sense *here* — "pick up ..."
for what it sees while the gripper is empty, "put it in/on ..." for places
once something is held. This module does the same from the simulator's
``observation/scene`` array (the same privileged layout the stand-in VLA
reads; on the robot the VLM reads it from pixels).

What it proposes for a state (see :func:`scene_candidates`):

* gripper empty: "pick up <object>" for each object whose sub-goal in the
  instruction is still open (:mod:`~sarl_eval.instruction_goals`: the banana
  until it rests in the right pot) — in each of its names, including names
  the VLA never learned (it says "mushroom" as readily as "toadstool"). A VLM
  decomposes "move the hammer to the plate, then grasp the mushroom" into
  its steps; it does not know which of its words the robot understands;
* holding something: "put it in/on <the place the task wants it>" in a
  couple of phrasings, and "open the gripper";
* where the instruction gives no sub-goal: every object it names (focus),
  or every object when it names none;
* always the task instruction itself, and a random distractor from a given
  pool (seeded), as a real VLM's noisy suggestions.

It never consults a task's reference plan or success predicate: the only
task input is the instruction text and an optional pool of extra prompts.
Which of its phrasings the VLA can execute is for the learner to find out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sarl_agent.learning.prompt_cache import RESET_TO_HOME, normalize
from sarl_agent.proposer.base import PromptProposer, Proposal, ProposerError
from sarl_sim.objects import BLOCK_COLORS, CATALOGUE, CATEGORIES, ObjectKind
from sarl_sim.scene import encode_scene, validate_scene
from sarl_sim.world import TabletopWorld

from .instruction_goals import open_goals, read_goals, words_of

SIDE_GAP = 0.04
"""[m] least y gap for a VLM to call one of two look-alikes 'left'/'right' (left = larger y)."""
SIZE_GAP = 0.008
"""[m] least radius gap for a VLM to call one of several look-alikes 'largest'/'smallest'."""
COLOR_TOLERANCE = 0.08
"""Largest per-channel distance (0..1) at which a block's colour gets its colour name."""
DEFAULT_DISTRACTORS = 1
"""Random extra prompts drawn from the pool per proposal: about a quarter of a proposal, as before the
goal reading (then 2 beside 5-7 scene prompts; now 1 beside 2-4)."""
DEFAULT_MAX_CANDIDATES = 12
"""Upper bound on the prompts of one proposal (the scene part is usually 2-4 with goals, 4-8 without)."""
OPEN_GRIPPER = "open the gripper"

SYNONYMS: dict[str, tuple[str, ...]] = {
    "stuffed_toy": ("stuffed toy", "teddy bear"),
    "pot_lid": ("pot lid", "lid"),
    "mushroom": ("mushroom", "toadstool"),
    "towel": ("towel", "cloth"),
    "cup": ("cup", "mug"),
}
"""Words a VLM uses for a category, everyday word first. Categories not listed use their catalogue
name (underscores as spaces) and the catalogue's other names."""

SIZE_WORDS = (("largest", "big"), ("smallest", "small"))
"""(superlative, plain adjective) a VLM uses for the biggest / smallest of look-alikes."""


@dataclass(frozen=True)
class SceneObject:
    """One row of the scene array, in words and numbers."""

    category: str
    kind: ObjectKind
    color_name: str
    """Colour word for blocks ('red'), else ''."""
    radius: float
    y: float
    held: bool
    support: int
    """Row of what it rests in or on, -1 for the table."""


def parse_scene(scene: np.ndarray | TabletopWorld) -> list[SceneObject]:
    """Objects of an ``observation/scene`` array (or of a world, encoded the same way)."""
    array = encode_scene(scene) if isinstance(scene, TabletopWorld) else validate_scene(scene)
    objects = []
    for row in array:
        category = CATEGORIES[int(row[0])]
        objects.append(SceneObject(
            category=category,
            kind=CATALOGUE[category].kind,
            color_name=_color_name(row[1:4]) if CATALOGUE[category].stackable else "",
            radius=float(row[4]),
            y=float(row[7]),
            held=bool(row[9] > 0.5),
            support=int(row[10]),
        ))
    return objects


def _color_name(rgb: np.ndarray) -> str:
    for name, color in BLOCK_COLORS.items():
        if np.max(np.abs(rgb - np.asarray(color) / 255.0)) <= COLOR_TOLERANCE:
            return name
    return ""


def nouns(category: str) -> tuple[str, ...]:
    """Everyday noun first, then other names of the category, distinct."""
    spec = CATALOGUE[category]
    names = (*SYNONYMS.get(category, (category.replace("_", " "),)), *spec.pretrain_names)
    return tuple(dict.fromkeys(names))


def describe(objects: Sequence[SceneObject], i: int) -> list[str]:
    """Noun phrases for object ``i`` as a VLM would say them, most natural first.

    Alone in its category: "the <noun>" for each synonym. Among look-alikes:
    the colour (blocks), or the size ("the largest bowl", "the big bowl")
    when it is the biggest/smallest, and the side ("the left pot", "the pot on
    the left") when it is the leftmost/rightmost. An object that no phrase
    singles out gets none.
    """
    obj = objects[i]
    words = nouns(obj.category)
    if obj.color_name:
        words = tuple(f"{obj.color_name} {w}" for w in words)
    twins = [o for j, o in enumerate(objects) if j != i and o.category == obj.category
             and o.color_name == obj.color_name]
    if not twins:
        return [f"the {w}" for w in words]
    forms: list[str] = []
    if obj.radius > max(o.radius for o in twins) + SIZE_GAP:
        forms += [f"the {adjective} {{}}" for adjective in SIZE_WORDS[0]]
    elif obj.radius < min(o.radius for o in twins) - SIZE_GAP:
        forms += [f"the {adjective} {{}}" for adjective in SIZE_WORDS[1]]
    if obj.y > max(o.y for o in twins) + SIDE_GAP:
        forms += ["the left {}", "the {} on the left"]
    elif obj.y < min(o.y for o in twins) - SIDE_GAP:
        forms += ["the right {}", "the {} on the right"]
    # Vary the noun along with the form first, so the first two phrases use two different words.
    first = [form.format(words[k % len(words)]) for k, form in enumerate(forms)]
    rest = [form.format(w) for form in forms for w in words]
    return list(dict.fromkeys([*first, *rest]))


def scene_candidates(
    scene: np.ndarray | TabletopWorld,
    task: str,
    rng: np.random.Generator,
    *,
    pool: Sequence[str] = (),
    distractors: int = DEFAULT_DISTRACTORS,
    per_object: int = 2,
    max_candidates: int = DEFAULT_MAX_CANDIDATES,
    focus: bool = True,
    goals: bool = True,
) -> list[str]:
    """Candidate prompts for this scene and task, normalised, distinct, without reset-to-home.

    ``scene``: the ``observation/scene`` float array (or a world); ``task``: the
    instruction text; ``pool``: prompts to draw ``distractors`` random extras
    from (e.g. a task's offline candidate list); ``per_object``: phrasings
    per object for the objects the current skill acts on (picking when the
    gripper is empty, placing when it holds something; receptacles named in a
    "pick up" get one); ``focus``: act only on objects the instruction names
    by one of their nouns (and the held one), unless it names none on the
    table; ``goals``: follow the instruction's open sub-goals
    (:mod:`~sarl_eval.instruction_goals`) — pick only what is still to be
    moved, put the held object only where the task wants it — falling back
    to ``focus`` when the instruction gives no goal for the state.
    Deterministic for a scene except the distractors, which come from ``rng``.
    """
    objects = parse_scene(scene)
    phrases = [describe(objects, i) for i in range(len(objects))]
    held = next((i for i, o in enumerate(objects) if o.held), None)
    rows = _acting_rows(objects, phrases, task, held, focus=focus, goals=goals)
    prompts: list[str] = [task]
    if held is None:
        for i in rows:
            keep = per_object if objects[i].kind in (ObjectKind.ITEM, ObjectKind.LID) else 1
            prompts += [f"pick up {name}" for name in phrases[i][:keep]]
    else:
        for i in rows:
            preposition = _preposition(objects[held], objects[i])
            if i != held and preposition:
                prompts += [f"put it {preposition} {name}" for name in phrases[i][:per_object]]
        prompts.append(OPEN_GRIPPER)
    extras = [p for p in _distinct(pool) if p not in set(_distinct(prompts))]
    if distractors > 0 and extras:
        picks = rng.choice(len(extras), size=min(distractors, len(extras)), replace=False)
        prompts += [extras[k] for k in sorted(picks)]
    return _distinct(prompts)[:max_candidates]


def _acting_rows(objects: Sequence[SceneObject], phrases: Sequence[Sequence[str]], task: str,
                 held: int | None, *, focus: bool, goals: bool) -> list[int]:
    """Rows to offer picking (gripper empty) or placing onto (``held`` set), in scene order."""
    if goals:
        supports = [o.support for o in objects]
        wanted = open_goals(read_goals(task, phrases), held, supports)
        if held is None and wanted:
            return sorted({g.obj for g in wanted})
        # A met "hold it" goal is never open, so an open goal of the held object always names a place.
        mine = next((g for g in wanted if g.obj == held), None)
        if mine is not None and mine.destination is not None:
            return [mine.destination]
        if mine is not None:
            return [i for i in range(len(objects)) if i not in (held, mine.away_from)]
    if focus:
        named = [i for i, o in enumerate(objects) if i != held and _named_in(o.category, task)]
        if named:
            return named
    return list(range(len(objects)))


def _named_in(category: str, task: str) -> bool:
    """Whether the instruction names ``category`` by any of its nouns (whole words)."""
    text = f" {' '.join(words_of(task))} "
    return any(f" {noun} " in text for noun in nouns(category))


def _preposition(carried: SceneObject, target: SceneObject) -> str:
    """'in'/'on' for a place ``carried`` can be put, '' for none."""
    if target.kind == ObjectKind.CONTAINER:
        return "on" if carried.kind == ObjectKind.LID else "in"
    if target.kind == ObjectKind.SURFACE or CATALOGUE[target.category].stackable:
        return "on"
    return ""


def _distinct(prompts: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for prompt in prompts:
        key = normalize(prompt)
        if key and key != RESET_TO_HOME:
            seen.setdefault(key, None)
    return list(seen)


SceneSource = Callable[[], np.ndarray | TabletopWorld]
"""Returns the current scene (the simulator's world, or the latest ``sim/scene`` array)."""


class SceneAwareProposer(PromptProposer):
    """A ``PromptProposer`` that proposes :func:`scene_candidates` for the scene ``scene_source`` returns.

    The camera frame argument of ``propose`` is ignored: the scene array plays
    the image's role. ``pool`` is where distractors come from (typically the
    task's offline candidates); ``seed`` makes the distractor draws repeatable.
    """

    def __init__(self, scene_source: SceneSource, *, pool: Sequence[str] = (), seed: int = 0,
                 distractors: int = DEFAULT_DISTRACTORS, per_object: int = 2, focus: bool = True,
                 goals: bool = True) -> None:
        if distractors < 0:
            raise ValueError(f"distractors must be >= 0, got {distractors}")
        if per_object < 1:
            raise ValueError(f"per_object must be >= 1, got {per_object}")
        self._scene_source = scene_source
        self._pool = tuple(pool)
        self._rng = np.random.default_rng(seed)
        self._distractors = distractors
        self._per_object = per_object
        self._focus = focus
        self._goals = goals

    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        prompts = scene_candidates(self._scene_source(), task, self._rng, pool=self._pool,
                                   distractors=self._distractors, per_object=self._per_object,
                                   max_candidates=max_candidates, focus=self._focus, goals=self._goals)
        if allowed is not None:
            permitted = {normalize(p) for p in allowed}
            prompts = [p for p in prompts if p in permitted]
        if not prompts:
            raise ProposerError("scene-aware proposer has no prompt for this scene"
                                + (" among the allowed ones" if allowed is not None else ""))
        return Proposal(prompts=tuple(prompts))
