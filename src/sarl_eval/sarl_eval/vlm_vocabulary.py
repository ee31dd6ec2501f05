"""Every prompt the stand-in VLM can say on the suite's tasks, so their embeddings can ship.

The stand-in VLA embeds each prompt with MiniLM; loading the model costs ~10 s
and ~100 MB per process, and an uncached prompt in the ROS graph can miss the
bridge's deadline. :func:`vlm_vocabulary` enumerates the grammar over
``layouts`` seeds of every task, with every object seen, with each one missed
in turn (a miss changes how its look-alikes are named) and with each one
looking clearly bigger or smaller than it is (size noise makes "the big teddy
bear" of two equal toys), empty-handed and holding each object, plus the
unseen-object steps for every category. A rarer wording (two objects missed at
once) falls back to the model.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sarl_sim.objects import CATEGORIES
from sarl_sim.tasks import TASKS
from sarl_sim.world import TabletopWorld

from .vlm_detection import Detection
from .vlm_grammar import RELEASE_PROMPTS, noun_phrases, nouns, pick_phrasings, place_phrasings, preposition
from .vlm_standin import carried_phrase


SIZE_ERROR = 0.02
"""[m] radius error that makes an object the clearly largest or smallest of its look-alikes."""


def exact_view(world: TabletopWorld, missed: int | None = None, resized: tuple[int, float] = (-1, 0.0)
               ) -> list[Detection]:
    """The world's objects as a noiseless detector sees them, without row ``missed``; row ``resized[0]``
    looks ``resized[1]`` m larger."""
    return [Detection(o.category, o.adjective, o.radius + (resized[1] if k == resized[0] else 0.0), float(p[1]),
                      (float(p[0]), float(p[1]), float(p[2])))
            for k, (o, p) in enumerate(zip(world.objects, world.positions, strict=True)) if k != missed]


def _view_prompts(objects: list[Detection]) -> Iterable[str]:
    phrases = [noun_phrases(objects, i) for i in range(len(objects))]
    for names in phrases:
        yield from pick_phrasings(names)
    carriers = [None, *objects]
    for carried in carriers:
        for j, target in enumerate(objects):
            word = preposition(carried.category if carried else None, target.category)
            if word and target is not carried:
                yield from place_phrasings(carried_phrase(carried) if carried else "", word, phrases[j])


def vlm_vocabulary(layouts: int = 30, tasks: Iterable[str] | None = None) -> list[str]:
    """The stand-in VLM's prompts on ``tasks`` (default all) over ``layouts`` seeds each, in first-seen order."""
    found: dict[str, None] = dict.fromkeys(RELEASE_PROMPTS)
    for name in tasks or TASKS:
        task = TASKS[name]
        for seed in range(layouts):
            world = task.build(np.random.default_rng(seed))
            rows = range(len(world.objects))
            views = [exact_view(world), *(exact_view(world, missed=k) for k in rows),
                     *(exact_view(world, resized=(k, d)) for k in rows for d in (SIZE_ERROR, -SIZE_ERROR))]
            for view in views:
                found.update(dict.fromkeys(_view_prompts(view)))
    for category in CATEGORIES:
        names = tuple(f"the {noun}" for noun in nouns(category))
        found.update(dict.fromkeys(pick_phrasings(names)))
        for word in ("in", "on"):
            found.update(dict.fromkeys(place_phrasings("", word, names)))
    return list(found)
