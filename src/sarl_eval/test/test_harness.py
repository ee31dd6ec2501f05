"""The evaluation end to end: runs are reproducible, parallel equals serial, the CLI writes its outputs."""

from __future__ import annotations

import csv

import pytest

from sarl_eval import cli
from sarl_eval.harness import RunSpec, run, run_all
from sarl_eval.methods import load_learning

TINY = {"episodes": 3, "eval_every": 2, "eval_episodes": 2, "max_steps": 4}


@pytest.fixture(scope="module")
def learning():
    return load_learning()


def test_a_run_is_reproducible_and_evaluates_where_it_says(learning):
    spec = RunSpec("sarl", "pot_lid_to_towel", 0, learning=learning, **TINY)
    first, second = run(spec), run(spec)
    assert first.eval_points == [0, 2, 3]
    assert len(first.eval_success) == 3 and len(first.train_success) == 3
    assert (first.eval_success, first.train_success, first.train_steps) == \
           (second.eval_success, second.train_success, second.train_steps)
    assert first.cache_size > 1 and first.spec["method"] == "sarl"


def test_parallel_workers_give_the_serial_results(learning):
    specs = [RunSpec(m, "pot_lid_to_towel", 1, learning=learning, **TINY) for m in ("random", "icl_vlm")]
    serial = run_all(specs, workers=1)
    parallel = run_all(specs, workers=2)
    assert [(r.spec, r.eval_success, r.train_success) for r in serial] == \
           [(r.spec, r.eval_success, r.train_success) for r in parallel]


def test_the_proposer_and_the_vlm_quality_are_part_of_a_run(learning):
    runs = {p: run(RunSpec("random", "pot_lid_to_towel", 0, learning=learning, proposer=p, **TINY))
            for p in ("vlm", "oracle")}
    assert runs["vlm"].cache_size > runs["oracle"].cache_size  # it words every step anew
    with pytest.raises(ValueError, match="near_oracle"):
        RunSpec("sarl", "pot_lid_to_towel", 0, vlm_quality="superb")


def test_zero_shot_never_leaves_the_task_prompt(learning):
    result = run(RunSpec("zero_shot", "hammer_plate_mushroom", 0, learning=learning, **TINY))
    assert {p for episode in result.final_greedy_prompts for p in episode} == \
           {"move the hammer to the plate, then grasp the mushroom"}


def test_cli_writes_curves_tables_and_plots(tmp_path, capsys):
    out = tmp_path / "eval"
    argv = ["--tasks", "pot_lid_to_towel", "--methods", "zero_shot,sarl", "--seeds", "dev:1", "--episodes", "2",
            "--eval-every", "1", "--eval-episodes", "1", "--max-steps", "3", "--workers", "1", "--out", str(out)]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "[1/2] " in printed and "[2/2] " in printed
    assert sorted(p.name for p in (out / "runs").iterdir()) == \
           ["sarl__pot_lid_to_towel__s0.json", "zero_shot__pot_lid_to_towel__s0.json"]
    with open(out / "curves.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 2 * 3 and {r["episodes"] for r in rows} == {"0", "1", "2"}
    assert all(0.0 <= float(r["success"]) <= 1.0 for r in rows)
    with open(out / "summary.csv") as stream:
        assert [r["method"] for r in csv.DictReader(stream)] == ["zero_shot", "sarl"]
    markdown = (out / "summary.md").read_text()
    assert "| zero_shot | 0 ± — |" in markdown and "Proposer: `vlm` at quality `realistic`" in markdown
    assert "Run seeds 0 (dev seeds" in markdown and "| realistic | 0.05 |" in markdown
    assert (out / "main_plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main([*argv, "--resume"]) == 0  # nothing re-run
    assert "2 runs (2 reused)" in capsys.readouterr().out


def test_cli_refuses_unknown_names(tmp_path):
    with pytest.raises(SystemExit, match="unknown method"):
        cli.main(["--methods", "sarl,nope", "--out", str(tmp_path)])
