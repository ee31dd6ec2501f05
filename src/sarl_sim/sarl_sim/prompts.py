"""Language of the simulator: pretraining prompt templates and per-task candidates.

Two vocabularies live here on purpose, side by side, so the gap between them
is visible in one file:

* the **pretraining vocabulary** — the atomic-skill templates and object nouns
  (:attr:`sarl_sim.objects.ObjectSpec.pretrain_names`) the stand-in VLA was
  imitation-trained on. It never contains whole tasks ("move X to Y, then …"),
  nor the words "mushroom", "stuffed toy", "towel" or "largest";
* the **offline candidate prompts** of each task — what a VLM proposer might
  plausibly suggest: grounded atomic prompts, the task instruction itself,
  plausible-but-ungrounded phrasings, and ``reset to home``.
"""

from __future__ import annotations

import re

from sarl_sim.world import TabletopWorld

RESET_TO_HOME = "reset to home"
"""The semantic action that runs the PID reset controller instead of the VLA."""

PICK_TEMPLATES = ("pick up the {x}", "grab the {x}", "grasp the {x}", "take the {x}")
PLACE_IN_TEMPLATES = ("put it in the {x}", "place it in the {x}", "drop it in the {x}")
PLACE_ON_TEMPLATES = ("put it on the {x}", "place it on the {x}", "drop it on the {x}")
HOVER_TEMPLATES = ("move above the {x}", "go to the {x}")
GRASP_HERE_PROMPTS = ("move down and grasp", "lower the gripper and grasp")
OPEN_PROMPTS = ("open the gripper", "release the object", "let go")
CLOSE_PROMPTS = ("close the gripper",)
LIFT_PROMPTS = ("lift it up", "move up", "raise the gripper")

SIDE_FORMS = ("the {side} {noun}", "the {noun} on the {side}")
"""How pretraining annotators told apart two objects of one category by position."""
SIZE_WORDS = {"largest": "big", "smallest": "small"}
"""How pretraining annotators told apart bowls of different sizes."""


def normalize_prompt(prompt: str) -> str:
    """Canonical form of a prompt: lower case, single spaces, no surrounding blanks."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    text = re.sub(r"\s+", " ", prompt.strip().lower())
    if not text:
        raise ValueError("prompt must not be empty")
    return text


_GENERIC = (
    "move down and grasp",
    "open the gripper",
    "lift it up",
    RESET_TO_HOME,
)

TASK_CANDIDATES: dict[str, tuple[str, ...]] = {
    "hammer_plate_mushroom": (
        "move the hammer to the plate, then grasp the mushroom",
        "pick up the hammer",
        "put it on the plate",
        "pick up the toadstool",
        "grasp the mushroom",
        "pick up the mushroom",
        "put the hammer on the plate",
        "move above the hammer",
        "pick up the plate",
        "close the gripper",
        *_GENERIC,
    ),
    "banana_pot_sushi_bowl": (
        "move the banana to the pot on the right and the sushi to the bowl",
        "pick up the banana",
        "put it in the pot on the right",
        "put it in the right pot",
        "put it in the pot on the left",
        "put it in the pot",
        "pick up the sushi",
        "put it in the bowl",
        "put the banana in the pot",
        "put the sushi in the bowl",
        "pick up the pot",
        *_GENERIC,
    ),
    "left_toy_largest_bowl": (
        "move the left stuffed toy to the largest bowl",
        "pick up the left stuffed toy",
        "pick up the stuffed toy",
        "pick up the left teddy bear",
        "pick up the teddy bear on the left",
        "pick up the teddy bear on the right",
        "put it in the largest bowl",
        "put it in the big bowl",
        "put it in the small bowl",
        "put it in the bowl",
        *_GENERIC,
    ),
    "pot_lid_to_towel": (
        "move the pot lid to the towel",
        "pick up the pot lid",
        "pick up the lid",
        "put it on the towel",
        "put it on the cloth",
        "pick up the pot",
        "take the lid off the pot",
        "put the lid on the towel",
        "move above the lid",
        *_GENERIC,
    ),
    "carrot_corn_basket": (
        "put both the carrot and the corn in the basket",
        "pick up the carrot",
        "pick up the corn",
        "put it in the basket",
        "put the carrot in the basket",
        "put the corn in the basket",
        "pick up the basket",
        *_GENERIC,
    ),
    "cup_in_pot_cover": (
        "put the cup in the pot and cover it with the lid",
        "pick up the cup",
        "put it in the pot",
        "pick up the lid",
        "put it on the pot",
        "cover the pot",
        "close the pot with the lid",
        "pick up the mug",
        *_GENERIC,
    ),
    "stack_blocks": (
        "stack the red block on the blue block, then the green block on the red block",
        "pick up the red block",
        "pick up the green block",
        "pick up the blue block",
        "put it on the red block",
        "put it on the blue block",
        "put it on the green block",
        "stack the blocks",
        *_GENERIC,
    ),
    "apple_orange_plates": (
        "put the apple on the left plate and the orange on the right plate",
        "pick up the apple",
        "pick up the orange",
        "put it on the left plate",
        "put it on the right plate",
        "put it on the plate on the left",
        "put it on the plate on the right",
        "put it on the plate",
        *_GENERIC,
    ),
    "spoon_bowl_tray": (
        "put the spoon in the bowl and then put the bowl on the tray",
        "pick up the spoon",
        "put it in the bowl",
        "pick up the bowl",
        "put it on the tray",
        "put the bowl on the tray",
        "pick up the tray",
        *_GENERIC,
    ),
    "uncover_pot_mushroom": (
        "take the lid off the pot and put the mushroom in the pot",
        "pick up the lid",
        "put it on the cloth",
        "pick up the mushroom",
        "pick up the toadstool",
        "put it in the pot",
        "put the mushroom in the pot",
        "open the pot",
        *_GENERIC,
    ),
}
"""Offline candidate prompts per task (the stand-in for a VLM proposer's cache)."""

EXTRA_CACHED_PROMPTS: tuple[str, ...] = (
    *GRASP_HERE_PROMPTS,
    *OPEN_PROMPTS,
    *CLOSE_PROMPTS,
    *LIFT_PROMPTS,
    "pick up the teddy bear",
    "pick up the right teddy bear",
    "pick up the right stuffed toy",
    "pick up the pot on the right",
    "pick up the bowl",
    "put it on the table",
    "do nothing",
)
"""Further prompts whose embeddings ship with the package (tests, demos, benchmarks)."""


def cached_prompts() -> list[str]:
    """Every prompt whose embedding the package ships, normalised and deduplicated."""
    seen: dict[str, None] = {}
    for prompts in TASK_CANDIDATES.values():
        for p in prompts:
            seen[normalize_prompt(p)] = None
    for p in EXTRA_CACHED_PROMPTS:
        seen[normalize_prompt(p)] = None
    return list(seen)


def noun_phrases(world: TabletopWorld, i: int) -> list[str]:
    """Pretraining-style noun phrases that pick out object ``i`` unambiguously in ``world``.

    Mirrors how Bridge-style annotators named things: the category noun (with
    its colour for blocks), plus "left"/"right" or "big"/"small" when the scene
    holds several of that category. Returns [] if no phrase is unambiguous.
    """
    obj = world.objects[i]
    nouns = [f"{obj.adjective} {n}" if obj.adjective else n for n in obj.spec.pretrain_names]
    same = [j for j, other in enumerate(world.objects) if other.category == obj.category]
    if len(same) == 1:
        phrases = [f"the {n}" for n in nouns]
        if obj.adjective:
            phrases += [f"the {n}" for n in obj.spec.pretrain_names]
        return phrases
    phrases = []
    if obj.adjective and all(world.objects[j].adjective != obj.adjective for j in same if j != i):
        phrases += [f"the {n}" for n in nouns]
    plain = obj.spec.pretrain_names
    others_y = [world.positions[j, 1] for j in same if j != i]
    y = world.positions[i, 1]
    if y > max(others_y) + SIDE_MARGIN:
        phrases += [form.format(side="left", noun=n) for n in plain for form in SIDE_FORMS]
    elif y < min(others_y) - SIDE_MARGIN:
        phrases += [form.format(side="right", noun=n) for n in plain for form in SIDE_FORMS]
    others_r = [world.objects[j].radius for j in same if j != i]
    if obj.radius > max(others_r) + SIZE_MARGIN:
        phrases += [f"the {SIZE_WORDS['largest']} {n}" for n in plain]
    elif obj.radius < min(others_r) - SIZE_MARGIN:
        phrases += [f"the {SIZE_WORDS['smallest']} {n}" for n in plain]
    return phrases


SIDE_MARGIN = 0.04
"""Least y gap (m) for annotators to call one object 'left'/'right' of its twins."""
SIZE_MARGIN = 0.008
"""Least radius gap (m) for annotators to call one object 'big'/'small'."""
