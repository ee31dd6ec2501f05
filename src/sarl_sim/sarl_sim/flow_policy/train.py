"""Train the pixel stand-in VLA on atomic-skill demonstrations from the physics world.

    python -m sarl_sim.flow_policy.train --out PATH [--layouts 200] [--steps 20000] [--size 64] [--seed 0]

Collects demonstrations (:mod:`.demos`, successful ones only) on every task's scenes for layout seeds
``0..layouts-1``, embeds their prompts with MiniLM (the shipped cache first), and fits
:class:`~.network.PixelFlowPolicy` by flow matching. Prints progress; writes the weights with their
provenance (layouts, seed, steps, final loss, git commit). Hours on this CPU at the defaults.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from sarl_sim.tasks import TASKS

from .action_scale import to_unit
from .demos import SkillDemo, chunk_targets, record_pick_and_place
from .network import FlowPolicyConfig, PixelFlowPolicy

Embed = Callable[[list[str]], np.ndarray]


def collect(layouts: Sequence[int], size: int, tasks: Sequence[str] = tuple(TASKS),
            progress: Callable[[str], None] = print) -> list[SkillDemo]:  # fmt: skip
    demos, tried = [], 0
    for index, seed in enumerate(layouts):
        for task in tasks:
            recorded = record_pick_and_place(task, seed, size)
            tried += len(recorded)
            demos += [demo for demo in recorded if demo.succeeded]
        if (index + 1) % 10 == 0 or index + 1 == len(layouts):
            progress(f"demonstrations: layout {index + 1}/{len(layouts)}, {len(demos)} of {tried} succeeded")
    return demos


def tensors(demos: Sequence[SkillDemo], embed: Embed, horizon: int) -> dict[str, torch.Tensor]:
    """One row per recorded step: image (N, 3, S, S) in [0, 1], proprio, prompt embedding, unit-scale chunk."""
    prompts = sorted({demo.prompt for demo in demos})
    vectors = dict(zip(prompts, np.asarray(embed(prompts), dtype=np.float32), strict=True))
    return {
        "images": torch.from_numpy(np.concatenate([d.images for d in demos])).permute(0, 3, 1, 2).contiguous(),
        "proprio": torch.from_numpy(np.concatenate([d.proprio for d in demos])),
        "prompts": torch.from_numpy(np.concatenate([np.tile(vectors[d.prompt], (len(d.actions), 1)) for d in demos])),
        "chunks": torch.from_numpy(np.concatenate([to_unit(chunk_targets(d.actions, horizon)) for d in demos])),
    }


def fit(policy: PixelFlowPolicy, data: dict[str, torch.Tensor], steps: int, batch: int, seed: int,
        progress: Callable[[str], None] = print) -> float:  # fmt: skip
    """Adam on the flow-matching loss; the mean loss of the last 100 steps."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-3)
    rows = data["chunks"].shape[0]
    recent: list[float] = []
    started = time.monotonic()
    for step in range(1, steps + 1):
        pick = torch.randint(rows, (batch,), generator=generator)
        images = data["images"][pick].float() / 255.0
        loss = policy.loss(images, data["proprio"][pick], data["prompts"][pick], data["chunks"][pick], generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        recent = [*recent, loss.item()][-100:]
        if step % max(1, steps // 20) == 0 or step == steps:
            elapsed = time.monotonic() - started
            progress(f"step {step}/{steps}: loss {np.mean(recent):.4f}, {elapsed / step * 1e3:.0f} ms/step, "
                     f"{elapsed / step * (steps - step) / 60:.1f} min left")  # fmt: skip
    return float(np.mean(recent))


def save(path: Path, policy: PixelFlowPolicy, provenance: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": policy.config.__dict__, "state_dict": policy.state_dict(), "provenance": provenance}, path)


def load(path: Path) -> tuple[PixelFlowPolicy, dict]:
    """The policy (eval mode) and its provenance."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    policy = PixelFlowPolicy(FlowPolicyConfig(**saved["config"]))
    policy.load_state_dict(saved["state_dict"])
    return policy.eval(), saved["provenance"]


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).parent).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _minilm(prompts: list[str]) -> np.ndarray:
    from sarl_sim.embedding import default_embedder

    return default_embedder().embed_many(prompts)


def main(argv: list[str] | None = None, embed: Embed = _minilm) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="weights file to write (.pt)")
    parser.add_argument("--layouts", type=int, default=200, help="layout seeds per task")
    parser.add_argument("--steps", type=int, default=20000, help="training steps")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--size", type=int, default=64, help="camera image side (px)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (more contend on a shared 2-core box)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    demos = collect(range(args.layouts), args.size)
    if not demos:
        parser.error("no successful demonstration was recorded")
    config = FlowPolicyConfig(image_size=args.size)
    data = tensors(demos, embed, config.horizon)
    print(f"training on {data['chunks'].shape[0]} steps of {len(demos)} demonstrations, "
          f"{len({d.prompt for d in demos})} prompts")
    policy = PixelFlowPolicy(config)
    loss = fit(policy, data, args.steps, args.batch, args.seed)
    save(args.out, policy, {"layouts": args.layouts, "tasks": list(TASKS), "seed": args.seed, "steps": args.steps,
                            "batch": args.batch, "final_loss": loss, "demonstrations": len(demos),
                            "commit": _commit()})  # fmt: skip
    print(f"wrote {args.out} ({json.dumps({'final_loss': round(loss, 4)})})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
