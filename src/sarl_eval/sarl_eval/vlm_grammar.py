"""How the stand-in VLM words things: nouns, look-alike qualifiers and verb templates.

Why a grammar, not a list: a real VLM rephrases on every call ("grab the
teddy bear on the left", "pick up the leftmost stuffed toy", "lift the toy on
the left"), so over a run it proposes far more distinct prompts than a cache
of 16 or 64 can hold, and most of them are words the VLA never heard in
pretraining. Which phrasing the VLA executes is for the learner to find out;
this module only says what a VLM might say.

Everything here is finite and enumerable (:func:`pick_phrasings`,
:func:`place_phrasings`), so the sampled prompts can be embedded ahead of
time (:mod:`sarl_eval.embeddings`) and a VLM told to choose among cached
prompts can recognise which of them mean the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sarl_sim.objects import CATALOGUE, ObjectKind

NOUNS: dict[str, tuple[str, ...]] = {
    "hammer": ("hammer", "mallet"),
    "plate": ("plate", "dish"),
    "mushroom": ("mushroom", "toadstool"),
    "pot": ("pot", "saucepan"),
    "sushi": ("sushi", "sushi roll"),
    "stuffed_toy": ("stuffed toy", "teddy bear", "toy"),
    "pot_lid": ("pot lid", "lid", "cover"),
    "towel": ("towel", "cloth", "rag"),
    "corn": ("corn", "corn cob"),
    "cup": ("cup", "mug"),
    "block": ("block", "cube"),
}
"""Words a VLM uses for a category, everyday word first; other categories use their catalogue name
(underscores as spaces). The VLA's pretraining nouns are always among them."""

SIDE_FORMS = ("the {side} {noun}", "the {noun} on the {side}", "the {side}most {noun}")
"""How one of two look-alikes is singled out by position (left = larger y)."""
SIZE_FORMS = {"largest": ("largest", "biggest", "big"), "smallest": ("smallest", "small", "little")}
"""Adjectives for the biggest / smallest of look-alikes."""

PICK_TEMPLATES = ("pick up {o}", "pick {o} up", "grab {o}", "grasp {o}", "take {o}", "lift {o}", "get {o}",
                  "take hold of {o}")
PLACE_TEMPLATES = ("put it {p} {o}", "place it {p} {o}", "drop it {p} {o}", "set it {p} {o}", "lower it {p} {o}",
                   "move it to {o}", "bring it to {o}")
NAMED_PLACE_TEMPLATES = ("put {h} {p} {o}", "place {h} {p} {o}")
"""Placing with the carried object named instead of 'it' (its everyday phrase only)."""
RELEASE_PROMPTS = ("open the gripper", "release the object", "let go", "release it", "let it go")


def nouns(category: str) -> tuple[str, ...]:
    """Everyday noun first, then the other words for ``category``, distinct."""
    own = NOUNS.get(category, (category.replace("_", " "),))
    return tuple(dict.fromkeys((*own, *CATALOGUE[category].pretrain_names)))


@dataclass(frozen=True)
class Seen:
    """What the VLM has to single an object out among others: category, colour word, size, side."""

    category: str
    color_name: str
    radius: float
    y: float


def noun_phrases(objects: Sequence[Seen], i: int, *, side_gap: float = 0.04, size_gap: float = 0.008) -> list[str]:
    """Every way the VLM may refer to object ``i`` among ``objects``, everyday phrase first.

    Alone in its category: "the <noun>" for each noun. Among look-alikes: its
    size ("the largest bowl") when it is clearly the biggest/smallest, and its
    side ("the pot on the right") when it is clearly the leftmost/rightmost;
    none when nothing singles it out.
    """
    obj = objects[i]
    words = [f"{obj.color_name} {w}" if obj.color_name else w for w in nouns(obj.category)]
    twins = [o for j, o in enumerate(objects)
             if j != i and o.category == obj.category and o.color_name == obj.color_name]
    if not twins:
        return [f"the {w}" for w in words]
    forms: list[str] = []
    if obj.radius > max(o.radius for o in twins) + size_gap:
        forms += [f"the {a} {{noun}}" for a in SIZE_FORMS["largest"]]
    elif obj.radius < min(o.radius for o in twins) - size_gap:
        forms += [f"the {a} {{noun}}" for a in SIZE_FORMS["smallest"]]
    side = "left" if obj.y > max(o.y for o in twins) + side_gap else (
        "right" if obj.y < min(o.y for o in twins) - side_gap else "")
    if side:
        forms += [form.replace("{side}", side) for form in SIDE_FORMS]
    return list(dict.fromkeys(form.format(noun=w) for w in words for form in forms))


def preposition(carried_category: str | None, target_category: str) -> str:
    """'in'/'on' for where ``carried`` (None: an ordinary item) can be put on ``target``, '' for nowhere."""
    kind = CATALOGUE[target_category].kind
    if kind == ObjectKind.CONTAINER:
        lid = carried_category is not None and CATALOGUE[carried_category].kind == ObjectKind.LID
        return "on" if lid else "in"
    if kind == ObjectKind.SURFACE or CATALOGUE[target_category].stackable:
        return "on"
    return ""


def pick_phrasings(names: Sequence[str]) -> list[str]:
    """Every prompt for picking up the object called ``names`` (its noun phrases)."""
    return list(dict.fromkeys(t.format(o=name) for name in names for t in PICK_TEMPLATES))


def place_phrasings(carried: str, preposition_word: str, names: Sequence[str]) -> list[str]:
    """Every prompt for putting the held object (everyday phrase ``carried``, '' if unseen) ``preposition_word``
    the object called ``names``."""
    out = [t.format(p=preposition_word, o=name) for name in names for t in PLACE_TEMPLATES]
    if carried:
        out += [t.format(h=carried, p=preposition_word, o=name) for name in names[:1] for t in NAMED_PLACE_TEMPLATES]
    return list(dict.fromkeys(out))
