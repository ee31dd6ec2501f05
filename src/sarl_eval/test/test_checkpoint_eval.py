"""Scoring a checkpoint on held-out layouts: repeatable, read-only, and the simulator's own verdict."""

from __future__ import annotations

import torch
from sarl_agent.learning_config_file import load_learning_config
from sarl_agent.learning.trainer import SarlAgentCore
from sarl_eval.checkpoint_eval import greedy_success, main
from sarl_sim.semantic_env import SemanticEnv

TASK = "pot_lid_to_towel"


def test_greedy_success_is_repeatable_leaves_the_checkpoint_alone_and_agrees_with_the_simulator(tmp_path, capsys):
    torch.set_num_threads(1)
    path = tmp_path / "checkpoint.pt"
    SarlAgentCore(load_learning_config("learning.yaml", 0)).save_checkpoint(path)
    before = path.read_bytes()

    first = greedy_success(path, TASK, episodes=3, first_layout=1234, proposer="scene")
    again = greedy_success(path, TASK, episodes=3, first_layout=1234, proposer="scene")

    assert path.read_bytes() == before
    assert first == again and first.layouts == (1234, 1235, 1236)
    assert all(0 < len(prompts) <= 6 for prompts in first.prompts)
    for layout, prompts, success in zip(first.layouts, first.prompts, first.successes, strict=True):
        env = SemanticEnv(TASK)  # replaying the chosen prompts on a fresh copy of the layout gives the same verdict
        env.reset(layout)
        for prompt in prompts:
            env.execute(prompt) if prompt != "reset to home" else env.reset_to_home()
        assert env.success() == success

    assert main([str(path), "--episodes", "2", "--first-layout", "1234", "--proposer", "scene"]) == 0
    assert f"{path}: greedy success" in capsys.readouterr().out
