"""The cross-check's comparison: block success rates and the within-noise verdict."""

from __future__ import annotations

from sarl_eval.cross_check import block_means, compare
from sarl_eval.graph_run import sim_parameters


def test_block_means_use_full_blocks_only():
    outcomes = [True] * 3 + [False] * 7 + [True] * 10 + [True] * 4
    assert block_means(outcomes, 10) == [0.3, 1.0]


def test_paths_that_match_agree_and_paths_far_apart_do_not():
    same = {seed: [seed % 2 == 0] * 5 + [True] * 15 for seed in range(3)}
    rows, agree = compare({"ros_free": same, "ros_graph": same}, block=10)
    assert agree and len(rows) == 2
    never = {seed: [False] * 20 for seed in range(3)}
    always = {seed: [True] * 20 for seed in range(3)}
    rows, agree = compare({"ros_free": never, "ros_graph": always}, block=10)
    assert not agree and rows[0].endswith("| NO |")


def test_the_benchmark_reads_the_pacing_from_the_sim_parameter_file():
    params = sim_parameters()
    assert params["sarl_agent"]["steps_per_prompt"] > 0 and params["vla_bridge"]["control_rate_hz"] > 0
