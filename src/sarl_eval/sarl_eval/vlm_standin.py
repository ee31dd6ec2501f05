"""The stand-in VLM: proposes next steps from the instruction and a noisy look at the table.

Why it exists (issue 19): the evaluation's earlier proposer
(:mod:`~sarl_eval.scene_proposer`, now the labelled ``oracle``) read the
simulator's support and held flags, knew which sub-goals were still open and
offered the VLA's own pretraining nouns every time, so the needed prompt was
always among a handful of candidates. A real VLM does less: it reads the
instruction, looks at the image, decomposes the task into steps in the
instruction's words, rephrases them on every call, and gets things wrong.
This proposer does that, with the error rates of a
:class:`~sarl_eval.vlm_quality.VlmQuality`:

1. look (:func:`~sarl_eval.vlm_detection.detect`): noisy positions and sizes,
   objects missed at ``miss_object``; no support, held or goal flags;
2. read the instruction's sub-goals over what it sees
   (:func:`~sarl_eval.instruction_goals.read_goals`, the instruction's words
   only) and judge from the look which are done (:func:`open_goals_seen`);
3. decide the steps (:func:`plan_steps`): gripper looks empty — pick up what
   the earliest open sub-goal moves; it looks full — put it where that goal
   wants it, and offer to let go; then the errors, each drawn per call: wrong
   phase (``wrong_order``), a step left out (``drop_subgoal``), a step nobody
   asked for (``extra_subgoal``), an object that is not there
   (``unseen_object``), and ``distractors`` random plausible steps;
4. word each step ``phrasings`` times from the grammar
   (:mod:`~sarl_eval.vlm_grammar`), sampled anew on every call — the first
   wording in the instruction's own phrase for the object ("the left stuffed
   toy", which the VLA may never have heard), the others in any — after the
   task instruction itself.

Once the prompt cache is full the cache rule passes the cached prompts as
``allowed``; the VLM then says each step only in cached words that mean it
(and a step with none goes unsaid), as a VLM told "choose from this list" does.
It never sees a task's reference plan, success predicate or the VLA's
pretraining vocabulary as such.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sarl_agent.learning.prompt_cache import RESET_TO_HOME, normalize
from sarl_agent.proposer.base import PromptProposer, Proposal, ProposerError
from sarl_sim.objects import CATALOGUE, CATEGORIES, ObjectKind
from sarl_sim.world import TabletopWorld

from .instruction_goals import Goal, find_mentions, read_goals, words_of
from .vlm_detection import Detection, View, detect, looks_held, looks_on
from .vlm_grammar import (
    RELEASE_PROMPTS,
    noun_phrases,
    nouns,
    pick_phrasings,
    place_phrasings,
    preposition,
)
from .vlm_quality import DEFAULT_QUALITY, VlmQuality, vlm_quality

GRASPABLE = (ObjectKind.ITEM, ObjectKind.LID)


@dataclass(frozen=True)
class Step:
    """One step the VLM means, before it is worded."""

    kind: str
    """'pick', 'place' or 'release'."""
    names: tuple[str, ...] = ()
    """Noun phrases of the object to pick, or of the place to put the held one."""
    preposition: str = ""
    carried: str = ""
    """Everyday phrase of the held object ('the banana'), for "put the banana in the pot"; '' for 'it' only."""
    preferred: str = ""
    """The instruction's own phrase for the object or place ('the left stuffed toy'), '' when it names none."""

    def phrasings(self, names: Sequence[str] | None = None) -> list[str]:
        """Every prompt that says this step (with ``names`` instead of all its noun phrases, if given)."""
        names = self.names if names is None else names
        if self.kind == "pick":
            return pick_phrasings(names)
        if self.kind == "place":
            return place_phrasings(self.carried, self.preposition, names)
        return list(RELEASE_PROMPTS)


def carried_phrase(obj: Detection) -> str:
    """How the VLM names the object it holds: its everyday noun, with its colour."""
    noun = nouns(obj.category)[0]
    return f"the {obj.color_name} {noun}" if obj.color_name else f"the {noun}"


def goal_met_seen(goal: Goal, objects: Sequence[Detection], held: int | None) -> bool:
    """Whether ``goal`` looks met from the view (``held``: the object that looks held)."""
    if goal.destination is not None:
        return held != goal.obj and looks_on(objects, goal.obj, goal.destination)
    if goal.away_from is not None:
        return held != goal.obj and not looks_on(objects, goal.obj, goal.away_from)
    return held == goal.obj


def open_goals_seen(goals: Sequence[Goal], objects: Sequence[Detection], held: int | None) -> list[Goal]:
    """Goals that look unmet, of the earliest ``then`` stage that has any."""
    unmet = [g for g in goals if not goal_met_seen(g, objects, held)]
    first = min((g.stage for g in unmet), default=0)
    return [g for g in unmet if g.stage == first]


def _named_in(category: str, task: str) -> bool:
    text = f" {' '.join(words_of(task))} "
    return any(f" {' '.join(words_of(noun))} " in text for noun in nouns(category))


class StepPlanner:
    """Steps for one look at the table (pure given the random generator)."""

    def __init__(self, task: str, view: View, quality: VlmQuality, rng: np.random.Generator) -> None:
        self._task = task
        self._objects = view.objects
        self._quality = quality
        self._rng = rng
        self._phrases = [noun_phrases(self._objects, i) for i in range(len(self._objects))]
        self._goals = read_goals(task, self._phrases)
        self._held = looks_held(view)
        words = words_of(task)
        self._mentioned = {row: next((n for n in self._phrases[row] if words_of(n) == words[start:end]), "")
                           for start, end, row in find_mentions(task, self._phrases)}

    def _pick(self, i: int) -> Step | None:
        return Step("pick", tuple(self._phrases[i]), preferred=self._mentioned.get(i, "")) if self._phrases[i] else None

    def _place(self, j: int) -> Step | None:
        carried = self._objects[self._held] if self._held is not None else None
        word = preposition(carried.category if carried else None, self._objects[j].category)
        if j == self._held or not word or not self._phrases[j]:
            return None
        return Step("place", tuple(self._phrases[j]), word, carried_phrase(carried) if carried else "",
                    preferred=self._mentioned.get(j, ""))

    def _places(self) -> list[int]:
        return [j for j in range(len(self._objects)) if self._place(j) is not None]

    def intended(self) -> list[Step]:
        """The steps an error-free VLM with this view would propose."""
        opened = open_goals_seen(self._goals, self._objects, self._held)
        if self._held is None:
            rows = sorted({g.obj for g in opened})
            if not rows:
                named = [i for i, o in enumerate(self._objects) if _named_in(o.category, self._task)]
                rows = named or list(range(len(self._objects)))
            return [s for s in map(self._pick, rows) if s]
        mine = next((g for g in opened if g.obj == self._held), None)
        if mine is not None and mine.destination is not None:
            places = [mine.destination]
        elif mine is not None and mine.away_from is not None:
            places = [j for j in self._places() if j != mine.away_from]
        else:  # holding what the task does not move now: say where the instruction puts things, or let go
            places = sorted({g.destination for g in self._goals if g.destination is not None})
        return [*(s for s in map(self._place, places) if s), Step("release")]

    def wrong_phase(self) -> list[Step]:
        """The steps of the other phase: placing with an empty gripper, or picking the next object."""
        if self._held is None:
            places = sorted({g.destination for g in self._goals if g.destination is not None}) or self._places()
            return [s for s in map(self._place, places) if s]
        others = sorted({g.obj for g in self._goals if g.obj != self._held}) or [
            i for i, o in enumerate(self._objects) if i != self._held and CATALOGUE[o.category].kind in GRASPABLE]
        return [s for s in map(self._pick, others) if s]

    def unasked(self) -> Step | None:
        """A step on an object or place the instruction does not involve."""
        involved = {g.obj for g in self._goals} | {g.destination for g in self._goals}
        if self._held is None:
            rows = [i for i, o in enumerate(self._objects) if i not in involved
                    and CATALOGUE[o.category].kind in GRASPABLE]
            steps = [s for s in map(self._pick, rows) if s]
        else:
            steps = [s for s in map(self._place, [j for j in self._places() if j not in involved]) if s]
        return steps[self._rng.integers(len(steps))] if steps else None

    def unseen(self) -> Step:
        """A step naming a category it does not see: one the instruction names, else any other."""
        present = {o.category for o in self._objects}
        missing = [c for c in CATEGORIES if c not in present]
        named = [c for c in missing if _named_in(c, self._task)]
        category = (named or missing)[self._rng.integers(len(named or missing))]
        names = tuple(f"the {n}" for n in nouns(category))
        if self._held is None:
            return Step("pick", names)
        word = preposition(self._objects[self._held].category, category) or "on"
        return Step("place", names, word)

    def random_step(self) -> Step | None:
        """A plausible step on a random detected object (a distractor)."""
        if self._held is None:
            steps = [s for i, o in enumerate(self._objects) if CATALOGUE[o.category].kind in GRASPABLE
                     for s in [self._pick(i)] if s]
        else:
            steps = [s for s in map(self._place, self._places()) if s]
        return steps[self._rng.integers(len(steps))] if steps else None

    def steps(self) -> list[Step]:
        """What this VLM proposes: the intended steps with the quality's errors drawn once each."""
        q, rng = self._quality, self._rng
        steps = self.wrong_phase() if rng.random() < q.wrong_order else self.intended()
        droppable = [k for k, s in enumerate(steps) if s.kind != "release"]
        if droppable and rng.random() < q.drop_subgoal:
            steps.pop(droppable[rng.integers(len(droppable))])
        extras = []
        if rng.random() < q.extra_subgoal:
            extras.append(self.unasked())
        if rng.random() < q.unseen_object:
            extras.append(self.unseen())
        extras += [self.random_step() for _ in range(q.distractors)]
        return [*steps, *(s for s in extras if s is not None)]


def word_steps(task: str, steps: Sequence[Step], phrasings: int, rng: np.random.Generator,
               allowed: Sequence[str] | None = None) -> list[str]:
    """The instruction, then up to ``phrasings`` sampled wordings per step — the first in the instruction's
    own phrase for the object when it has one — only ``allowed`` ones if given. Normalised and distinct,
    never reset-to-home (the episode loop adds it)."""
    permitted = None if allowed is None else {normalize(p) for p in allowed}

    def sayable(prompts: Sequence[str]) -> list[str]:
        return [p for p in dict.fromkeys(normalize(x) for x in prompts) if permitted is None or p in permitted]

    prompts = [normalize(task)]
    for step in steps:
        chosen: list[str] = []
        own = sayable(step.phrasings((step.preferred,))) if step.preferred else []
        if own:
            chosen.append(own[rng.integers(len(own))])
        options = [p for p in sayable(step.phrasings()) if p not in chosen]
        if options:
            picks = rng.choice(len(options), size=min(phrasings - len(chosen), len(options)), replace=False)
            chosen += [options[k] for k in picks]
        prompts += chosen
    chosen = [p for p in dict.fromkeys(prompts) if p != RESET_TO_HOME]
    return [p for p in chosen if permitted is None or p in permitted]


SceneSource = Callable[[], TabletopWorld]
"""Returns the simulator's current world (only its object facts, positions and gripper state are read)."""


class StandinVlmProposer(PromptProposer):
    """A ``PromptProposer`` that behaves like a VLM of the given quality (see the module docstring).

    ``seed`` makes every draw (what it sees, which errors, which words) repeatable.
    """

    def __init__(self, scene_source: SceneSource, *, quality: str | float | VlmQuality = DEFAULT_QUALITY,
                 seed: int = 0) -> None:
        self._scene_source = scene_source
        self._quality = vlm_quality(quality)
        self._rng = np.random.default_rng(seed)

    @property
    def quality(self) -> VlmQuality:
        return self._quality

    def steps(self, task: str) -> list[Step]:
        """One look at the current scene and the steps it leads to."""
        view = detect(self._scene_source(), self._quality, self._rng)
        return StepPlanner(task, view, self._quality, self._rng).steps()

    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        prompts = word_steps(task, self.steps(task), self._quality.phrasings, self._rng, allowed)[:max_candidates]
        if not prompts:
            raise ProposerError("the stand-in VLM said nothing" + (" in the cached words" if allowed else ""))
        return Proposal(prompts=tuple(prompts))
