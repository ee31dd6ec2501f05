"""Replay buffer: preallocated storage, typed batches, ring overwrite, save/load."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sarl_agent.learning.observation import ObservationSpec
from sarl_agent.learning.replay_buffer import ReplayBuffer

from .helpers import random_transitions


def make_buffer(capacity=8, image_size=None):
    return ReplayBuffer(capacity, ObservationSpec(max_steps=5, num_prompts=6, image_size=image_size))


def test_memory_is_fixed_at_construction():
    buffer = make_buffer(capacity=100, image_size=16)
    before = buffer.nbytes
    for transition in random_transitions(30, 6, image=True):
        buffer.add(transition)
    assert buffer.nbytes == before
    # two uint8 3x16x16 images dominate; everything else is a few hundred bytes
    assert 2 * 3 * 16 * 16 * 100 < before < 2 * 3 * 16 * 16 * 100 + 300 * 100


def test_sampled_batch_matches_what_was_added():
    buffer = make_buffer()
    transitions = random_transitions(5, 6, seed=3)
    for transition in transitions:
        buffer.add(transition)
    batch = buffer.gather(np.arange(5))
    for i, t in enumerate(transitions):
        assert batch.action[i].item() == t.action
        assert batch.reward[i].item() == pytest.approx(t.reward)
        assert batch.terminal[i].item() == t.terminal
        assert batch.truncated[i].item() == t.truncated
        assert np.flatnonzero(batch.candidate_mask[i].numpy()).tolist() == sorted(t.candidates)
        assert np.flatnonzero(batch.next_candidate_mask[i].numpy()).tolist() == sorted(t.next_candidates)
        np.testing.assert_array_equal(batch.obs.proprio[i].numpy(), t.obs.proprio)
        assert batch.next_obs.step[i].item() == t.next_obs.step
        history = [p for p in batch.next_obs.history[i].tolist() if p >= 0]
        assert tuple(history) == t.next_obs.history
    assert batch.obs.image is None
    assert batch.action.dtype == torch.int64 and batch.obs.history.dtype == torch.int64


def test_ring_overwrites_oldest_and_sampling_is_uniform_over_filled_slots():
    buffer = make_buffer(capacity=4)
    transitions = random_transitions(6, 6, seed=4)
    for transition in transitions:
        buffer.add(transition)
    assert len(buffer) == 4
    # slots 0 and 1 were overwritten by transitions 4 and 5; slots 2 and 3 still hold 2 and 3
    stored = buffer.gather(np.arange(4)).action.tolist()
    assert stored == [transitions[i].action for i in (4, 5, 2, 3)]
    batch = buffer.sample(32, np.random.default_rng(0))
    assert batch.reward.shape == (32,)


def test_empty_buffer_cannot_be_sampled():
    with pytest.raises(ValueError, match="empty"):
        make_buffer().sample(4, np.random.default_rng(0))


def test_ids_outside_the_cache_capacity_are_refused():
    buffer = ReplayBuffer(4, ObservationSpec(max_steps=5, num_prompts=3, image_size=None))
    transition = next(t for t in random_transitions(20, 6, seed=1) if max(t.candidates) >= 3)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        buffer.add(transition)
    assert len(buffer) == 0


@pytest.mark.parametrize("image_size", [None, 16])
@pytest.mark.parametrize("count", [0, 3, 11])
def test_save_load_round_trip(tmp_path, image_size, count):
    buffer = make_buffer(capacity=8, image_size=image_size)
    for transition in random_transitions(count, 6, seed=5, image=image_size is not None):
        buffer.add(transition)
    path = tmp_path / "replay.npz"
    buffer.save(path)
    restored = make_buffer(capacity=8, image_size=image_size)
    restored.load(path)
    assert len(restored) == len(buffer)
    if count:
        a = buffer.sample(16, np.random.default_rng(9))
        b = restored.sample(16, np.random.default_rng(9))
        leaves_a, leaves_b = torch.utils._pytree.tree_leaves(a), torch.utils._pytree.tree_leaves(b)
        assert len(leaves_a) == len(leaves_b)
        for x, y in zip(leaves_a, leaves_b, strict=True):
            assert (x is None and y is None) or torch.equal(x, y)
    assert [p.name for p in tmp_path.iterdir()] == ["replay.npz"]


def test_load_into_a_smaller_buffer_keeps_the_most_recent(tmp_path):
    big = make_buffer(capacity=10)
    transitions = random_transitions(7, 6, seed=6)
    for transition in transitions:
        big.add(transition)
    big.save(tmp_path / "r.npz")
    small = make_buffer(capacity=4)
    small.load(tmp_path / "r.npz")
    assert len(small) == 4
    assert small.gather(np.arange(4)).action.tolist() == [t.action for t in transitions[3:]]


def test_load_refuses_a_different_layout(tmp_path):
    make_buffer(image_size=None).save(tmp_path / "r.npz")
    with pytest.raises(ValueError, match="layout"):
        make_buffer(image_size=16).load(tmp_path / "r.npz")
