"""Results on disk and their summary: per-run JSON, long-format curves CSV, summary CSV + Markdown.

Layout of an output folder::

    runs/<method>__<task>__s<seed>.json   one RunResult each (the spec is inside)
    curves.csv                            method, task, seed, episodes, success
    summary.csv, summary.md               success at 20/50/100 episodes, episodes to 80 %

Statistics are over seeds: mean ± standard error (sample std / sqrt(n); "±0"
is printed as "±—" when there is a single seed). "Episodes to 80 %" is, per
seed, the first evaluation point whose greedy success is ≥ 80 %; the table
gives the median over seeds ("> N" when most seeds never got there within
N episodes) and how many seeds got there.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .harness import RunResult

MILESTONES = (20, 50, 100)
THRESHOLD = 0.8


def save_run(result: RunResult, out: Path) -> Path:
    path = Path(out) / "runs" / f"{_key(result)}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(result), indent=1))
    tmp.replace(path)
    return path


def load_run(path: Path) -> RunResult:
    return RunResult(**json.loads(Path(path).read_text()))


def load_runs(out: Path) -> list[RunResult]:
    return [load_run(p) for p in sorted((Path(out) / "runs").glob("*.json"))]


def _key(result: RunResult) -> str:
    s = result.spec
    return f"{s['method']}__{s['task']}__s{s['seed']}"


def success_at(result: RunResult, episodes: int) -> float:
    """Greedy success at the last evaluation point <= ``episodes``."""
    best = max(i for i, point in enumerate(result.eval_points) if point <= episodes)
    return result.eval_success[best]


def episodes_to(result: RunResult, threshold: float = THRESHOLD) -> int | None:
    """First evaluation point with greedy success >= ``threshold``, or None."""
    for point, success in zip(result.eval_points, result.eval_success, strict=True):
        if success >= threshold - 1e-9:
            return point
    return None


@dataclass(frozen=True)
class SummaryRow:
    method: str
    task: str
    seeds: int
    episodes: int
    """Training episodes of the runs (the smallest, if they differ)."""
    at: dict[int, tuple[float, float]]
    """milestone -> (mean, standard error) of greedy success over seeds."""
    to_threshold: list[int | None]
    """Per seed: episodes to reach the threshold, None = never."""

    @property
    def median_to_threshold(self) -> float:
        """Median over seeds, inf when never reached counts as the larger half."""
        values = [math.inf if v is None else v for v in self.to_threshold]
        return float(np.median(values)) if values else math.inf

    @property
    def reached(self) -> int:
        return sum(v is not None for v in self.to_threshold)


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=float)
    se = float(array.std(ddof=1) / math.sqrt(len(array))) if len(array) > 1 else math.nan
    return float(array.mean()), se


def milestones_for(episodes: int, milestones: Sequence[int] = MILESTONES) -> list[int]:
    """The milestones a run of ``episodes`` episodes can report, plus its end if it is not one."""
    chosen = [m for m in milestones if m <= episodes]
    return chosen if episodes in chosen else [*chosen, episodes]


def summarize(results: Iterable[RunResult], milestones: Sequence[int] = MILESTONES,
              threshold: float = THRESHOLD, order: Sequence[str] = ()) -> list[SummaryRow]:
    """One row per (method, task), methods in ``order`` first (then by name), tasks by first appearance."""
    groups: dict[tuple[str, str], list[RunResult]] = {}
    for r in results:
        groups.setdefault((r.spec["method"], r.spec["task"]), []).append(r)
    tasks = list(dict.fromkeys(task for _, task in groups))
    rank = {m: i for i, m in enumerate(order)}
    rows = []
    for (method, task), runs in sorted(groups.items(),
                                       key=lambda kv: (tasks.index(kv[0][1]), rank.get(kv[0][0], len(rank)),
                                                       kv[0][0])):
        episodes = min(r.spec["episodes"] for r in runs)
        at = {m: _mean_se([success_at(r, m) for r in runs]) for m in milestones_for(episodes, milestones)}
        rows.append(SummaryRow(method, task, len(runs), episodes, at, [episodes_to(r, threshold) for r in runs]))
    return rows


def _pct(mean: float, se: float) -> str:
    return f"{100 * mean:.0f} ± {'—' if math.isnan(se) else f'{100 * se:.0f}'}"


def _to_text(row: SummaryRow) -> str:
    median = row.median_to_threshold
    return f"> {row.episodes}" if math.isinf(median) else f"{median:.0f}"


def write_curves_csv(results: Iterable[RunResult], path: Path) -> None:
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["method", "task", "seed", "episodes", "success"])
        for r in results:
            for point, success in zip(r.eval_points, r.eval_success, strict=True):
                writer.writerow([r.spec["method"], r.spec["task"], r.spec["seed"], point, f"{success:.4f}"])


def write_summary_csv(rows: Sequence[SummaryRow], path: Path, threshold: float = THRESHOLD) -> None:
    milestones = sorted({m for row in rows for m in row.at})
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        header = ["method", "task", "seeds", "episodes"]
        for m in milestones:
            header += [f"success_at_{m}_mean", f"success_at_{m}_se"]
        header += [f"episodes_to_{threshold:.0%}_median".replace("%", "pct"), "seeds_reaching"]
        writer.writerow(header)
        for row in rows:
            line: list[object] = [row.method, row.task, row.seeds, row.episodes]
            for m in milestones:
                mean, se = row.at.get(m, (math.nan, math.nan))
                line += [f"{mean:.4f}", "" if math.isnan(se) else f"{se:.4f}"]
            median = row.median_to_threshold
            line += ["" if math.isinf(median) else f"{median:g}", row.reached]
            writer.writerow(line)


def summary_markdown(rows: Sequence[SummaryRow], threshold: float = THRESHOLD, title: str = "",
                     notes: Sequence[str] = ()) -> str:
    """Two tables: final success per method x task, then the detailed milestones per (task, method)."""
    milestones = sorted({m for row in rows for m in row.at})
    methods = list(dict.fromkeys(row.method for row in rows))
    tasks = list(dict.fromkeys(row.task for row in rows))
    by_key = {(row.method, row.task): row for row in rows}
    lines = [f"# {title}", ""] if title else []
    lines += [*notes, ""] if notes else []
    final = max(milestones)
    lines += [f"Greedy success (%) after {final} online episodes, mean ± s.e. over seeds:", ""]
    lines += ["| method | " + " | ".join(tasks) + " |", "|---|" + "---:|" * len(tasks)]
    for method in methods:
        cells = []
        for task in tasks:
            row = by_key.get((method, task))
            cells.append(_pct(*row.at[max(row.at)]) if row else "")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += ["", f"Greedy success (%) after N online episodes, and episodes until ≥ {threshold:.0%} "
              "(median over seeds; evaluation points only):", ""]
    head = ["task", "method", "seeds", *(f"@{m}" for m in milestones), f"episodes to {threshold:.0%}",
            f"seeds ≥ {threshold:.0%}"]
    lines += ["| " + " | ".join(head) + " |", "|---|---|---:|" + "---:|" * (len(milestones) + 2)]
    for row in rows:
        cells = [row.task, row.method, str(row.seeds)]
        cells += [_pct(*row.at[m]) if m in row.at else "" for m in milestones]
        cells += [_to_text(row), f"{row.reached}/{row.seeds}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
