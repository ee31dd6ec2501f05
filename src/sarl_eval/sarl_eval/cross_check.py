"""``sarl cross-check``: the same SARL run through the ROS graph and without ROS, compared within noise.

Why: the evaluation's curves come from the ROS-free loop (the learning core and the simulator called
directly, for speed). This check shows the ROS node graph — driver, bridge over the openpi protocol,
proposer service, recorder, agent — learns the same way, so the curves speak for the deployed stack.
Both paths use the same ``EpisodeRunner``, learning config, scene-aware proposer (the evaluation's ``oracle``,
the graph's ``scene`` backend) and stand-in VLA;
they differ in layouts (the agent node seeds episode e with seed + e) and in timing, hence "within noise".

    python -m sarl_eval.cross_check --task pot_lid_to_towel --seeds 0,1,2 --episodes 30

Writes ``online.csv`` (one row per path, seed and episode), ``cross_check.png`` and ``cross_check.md``
(online success per block of episodes, mean ± standard error over seeds, both paths, and the verdict).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .graph_run import run_graph, run_ros_free

PATHS = ("ros_free", "ros_graph")
BLOCK = 10
"""Episodes per block of the online-success comparison."""


def ros_free_outcomes(task: str, seed: int, episodes: int) -> list[bool]:
    """Online (behaviour-policy) outcomes of SARL without ROS."""
    return list(run_ros_free(task, seed, episodes).train_success)


def ros_graph_outcomes(task: str, seed: int, episodes: int, work: Path) -> list[bool]:
    """Online outcomes of the agent node in the simulated ROS graph (separate processes over DDS)."""
    return run_graph(task, seed, episodes, work, f"cross-check-{task}-{seed}").outcomes()


def block_means(outcomes: Sequence[bool], block: int = BLOCK) -> list[float]:
    """Success rate of each full block of ``block`` episodes."""
    values = np.asarray(outcomes, dtype=float)
    return [float(values[k:k + block].mean()) for k in range(0, len(values) - block + 1, block)]


def compare(results: dict[str, dict[int, list[bool]]], block: int = BLOCK) -> tuple[list[str], bool]:
    """Markdown rows per block (mean ± se over seeds for each path) and whether every block agrees within noise.

    Agreement: |difference of means| <= 2 * sqrt(se_a^2 + se_b^2) + 0.1 (one episode in ten of slack,
    since with three seeds the standard errors themselves are rough).
    """
    per_path = {path: np.array([block_means(o, block) for o in results[path].values()]) for path in PATHS}
    blocks = min(a.shape[1] for a in per_path.values())
    rows, agree = [], True
    for k in range(blocks):
        stats = {}
        for path, table in per_path.items():
            column = table[:, k]
            stats[path] = (column.mean(), column.std(ddof=1) / np.sqrt(len(column)) if len(column) > 1 else 0.0)
        (m_a, s_a), (m_b, s_b) = stats["ros_free"], stats["ros_graph"]
        ok = abs(m_a - m_b) <= 2 * np.hypot(s_a, s_b) + 0.1
        agree &= bool(ok)
        rows.append(f"| {k * block + 1}-{(k + 1) * block} | {100 * m_a:.0f} ± {100 * s_a:.0f} | "
                    f"{100 * m_b:.0f} ± {100 * s_b:.0f} | {'yes' if ok else 'NO'} |")
    return rows, agree


def plot(results: dict[str, dict[int, list[bool]]], path: Path, task: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, color in zip(PATHS, ("tab:blue", "tab:orange"), strict=True):
        runs = [np.convolve(np.asarray(o, float), np.ones(BLOCK) / BLOCK, mode="valid") for o in results[name].values()]
        length = min(len(r) for r in runs)
        table = np.array([r[:length] for r in runs])
        x = np.arange(BLOCK, BLOCK + length)
        mean = table.mean(axis=0)
        se = table.std(axis=0, ddof=1) / np.sqrt(len(table)) if len(table) > 1 else np.zeros(length)
        ax.plot(x, 100 * mean, color=color, label=name.replace("_", " "))
        ax.fill_between(x, 100 * (mean - se), 100 * (mean + se), color=color, alpha=0.2)
    ax.set(xlabel="online episode", ylabel=f"success over the last {BLOCK} episodes (%)", ylim=(-2, 102),
           title=f"SARL online, ROS graph vs ROS-free: {task} ({len(results[PATHS[0]])} seeds)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="pot_lid_to_towel")
    parser.add_argument("--seeds", default="0,1,2", help="comma list of seeds")
    parser.add_argument("--episodes", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("results/cross_check"))
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    if args.episodes < BLOCK:
        raise SystemExit(f"--episodes must be >= {BLOCK}")
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[int, list[bool]]] = {path: {} for path in PATHS}
    for seed in seeds:
        for path in PATHS:
            started = time.monotonic()
            outcomes = (ros_free_outcomes(args.task, seed, args.episodes) if path == "ros_free"
                        else ros_graph_outcomes(args.task, seed, args.episodes, args.out))
            results[path][seed] = outcomes
            print(f"[cross-check] {path:9s} seed {seed}: {sum(outcomes)}/{len(outcomes)} online successes, "
                  f"blocks {[round(m, 2) for m in block_means(outcomes)]} ({time.monotonic() - started:.0f} s)",
                  flush=True)
    with (args.out / "online.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["path", "seed", "episode", "success"])
        for path, by_seed in results.items():
            for seed, outcomes in by_seed.items():
                writer.writerows([path, seed, e, int(s)] for e, s in enumerate(outcomes))
    rows, agree = compare(results)
    verdict = "agree within noise" if agree else "DIFFER beyond noise"
    text = "\n".join([
        f"# Cross-check: SARL online on {args.task}, ROS graph vs ROS-free ({len(seeds)} seeds: {args.seeds})", "",
        f"Online (exploring) success %, mean ± standard error over seeds, per block of {BLOCK} episodes.", "",
        "| episodes | ROS-free | ROS graph | within noise |", "|---|---|---|---|", *rows, "",
        f"Verdict: the two paths {verdict}.", "",
    ])
    (args.out / "cross_check.md").write_text(text)
    plot(results, args.out / "cross_check.png", args.task)
    print(text)
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
