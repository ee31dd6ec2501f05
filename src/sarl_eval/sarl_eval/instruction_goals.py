"""What an instruction asks to move where, read off its words: the stand-in VLM's task reading.

Why it exists: a VLM asked for the next step of "move the banana to the pot
on the right and the sushi to the bowl" proposes picking up the banana or the
sushi, not the pots; holding the banana it proposes the pot on the right; and
once the banana is in that pot it moves on to the sushi. The scene-aware
proposer gets that reading from here, so its candidates follow the task's
sub-goals the way Gemini's do, while which phrasing the VLA executes and when
to reset stay for the learner to find out.

The reading is a small rule set for imperative instructions, not a parser of
English. Each object mention (matched by the phrases
:func:`~sarl_eval.scene_proposer.describe` gives it, longest first) takes its
role from the word before it:

* after ``to/in/on/into/onto``: the destination of the objects mentioned since
  the previous destination ("both the carrot and the corn in the basket");
* after ``with``: an object to move onto the last destination ("cover it with
  the lid");
* after ``off/from``: where the pending objects must leave ("take the lid off
  the pot");
* otherwise: an object to move. One left without a destination is to be held
  ("then grasp the mushroom").

``then`` orders the goals: later ones count only once earlier ones are met.
An instruction with no mention of anything on the table gives no goals, and
the proposer falls back to acting on every object.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DESTINATION_WORDS = frozenset({"to", "in", "on", "into", "onto"})
INSTRUMENT_WORDS = frozenset({"with"})
SOURCE_WORDS = frozenset({"off", "from"})
ORDER_WORD = "then"


@dataclass(frozen=True)
class Goal:
    """One sub-goal: where scene row ``obj`` must end up."""

    obj: int
    destination: int | None = None
    """Row it must rest in or on; None with ``away_from`` None means: hold it."""
    away_from: int | None = None
    """Row it must no longer rest in or on."""
    stage: int = 0
    """Position in the ``then`` order; goals of a stage count once all earlier stages are met."""

    def met(self, held: int | None, supports: Sequence[int]) -> bool:
        """Whether the scene (held row, support row per object) satisfies this goal."""
        if self.destination is not None:
            return held != self.obj and supports[self.obj] == self.destination
        if self.away_from is not None:
            return held != self.obj and supports[self.obj] != self.away_from
        return held == self.obj


def words_of(text: str) -> list[str]:
    """Lower-case words of ``text``, punctuation dropped (how instructions and phrases are compared)."""
    return re.findall(r"[a-z]+", text.lower())


def find_mentions(instruction: str, phrases: Sequence[Sequence[str]]) -> list[tuple[int, int, int]]:
    """(start word, end word, object row) of each object mention, in text order, longest matches first."""
    words = words_of(instruction)
    spans = []
    for row, names in enumerate(phrases):
        for name in names:
            target = words_of(name)
            spans += [(start, start + len(target), row) for start in range(len(words) - len(target) + 1)
                      if words[start:start + len(target)] == target]
    taken: set[int] = set()
    chosen = []
    for start, end, row in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            chosen.append((start, end, row))
    return sorted(chosen)


def read_goals(instruction: str, phrases: Sequence[Sequence[str]]) -> list[Goal]:
    """The instruction's sub-goals over the scene objects whose noun phrases are ``phrases`` (one list per row)."""
    words = words_of(instruction)
    goals: list[Goal] = []
    pending: list[int] = []
    last_destination: int | None = None
    stage, cursor = 0, 0
    for start, end, row in find_mentions(instruction, phrases):
        if ORDER_WORD in words[cursor:start]:
            goals += [Goal(obj, stage=stage) for obj in pending]
            pending, stage = [], stage + 1
        cursor = end
        before = words[start - 1] if start else ""
        if before in DESTINATION_WORDS:
            goals += [Goal(obj, destination=row, stage=stage) for obj in pending if obj != row]
            pending, last_destination = [], row
        elif before in INSTRUMENT_WORDS and last_destination is not None:
            goals.append(Goal(row, destination=last_destination, stage=stage))
        elif before in SOURCE_WORDS:
            goals += [Goal(obj, away_from=row, stage=stage) for obj in pending if obj != row]
            pending = []
        else:
            pending.append(row)
    goals += [Goal(obj, stage=stage) for obj in pending]
    return goals


def open_goals(goals: Sequence[Goal], held: int | None, supports: Sequence[int]) -> list[Goal]:
    """Goals not yet met in the earliest stage that has any (empty when all are met)."""
    unmet = [g for g in goals if not g.met(held, supports)]
    if not unmet:
        return []
    first = min(g.stage for g in unmet)
    return [g for g in unmet if g.stage == first]
