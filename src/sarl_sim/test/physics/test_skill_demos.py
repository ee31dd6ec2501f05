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


def test_a_rollout_of_an_untrained_policy_runs_and_fails_honestly():
    """The plumbing of the closed loop; an untrained head cannot pick anything up."""
    from sarl_sim.flow_policy.network import FlowPolicyConfig, PixelFlowPolicy
    from sarl_sim.flow_policy.rollout import rollout

    torch.manual_seed(0)
    policy = PixelFlowPolicy(FlowPolicyConfig(image_size=32)).eval()
    outcome = rollout(policy, lambda prompts: np.zeros((len(prompts), 384)), "banana_pot_sushi_bowl", seed=0, steps=4)
    assert outcome is not None and outcome.task == "banana_pot_sushi_bowl"
    assert outcome.picked is False and outcome.placed is None


class ReplayPolicy:
    """Plays the expert's recorded commands back through the policy interface (a perfect policy)."""

    def __init__(self, demos, size: int) -> None:
        from sarl_sim.flow_policy.network import FlowPolicyConfig

        self.config = FlowPolicyConfig(image_size=size)
        self._chunks = [to_unit(chunk_targets(d.actions, 4))[::4] for d in demos]
        self._next = [0] * len(demos)

    def act(self, image, proprio, prompt, generator=None, noise=None):
        skill = int(prompt[0, 0].item())
        if self._next[skill] >= len(self._chunks[skill]):
            still = np.zeros((1, 4, 7), np.float32)
            still[..., 6] = skill  # after the demonstration: hold, closed after the pick, open after the place
            return torch.from_numpy(to_unit(still))
        chunk = self._chunks[skill][self._next[skill]]
        self._next[skill] += 1
        return torch.from_numpy(chunk[None])


def test_the_closed_loop_scores_a_perfect_policy_as_picking_and_placing():
    from sarl_sim.flow_policy.rollout import rollout

    demos = record_pick_and_place("banana_pot_sushi_bowl", seed=0, size=32)
    policy = ReplayPolicy(demos, 32)
    skill_ids = lambda prompts: np.array([[i] + [0] * 383 for i in range(len(prompts))], np.float32)  # noqa: E731
    outcome = rollout(policy, skill_ids, "banana_pot_sushi_bowl", seed=0, steps=12)
    assert (outcome.picked, outcome.placed) == (True, True)
