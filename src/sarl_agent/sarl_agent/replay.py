"""``ros2 run sarl_agent replay``: offline Q-updates from recorded bags, ending in a checkpoint the agent resumes.

    replay bags/ --updates 2000 --out runs/offline-1
    # then: agent with checkpoint_path:=runs/offline-1/checkpoint.pt resume:=true

Pipeline: find bags -> recover unfinished ones (their recorder died) ->
rebuild one prompt cache from the prompt texts and the replay buffer from the
transitions of labelled episodes (success/failure, as the online agent learns)
-> N TD updates with a progress bar -> ``checkpoint.pt`` (``SarlAgentCore``,
replay buffer included unless ``--no-replay-buffer``), ``summary.json``,
``loss_curve.png``. A bag that cannot be read is reported by name and the
others are still used. Needs no ROS install (rosbags + torch).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sarl_auth import SecretError

from .bag.dataset import BagDataset
from .bag.inspect import add_verification_arguments
from .bag.episodes import EpisodeTable
from .bag.progress import ProgressBar
from .bag.reader import BagProblem, ReadReport
from .bag.recovery import RecoveryReport
from .bag.transition_mac import reading_secret
from .bag.writer import utc_stamp
from .learning.trainer import SarlAgentCore
from .learning_config_file import DEFAULT_LEARNING_CONFIG, load_learning_config, resolve_learning_config


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("bags", nargs="+", help="bag directories, .mcap files or folders of bags")
    parser.add_argument("--updates", type=int, default=1000, help="TD updates to run (default 1000)")
    parser.add_argument("--config", default=DEFAULT_LEARNING_CONFIG,
                        help="learning config YAML (default: the installed config/learning.yaml; '' = defaults)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default runs/replay-<UTC time>)")
    parser.add_argument("--seed", type=int, default=0, help="seeds network init and batch sampling (default 0)")
    parser.add_argument("--no-replay-buffer", action="store_true",
                        help="leave the replay buffer out of the checkpoint (smaller; the agent starts empty)")
    add_verification_arguments(parser)
    args = parser.parse_args(argv)
    if args.updates < 0:
        parser.error(f"--updates must be >= 0, got {args.updates}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    torch.set_num_threads(1)  # small networks: extra threads only add contention (see learning/README.md)
    try:
        config = load_learning_config(args.config, args.seed)
        secret, note = reading_secret(args.secret, not args.no_verify)
    except (OSError, ValueError, TypeError, SecretError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if note:
        print(f"note: {note}", file=sys.stderr)
    out = args.out or Path("runs") / f"replay-{utc_stamp()}"
    out.mkdir(parents=True, exist_ok=True)

    core = SarlAgentCore(config)
    dataset = open_bags(core, args.bags,
                        on_problem=lambda problem: print(f"error: {problem}", file=sys.stderr),
                        on_recovery=lambda report: print(report.describe(), file=sys.stderr), secret=secret)
    reading = ProgressBar("reading bags", total=None, unit="transitions")

    def counted():
        for transition in dataset.transitions():
            yield transition
            reading.update(dataset.used)

    training = ProgressBar("TD updates", total=args.updates, unit="updates")
    losses: list[float] = []

    def progress(index: int, metrics: dict[str, float]) -> None:
        losses.append(metrics["train/td_loss"])
        training.update(index + 1, f"td_loss {np.mean(losses[-50:]):.4f}")

    started = time.monotonic()
    try:
        core.train_offline(_first_then(counted(), reading.close, training.start), args.updates, progress)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # nothing to learn from
        reading.close()
        print(f"error: {error}", file=sys.stderr)
        print(describe_data(dataset.table, dataset, dataset.bags.report), file=sys.stderr)
        return 1
    training.close()
    elapsed = time.monotonic() - started

    checkpoint = out / "checkpoint.pt"
    core.save_checkpoint(checkpoint, include_replay=not args.no_replay_buffer)
    curve = plot_losses(losses, out / "loss_curve.png", f"offline replay: {dataset.used} transitions")
    summary = summarize(args, dataset, losses, elapsed, checkpoint, curve, len(core.replay))
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(describe_data(dataset.table, dataset, dataset.bags.report))
    print(f"training: {args.updates} updates in {elapsed:.1f} s, final td_loss "
          f"{summary['training']['final_td_loss']}")
    print(f"wrote {checkpoint} (resume with checkpoint_path:={checkpoint} resume:=true), {curve}, "
          f"{out / 'summary.json'}")
    if dataset.bags.report.problems:
        print(f"warning: {len(dataset.bags.report.problems)} bag(s) could not be read completely (see errors above)",
              file=sys.stderr)
    return 0


def open_bags(core: SarlAgentCore, paths: Iterable[str | Path],
              on_problem: Callable[[BagProblem], None] | None = None,
              on_recovery: Callable[[RecoveryReport], None] | None = None,
              secret: bytes | None = None) -> BagDataset:
    """The learnable transitions of ``paths``, re-keyed onto ``core``'s prompt cache (images decoded
    only if its config uses them); read lazily by ``dataset.transitions()``; only those signed with
    ``secret`` when it is given."""
    return BagDataset(paths, core.cache, decode_images=core.config.uses_image,
                      on_problem=on_problem, on_recovery=on_recovery, secret=secret)


def _first_then(iterable, *on_end):
    """Yield from ``iterable``, then call each ``on_end`` (reading finished, training starts)."""
    yield from iterable
    for callback in on_end:
        callback()


def describe_data(table: EpisodeTable, dataset: BagDataset, report: ReadReport) -> str:
    counts = table.outcome_counts()
    lines = [
        f"read {len(report.bags)} bag(s), {len(table.runs)} run(s), {sum(counts.values())} episodes "
        f"({', '.join(f'{n} {k}' for k, n in sorted(counts.items())) or 'none'}), {dataset.read} transitions",
        f"learning from {dataset.used} transitions"
        + (f"; skipped {', '.join(f'{n} ({reason})' for reason, n in dataset.skipped.items())}"
           if dataset.skipped else ""),
    ]
    for task, (wins, total) in table.success_by_task().items():
        lines.append(f"  success rate {task!r}: {wins}/{total} ({wins / total:.0%})")
    if report.duplicates:
        lines.append(f"  {report.duplicates} duplicate transitions ignored")
    lines.append(f"  {report.verification()}")
    lines.extend(f"  recovered: {r.describe()}" for r in report.recovered if r.recovered)
    lines.extend(f"  conversion error: {error}" for error in dataset.errors[:5])
    return "\n".join(lines)


def summarize(args: argparse.Namespace, dataset: BagDataset, losses: list[float], elapsed: float,
              checkpoint: Path, curve: Path, replay_size: int) -> dict[str, Any]:
    report = dataset.bags.report
    tail = losses[-max(1, len(losses) // 10):] if losses else []
    return {
        "bags": [str(b) for b in report.bags],
        "problems": [str(p) for p in report.problems],
        "recovered": [r.describe() for r in report.recovered if r.recovered],
        "runs": dataset.table.runs,
        "episodes": dataset.table.outcome_counts(),
        "success_rate_by_task": {task: {"successes": w, "episodes": n, "rate": w / n}
                                 for task, (w, n) in dataset.table.success_by_task().items()},
        "transitions": {"read": dataset.read, "used": dataset.used, "in_replay_buffer": replay_size,
                        "skipped": dict(dataset.skipped), "duplicates": report.duplicates,
                        "verified": report.verified, "unsigned": report.unsigned, "forged": report.forged},
        "training": {"updates": args.updates, "seconds": round(elapsed, 2),
                     "final_td_loss": round(float(np.mean(tail)), 6) if tail else None, "seed": args.seed,
                     "config": str(resolve_learning_config(args.config)) if args.config else None},
        "outputs": {"checkpoint": str(checkpoint), "loss_curve": str(curve)},
    }


def plot_losses(losses: list[float], path: Path, title: str) -> Path:
    """TD loss per update and its running mean, as PNG (same look as the agent's learning curve)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    if losses:
        updates = np.arange(1, len(losses) + 1)
        window = max(1, min(50, len(losses) // 10))
        running = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(updates, losses, color="#999999", lw=0.8, label="TD loss per update")
        ax.plot(updates[window - 1:], running, color="#1f77b4", lw=2.2, label=f"{window}-update mean")
        if min(losses) > 0:
            ax.set_yscale("log")
    ax.set_xlabel("offline update")
    ax.set_ylabel("Huber TD loss")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


if __name__ == "__main__":
    sys.exit(main())
