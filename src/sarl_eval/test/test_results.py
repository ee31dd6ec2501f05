"""Summary statistics and tables from hand-made run results."""

from __future__ import annotations

import csv
import math

import pytest

from sarl_eval.harness import RunResult
from sarl_eval.results import episodes_to, load_run, save_run, success_at, summarize, summary_markdown, \
    write_summary_csv

POINTS = [0, 10, 20, 50, 100]


def _run(method: str, seed: int, curve: list[float], task: str = "pot_lid_to_towel") -> RunResult:
    spec = {"method": method, "task": task, "seed": seed, "episodes": 100}
    return RunResult(spec=spec, eval_points=POINTS, eval_success=curve, train_success=[], train_steps=0,
                     cache_size=1, cache_full=False, seconds=0.0)


RUNS = [
    _run("sarl", 0, [0.0, 0.5, 0.8, 0.9, 1.0]),
    _run("sarl", 1, [0.0, 0.2, 0.6, 0.8, 0.9]),
    _run("sarl", 2, [0.0, 0.1, 0.3, 0.5, 0.7]),
    _run("random", 0, [0.2, 0.3, 0.1, 0.2, 0.3]),
]


def test_milestones_and_threshold_per_run():
    assert success_at(RUNS[0], 50) == 0.9
    assert success_at(RUNS[0], 60) == 0.9  # last evaluation at or before 60
    assert episodes_to(RUNS[0]) == 20
    assert episodes_to(RUNS[2]) is None


def test_summary_mean_standard_error_and_median_episodes():
    rows = {row.method: row for row in summarize(RUNS, order=["random", "sarl"])}
    mean, se = rows["sarl"].at[100]
    assert mean == pytest.approx(0.8667, abs=1e-4)
    assert se == pytest.approx(0.0882, abs=1e-4)  # std([1, .9, .7], ddof=1) / sqrt(3)
    assert rows["sarl"].median_to_threshold == 50  # 20, 50, never
    assert rows["sarl"].reached == 2
    assert math.isnan(rows["random"].at[100][1])  # one seed: no standard error
    assert math.isinf(rows["random"].median_to_threshold)


def test_tables_are_well_formed(tmp_path):
    rows = summarize(RUNS, order=["sarl", "random"])
    text = summary_markdown(rows, title="t")
    table = [line for line in text.splitlines() if line.startswith("| sarl")]
    assert table[0] == "| sarl | 87 ± 9 |"
    assert "| pot_lid_to_towel | random | 1 | 10 ± — | 20 ± — | 30 ± — | > 100 | 0/1 |" in text
    write_summary_csv(rows, tmp_path / "s.csv")
    with open(tmp_path / "s.csv") as stream:
        records = list(csv.DictReader(stream))
    assert [r["method"] for r in records] == ["sarl", "random"]
    assert records[0]["success_at_50_mean"] == "0.7333" and records[0]["episodes_to_80pct_median"] == "50"


def test_run_files_round_trip(tmp_path):
    path = save_run(RUNS[1], tmp_path)
    assert path.name == "sarl__pot_lid_to_towel__s1.json"
    assert load_run(path) == RUNS[1]
