"""Per-run bookkeeping the operator reads: one progress line per episode, a CSV, a learning curve.

ROS-free so the node, the replay command and the evaluation write the same files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .episode.records import EpisodeResult
from .episode.robot import Outcome


@dataclass
class RunLog:
    run_dir: Path
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def labelled(self) -> list[Outcome]:
        return [o for o in self.outcomes if o != Outcome.ABORT]

    @property
    def successes(self) -> int:
        return sum(o == Outcome.SUCCESS for o in self.outcomes)

    def success_rate(self, last: int | None = None) -> float:
        window = self.labelled[-last:] if last else self.labelled
        return sum(o == Outcome.SUCCESS for o in window) / len(window) if window else 0.0

    def add(self, result: EpisodeResult, metrics: dict[str, float]) -> str:
        """Record an episode; returns its progress line."""
        self.outcomes.append(result.outcome)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        path = self.run_dir / "episodes.csv"
        new = not path.exists()
        with path.open("a", newline="") as stream:
            writer = csv.writer(stream)
            if new:
                writer.writerow(["episode", "task", "outcome", "steps", "prompts", "td_loss"])
            writer.writerow([result.episode, result.task, result.outcome.name, len(result.steps),
                             " | ".join(result.prompts), metrics.get("train/td_loss", "")])
        loss = metrics.get("train/td_loss")
        return (f"episode {result.episode:4d} | {result.outcome.name:7s} | "
                f"{' -> '.join(result.prompts) or '(no step)'} | "
                f"success {self.successes}/{len(self.labelled)} ({self.success_rate():.0%}, "
                f"last 10: {self.success_rate(10):.0%})"
                + (f" | td_loss {loss:.4f}" if loss is not None else "")
                + (f" | {result.message}" if result.message else ""))

    def plot(self, title: str) -> Path:
        """Success per episode and its running mean, as PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np

        labelled = np.array([o == Outcome.SUCCESS for o in self.labelled], dtype=float)
        path = self.run_dir / "learning_curve.png"
        fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
        if labelled.size:
            episodes = np.arange(1, labelled.size + 1)
            window = min(10, labelled.size)
            running = np.convolve(labelled, np.ones(window) / window, mode="valid")
            ax.scatter(episodes, labelled, s=10, color="#999999", label="episode outcome (1 = success)")
            ax.plot(episodes[window - 1:], running, color="#1f77b4", lw=2.2,
                    label=f"success rate ({window}-episode mean)")
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("online episode")
        ax.set_ylabel("success")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
        return path
