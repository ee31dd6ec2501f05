"""Pretraining demonstrations: random scenes, atomic skills, scripted expert rollouts.

Why this is the stand-in for Bridge/OXE pretraining data: every demonstration
is one *atomic* skill ("pick up the X", "put it in the Y", "open the gripper",
...) named with the pretraining vocabulary, and (like teleoperated data that
starts from a fixed pose) most of them start near the home pose. Nothing in
here knows about the evaluation tasks; whatever the trained policy does with a
task instruction, or with words it never heard, emerges from the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sarl_sim.layout import sample_world
from sarl_sim.objects import BLOCK_COLORS, BOWL_SIZES, CATEGORIES, ObjectInstance, ObjectKind, make_instance
from sarl_sim.prompts import (
    CLOSE_PROMPTS,
    GRASP_HERE_PROMPTS,
    HOVER_TEMPLATES,
    LIFT_PROMPTS,
    OPEN_PROMPTS,
    PICK_TEMPLATES,
    PLACE_IN_TEMPLATES,
    PLACE_ON_TEMPLATES,
    noun_phrases,
)
from sarl_sim.scene import MAX_OBJECTS, SCENE_DIM, encode_scene
from sarl_sim.skills import HOVER_CLEARANCE, Skill, SkillSpec, expert_action, grasp_point
from sarl_sim.world import HOME_STATE, NO_OBJECT, TABLE_Z, TabletopWorld

SKILL_WEIGHTS = {
    Skill.PICK: 0.40,
    Skill.PLACE: 0.38,
    Skill.HOVER: 0.06,
    Skill.GRASP_HERE: 0.06,
    Skill.LIFT: 0.04,
    Skill.OPEN: 0.04,
    Skill.CLOSE: 0.02,
}
"""How often each atomic skill appears in the pretraining data."""
HOME_NOISE = 0.02
"""Half-width (m) of the uniform spread of demo start poses around home."""
TWIN_GROUPS = ("pot", "plate", "stuffed_toy", "bowl", "block")
"""Categories that appear several times in one scene, so 'left/right/big/small' get learned."""


@dataclass
class DemoSet:
    """Flat arrays of (observation, expert action chunk) samples."""

    prompts: list[str]
    """Distinct prompt strings; ``prompt_ids`` index into it."""
    prompt_ids: np.ndarray
    """(S,) int index of each sample's prompt."""
    states: np.ndarray
    """(S, 7) proprioceptive state."""
    scenes: np.ndarray
    """(S, MAX_OBJECTS, SCENE_DIM) scene arrays, zero-padded."""
    masks: np.ndarray
    """(S, MAX_OBJECTS) 1 for real objects."""
    chunks: np.ndarray
    """(S, horizon, 7) the expert's next ``horizon`` actions."""
    skills: np.ndarray
    """(S,) index of the skill in ``list(Skill)`` (statistics only)."""
    targets: np.ndarray
    """(S,) row of the object the prompt names, -1 for skills that name none."""


def _instances(rng: np.random.Generator) -> tuple[list[ObjectInstance], dict[str, str]]:
    objects: list[ObjectInstance] = []
    if rng.random() < 0.45:
        group = TWIN_GROUPS[rng.integers(len(TWIN_GROUPS))]
        if group == "bowl":
            sizes = rng.choice(list(BOWL_SIZES), size=rng.integers(2, 4), replace=False)
            objects += [make_instance(f"bowl_{s}", "bowl", radius=BOWL_SIZES[s]) for s in sizes]
        elif group == "block":
            colors = rng.choice(list(BLOCK_COLORS), size=rng.integers(2, 5), replace=False)
            objects += [make_instance(f"block_{c}", "block", color_name=c) for c in colors]
        else:
            objects += [make_instance(f"{group}_{k}", group) for k in range(2)]
    used = {o.category for o in objects}
    singles = [c for c in CATEGORIES if c not in used]
    count = max(0, int(rng.integers(3, 7)) - len(objects))
    large = sum(o.radius >= 0.06 for o in objects)
    for category in rng.permutation(singles):
        if count == 0:
            break
        inst = (
            make_instance(category, category, color_name=str(rng.choice(list(BLOCK_COLORS))))
            if category == "block"
            else make_instance(category, category, radius=BOWL_SIZES[rng.choice(list(BOWL_SIZES))])
            if category == "bowl"
            else make_instance(category, category)
        )
        if inst.radius >= 0.06 and large >= 3:
            continue
        large += inst.radius >= 0.06
        objects.append(inst)
        count -= 1
    placed_on: dict[str, str] = {}
    names = {o.name: o for o in objects}
    if "pot_lid" in names and "pot" in names and rng.random() < 0.5:
        placed_on["pot_lid"] = "pot"
    containers = [o.name for o in objects if o.kind == ObjectKind.CONTAINER and o.name not in placed_on.values()]
    surfaces = [o.name for o in objects if o.kind == ObjectKind.SURFACE]
    blocks = [o.name for o in objects if o.spec.stackable]
    if len(blocks) >= 2 and rng.random() < 0.4:
        top, bottom = rng.choice(blocks, size=2, replace=False)
        placed_on[str(top)] = str(bottom)
    for o in objects:
        if o.kind != ObjectKind.ITEM or o.name in placed_on or o.name in placed_on.values() or rng.random() > 0.2:
            continue
        hosts = [h for h in containers + surfaces if h not in placed_on.values()]
        if hosts:
            placed_on[o.name] = str(rng.choice(hosts))
    return objects, placed_on


def sample_pretraining_scene(rng: np.random.Generator) -> TabletopWorld:
    """A random cluttered scene in the style of the pretraining data."""
    for _ in range(50):
        objects, placed_on = _instances(rng)
        try:
            return sample_world(rng, objects, placed_on)
        except RuntimeError:
            continue
    raise RuntimeError("could not sample a pretraining scene")


def _choose(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def _setup(rng: np.random.Generator, world: TabletopWorld) -> tuple[SkillSpec, str] | None:
    """Pick a skill, its target and prompt, and put the arm in the skill's start state."""
    skills = list(SKILL_WEIGHTS)
    skill = skills[rng.choice(len(skills), p=np.array(list(SKILL_WEIGHTS.values())))]
    home = np.array(HOME_STATE)
    home[:3] += rng.uniform(-HOME_NOISE, HOME_NOISE, size=3)
    world.set_ee(home)
    named = {i: noun_phrases(world, i) for i in range(len(world.objects))}
    named = {i: p for i, p in named.items() if p}
    if skill is Skill.PICK:
        if not named:
            return None
        target = _choose(rng, list(named))
        return SkillSpec(skill, target), _choose(rng, PICK_TEMPLATES).format(x=_choose(rng, named[target])[4:])
    if skill is Skill.HOVER:
        if not named:
            return None
        target = _choose(rng, list(named))
        return SkillSpec(skill, target), _choose(rng, HOVER_TEMPLATES).format(x=_choose(rng, named[target])[4:])
    if skill is Skill.PLACE:
        return _setup_place(rng, world, named)
    if skill is Skill.GRASP_HERE:
        i = int(rng.integers(len(world.objects)))
        point = grasp_point(world, i)
        pose = np.array(HOME_STATE)
        pose[:2] = point[:2] + rng.uniform(-0.008, 0.008, size=2)
        pose[2] = world.top_z(i) + HOVER_CLEARANCE + rng.uniform(-0.02, 0.03)
        world.set_ee(pose)
        return SkillSpec(skill), _choose(rng, GRASP_HERE_PROMPTS)
    # OPEN, CLOSE, LIFT: start anywhere in the reachable space, holding something half the time.
    pose = np.array(HOME_STATE)
    pose[:2] = rng.uniform([0.15, -0.10], [0.40, 0.20])
    pose[2] = rng.uniform(TABLE_Z + 0.03, 0.12)
    world.set_ee(pose)
    holdable = [i for i, o in enumerate(world.objects) if o.kind in (ObjectKind.ITEM, ObjectKind.LID)]
    if skill is not Skill.CLOSE and holdable and rng.random() < 0.6:
        world.attach(_choose(rng, holdable))
    prompts = {Skill.OPEN: OPEN_PROMPTS, Skill.CLOSE: CLOSE_PROMPTS, Skill.LIFT: LIFT_PROMPTS}[skill]
    return SkillSpec(skill), _choose(rng, prompts)


def _setup_place(rng: np.random.Generator, world: TabletopWorld, named: dict[int, list[str]]):
    holdable = [
        i
        for i, o in enumerate(world.objects)
        if o.kind in (ObjectKind.ITEM, ObjectKind.LID) or (o.category == "bowl" and o.radius <= 0.06)
    ]
    if not holdable:
        return None
    bowls = [i for i in holdable if world.objects[i].kind == ObjectKind.CONTAINER]
    held = _choose(rng, bowls) if bowls and rng.random() < 0.3 else _choose(rng, holdable)
    held_obj = world.objects[held]
    excluded = {held, *world.descendants(held)}
    receptacles = []
    for j in named:
        obj = world.objects[j]
        if j in excluded:
            continue
        if obj.kind == ObjectKind.CONTAINER and obj.radius > held_obj.radius:
            receptacles.append(j)
        elif obj.kind == ObjectKind.SURFACE or (obj.spec.stackable and held_obj.spec.stackable):
            receptacles.append(j)
    if not receptacles:
        return None
    target = _choose(rng, receptacles)
    world.attach(held)
    receptacle = world.objects[target]
    into = receptacle.kind == ObjectKind.CONTAINER and held_obj.kind != ObjectKind.LID
    template = _choose(rng, PLACE_IN_TEMPLATES if into else PLACE_ON_TEMPLATES)
    return SkillSpec(Skill.PLACE, target), template.format(x=_choose(rng, named[target])[4:])


def expert_chunk(world: TabletopWorld, spec: SkillSpec, horizon: int) -> np.ndarray:
    """The expert's next ``horizon`` actions if run open loop from ``world`` (left unchanged).

    Why open loop: a chunk label must be a function of the current state. Taking
    the actions of the (noisy) executed trajectory instead makes the later chunk
    entries average over noise outcomes, and executing them makes the policy
    hover in place (e.g. "descend" then "lift" when a release is due).
    """
    twin = world.copy()
    chunk = np.empty((horizon, 7), dtype=np.float32)
    for h in range(horizon):
        chunk[h] = expert_action(twin, spec)
        if h + 1 < horizon:
            twin.step(chunk[h])
    return chunk


def rollout(
    rng: np.random.Generator, world: TabletopWorld, spec: SkillSpec, steps: int, noise: float, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the expert with Gaussian translation noise; return states, scenes and expert chunks."""
    states = np.empty((steps, 7), dtype=np.float32)
    scenes = np.empty((steps, len(world.objects), SCENE_DIM), dtype=np.float32)
    chunks = np.empty((steps, horizon, 7), dtype=np.float32)
    for t in range(steps):
        states[t] = world.ee
        scenes[t] = encode_scene(world)
        chunks[t] = expert_chunk(world, spec, horizon)
        executed = chunks[t, 0].astype(float)
        executed[:3] += rng.normal(0.0, noise, size=3)
        world.step(executed)
    return states, scenes, chunks


def generate_demos(num_demos: int, seed: int, horizon: int, steps: int = 24) -> DemoSet:
    """Generate ``num_demos`` expert demonstrations of ``steps`` control steps each."""
    if num_demos < 1 or steps < 1 or horizon < 1:
        raise ValueError("num_demos, steps and horizon must be >= 1")
    rng = np.random.default_rng(seed)
    prompts: dict[str, int] = {}
    ids, states, scenes, masks, chunks, skills, targets = [], [], [], [], [], [], []
    skill_index = {s: k for k, s in enumerate(Skill)}
    made = 0
    while made < num_demos:
        world = sample_pretraining_scene(rng)
        setup = _setup(rng, world)
        if setup is None or (world.held == NO_OBJECT and setup[0].skill is Skill.PLACE):
            continue
        spec, prompt = setup
        noise = float(rng.choice([0.0, 0.004, 0.008]))
        s, sc, c = rollout(rng, world, spec, steps, noise, horizon)
        padded = np.zeros((steps, MAX_OBJECTS, SCENE_DIM), dtype=np.float32)
        padded[:, : sc.shape[1]] = sc
        padded[:, sc.shape[1] :, 10] = -1.0
        mask = np.zeros((steps, MAX_OBJECTS), dtype=np.float32)
        mask[:, : sc.shape[1]] = 1.0
        ids.append(np.full(steps, prompts.setdefault(prompt, len(prompts))))
        states.append(s)
        scenes.append(padded)
        masks.append(mask)
        chunks.append(c)
        skills.append(np.full(steps, skill_index[spec.skill]))
        targets.append(np.full(steps, spec.target))
        made += 1
    return DemoSet(
        prompts=list(prompts),
        prompt_ids=np.concatenate(ids),
        states=np.concatenate(states),
        scenes=np.concatenate(scenes),
        masks=np.concatenate(masks),
        chunks=np.concatenate(chunks),
        skills=np.concatenate(skills),
        targets=np.concatenate(targets),
    )
