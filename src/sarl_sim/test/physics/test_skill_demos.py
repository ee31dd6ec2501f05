"""Skill demonstrations for the pixel stand-in VLA, and a training run end to end (tiny, for the plumbing)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sarl_sim.flow_policy import train
from sarl_sim.flow_policy.action_scale import from_unit, to_unit
from sarl_sim.flow_policy.demos import chunk_targets, record_pick_and_place


def test_a_pick_and_place_gives_two_skill_demos_in_the_policys_words():
    pick, place = record_pick_and_place("banana_pot_sushi_bowl", seed=0, size=32)
    assert pick.prompt == "pick up the banana" and place.prompt == "put it in the pot"
    assert pick.succeeded and place.succeeded
    for demo in (pick, place):
        steps = len(demo.actions)
        assert demo.images.shape == (steps, 32, 32, 3) and demo.images.dtype == np.uint8
        assert demo.proprio.shape == (steps, 7)
        assert np.abs(demo.actions[:, :3]).max() <= 0.05 + 1e-6
    assert pick.actions[-1, 6] == 0.0 and place.actions[-1, 6] == 1.0  # closed on the item; open after the drop
    assert not np.array_equal(pick.images[0], pick.images[-1]), "frames must show the arm moving"


def test_chunks_run_past_the_end_with_no_motion_and_the_last_gripper():
    actions = np.arange(14, dtype=np.float32).reshape(2, 7)
    chunks = chunk_targets(actions, horizon=3)
    assert chunks.shape == (2, 3, 7)
    assert np.array_equal(chunks[0, :2], actions)
    assert np.array_equal(chunks[1, 1:, :6], np.zeros((2, 6))) and np.all(chunks[1, 1:, 6] == actions[-1, 6])


def test_unit_scale_round_trips_and_clips_to_the_step_limits():
    action = np.array([0.05, -0.025, 0.0, 0.25, 0.0, -0.1, 1.0], dtype=np.float32)
    assert np.allclose(from_unit(to_unit(action)), action)
    assert np.abs(to_unit(action)).max() <= 1.0
    assert from_unit(np.full(7, 5.0))[0] == pytest.approx(0.05)


def test_a_tiny_training_run_writes_weights_that_load_and_act(tmp_path):
    out = tmp_path / "flow.pt"

    def embed(prompts: list[str]) -> np.ndarray:  # a fixed stand-in for MiniLM (no model in this test)
        return np.random.default_rng(len(prompts)).normal(size=(len(prompts), 384)).astype(np.float32)

    threads = torch.get_num_threads()
    try:
        assert train.main(["--out", str(out), "--layouts", "1", "--steps", "3", "--batch", "4", "--size", "32"],
                          embed=embed) == 0  # fmt: skip
    finally:
        torch.set_num_threads(threads)
    policy, provenance = train.load(out)
    assert provenance["steps"] == 3 and provenance["layouts"] == 1 and provenance["demonstrations"] > 0
    chunk = policy.act(torch.rand(1, 3, 32, 32), torch.zeros(1, 7), torch.zeros(1, 384), noise=torch.zeros(1, 4, 7))
    assert chunk.shape == (1, 4, 7)
