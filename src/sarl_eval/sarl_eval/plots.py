"""Paper-style learning curves: greedy success vs online episodes, one panel per task, one line per method.

Lines are the mean over seeds, the band ± one standard error. Colours are
fixed per method across every figure, so SARL is the same colour everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from .harness import RunResult

COLORS = {
    "sarl": "#d62728",
    "icl_vlm": "#1f77b4",
    "icl_gemini": "#17becf",
    "random": "#7f7f7f",
    "zero_shot": "#2ca02c",
    "sarl_no_reset": "#ff7f0e",
    "sarl_step_only": "#9467bd",
    "sarl_cache16": "#8c564b",
    "sarl_cache100": "#e377c2",
}
LABELS = {
    "sarl": "SARL",
    "icl_vlm": "in-context VLM",
    "icl_gemini": "in-context VLM (Gemini)",
    "random": "random prompt",
    "zero_shot": "task prompt (zero-shot)",
    "sarl_no_reset": "SARL w/o reset-to-home",
    "sarl_step_only": "SARL, state = step index",
    "sarl_cache16": "SARL, cache k=16",
    "sarl_cache100": "SARL, cache k=100",
}


def curve(runs: Sequence[RunResult]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(episodes, mean, standard error) over runs, on the evaluation points they share."""
    points = sorted(set.intersection(*(set(r.eval_points) for r in runs)))
    values = np.array([[dict(zip(r.eval_points, r.eval_success, strict=True))[p] for p in points] for r in runs])
    se = values.std(axis=0, ddof=1) / math.sqrt(len(runs)) if len(runs) > 1 else np.zeros(len(points))
    return np.asarray(points), values.mean(axis=0), se


def plot_curves(results: Sequence[RunResult], path: Path, methods: Sequence[str] | None = None,
                tasks: Sequence[str] | None = None, title: str = "") -> Path | None:
    """Write the figure to ``path`` (PNG); None when there is nothing to plot."""
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for r in results:
        groups.setdefault((r.spec["method"], r.spec["task"]), []).append(r)
    methods = [m for m in (methods or dict.fromkeys(m for m, _ in groups)) if any(m == k[0] for k in groups)]
    tasks = [t for t in (tasks or dict.fromkeys(t for _, t in groups)) if any(t == k[1] for k in groups)]
    if not methods or not tasks:
        return None
    columns = min(len(tasks), 4)
    rows = math.ceil(len(tasks) / columns)
    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "axes.spines.top": False,
                         "axes.spines.right": False})
    fig, axes = plt.subplots(rows, columns, figsize=(3.3 * columns, 2.7 * rows + 0.6), squeeze=False,
                             sharey=True)
    for ax, task in zip(axes.flat, tasks, strict=False):
        for method in methods:
            runs = groups.get((method, task))
            if not runs:
                continue
            x, mean, se = curve(runs)
            color = COLORS.get(method)
            ax.plot(x, 100 * mean, color=color, lw=1.8, label=LABELS.get(method, method))
            ax.fill_between(x, 100 * (mean - se), 100 * (mean + se), color=color, alpha=0.18, lw=0)
        ax.set_title(task.replace("_", " "))
        ax.set_xlabel("online episodes")
        ax.set_ylim(-3, 103)
        ax.grid(alpha=0.25, lw=0.5)
    for ax in axes[:, 0]:
        ax.set_ylabel("greedy success (%)")
    for ax in list(axes.flat)[len(tasks):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in list(axes.flat)[1:len(tasks)]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.1 if rows == 1 else 0.06, 1, 1))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
