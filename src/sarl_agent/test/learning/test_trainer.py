"""SarlAgentCore: acting, online/offline learning, TD target wiring, seeding, checkpoints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sarl_agent.learning.checkpoint import read_checkpoint
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.learning.td_target import state_value
from sarl_agent.learning.trainer import SarlAgentCore

from .helpers import make_obs, random_transitions, small_config


def make_agent(**overrides) -> SarlAgentCore:
    config = small_config(**overrides)
    cache = PromptCache(config.cache_capacity, [f"prompt {i}" for i in range(1, config.cache_capacity)])
    return SarlAgentCore(config, cache)


def test_act_returns_a_candidate_with_its_numbers():
    agent = make_agent()
    obs = make_obs(np.random.default_rng(0), 1, (3,))
    decision = agent.act(obs, [5, 2, 9])
    assert decision.action in (5, 2, 9)
    assert [5, 2, 9][decision.index] == decision.action
    assert decision.q_values.shape == decision.probabilities.shape == (3,)
    assert decision.probabilities.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(decision.q_values, agent.q_values(obs)[[5, 2, 9]])


def test_act_never_chooses_a_non_candidate_even_with_a_huge_q():
    agent = make_agent()
    with torch.no_grad():
        agent.q_network.output.bias[:, :, 4] = 100.0
    obs = make_obs(np.random.default_rng(0))
    assert agent.q_values(obs)[4] > 50
    for greedy in (False, True):
        assert all(agent.act(obs, [1, 2, 3], greedy=greedy).action != 4 for _ in range(50))
    assert agent.act(obs, [1, 4, 3], greedy=True).action == 4


def test_greedy_follows_q_and_softmax_explores():
    agent = make_agent(policy={"temperature": 0.5})
    with torch.no_grad():
        agent.q_network.output.bias[:, :, 2] = 1.5
    obs = make_obs(np.random.default_rng(0))
    assert {agent.act(obs, [1, 2, 3], greedy=True).action for _ in range(30)} == {2}
    assert {agent.act(obs, [1, 2, 3]).action for _ in range(200)} == {1, 2, 3}


@pytest.mark.parametrize("candidates", [[], [1, 1], [12], [-1]])
def test_act_refuses_bad_candidates(candidates):
    with pytest.raises((ValueError, TypeError)):
        make_agent().act(make_obs(np.random.default_rng(0)), candidates)


def test_act_refuses_ids_not_admitted_in_the_cache():
    agent = SarlAgentCore(small_config())  # only reset-to-home admitted
    with pytest.raises(ValueError, match="admitted"):
        agent.act(make_obs(np.random.default_rng(0)), [0, 3])


@pytest.mark.parametrize("init_q", [0.0, 0.5])
def test_untried_prompts_keep_exactly_the_initial_value(init_q):
    agent = make_agent(q={"init_q": init_q})
    transitions = [t for t in random_transitions(40, 12, seed=1) if t.action != 11]
    agent.train_offline(transitions, num_updates=30)
    obs = make_obs(np.random.default_rng(5), 2, (1, 2))
    q = agent.q_values(obs)
    assert q[11] == pytest.approx(init_q, abs=1e-6)
    assert not np.allclose(q[[t.action for t in transitions]], init_q)


def test_same_seed_same_decisions_different_seed_different_decisions():
    def decisions(seed):
        agent = make_agent(seed=seed, policy={"temperature": 1.0})
        rng = np.random.default_rng(0)
        return [agent.act(make_obs(rng), list(range(12))).action for _ in range(40)]

    assert decisions(3) == decisions(3)
    assert decisions(3) != decisions(4)


def test_observe_learns_only_after_min_replay_and_at_the_utd_rate():
    agent = make_agent(td={"min_replay": 5, "utd": 1.5})
    transitions = random_transitions(8, 12, seed=2)
    metrics = [agent.observe(t) for t in transitions]
    assert all("train/td_loss" not in m for m in metrics[:4])
    assert all("train/td_loss" in m for m in metrics[4:])
    assert agent.counters["updates"] == 6  # 4 steps x 1.5
    assert agent.counters["env_steps"] == 8
    assert agent.counters["episodes"] == sum(t.ends_episode for t in transitions)
    assert metrics[-1]["train/replay_size"] == 8.0
    assert all(np.isfinite(v) for m in metrics for v in m.values())


def test_td_loss_drops_when_fitting_a_fixed_dataset():
    agent = make_agent(td={"batch_size": 32, "lr": 3e-3})
    transitions = random_transitions(32, 12, seed=3)
    history = agent.train_offline(transitions, num_updates=300)
    assert len(history) == 300
    first = np.mean([m["train/td_loss"] for m in history[:20]])
    last = np.mean([m["train/td_loss"] for m in history[-20:]])
    assert last < 0.5 * first


def test_train_offline_reports_progress_and_does_not_move_online_counters():
    agent = make_agent()
    seen = []
    agent.train_offline(random_transitions(10, 12), num_updates=3, progress=lambda i, m: seen.append(i))
    assert seen == [0, 1, 2]
    assert agent.counters == {"env_steps": 0, "episodes": 0, "updates": 3}
    with pytest.raises(ValueError, match="no transitions"):
        make_agent().train_offline([], num_updates=1)


@pytest.mark.parametrize("value", ["soft", "expected"])
@pytest.mark.parametrize("reduce", ["min", "mean"])
def test_trainer_target_zeroes_terminal_and_bootstraps_truncated(value, reduce):
    agent = make_agent(td={"value": value, "gamma": 0.8}, q={"target_reduce": reduce, "ensemble_size": 3})
    agent.train_offline(random_transitions(20, 12, seed=4), num_updates=5)  # make the heads differ
    transitions = [t for t in random_transitions(60, 12, seed=5) if t.terminal or t.truncated]
    for t in transitions:
        agent.replay.add(t)
    n = len(transitions)
    batch = agent.replay.gather(np.arange(len(agent.replay) - n, len(agent.replay)))
    target = agent._td_target(batch)
    with torch.no_grad():
        heads = agent.target_network(batch.next_obs)
    next_q = heads.min(0).values if reduce == "min" else heads.mean(0)
    v = state_value(next_q, batch.next_candidate_mask, agent.temperature, value)
    for i, t in enumerate(transitions):
        expected = t.reward if t.terminal else t.reward + 0.8 * v[i].item()
        assert target[i].item() == pytest.approx(expected, abs=1e-6)
    assert any(t.truncated for t in transitions) and any(t.terminal for t in transitions)


@pytest.mark.parametrize("mode", ["polyak", "periodic"])
def test_target_network_update_modes(mode):
    td = {"target_update": mode, **({"polyak_tau": 0.5} if mode == "polyak" else {"target_period": 3})}
    agent = make_agent(td=td)
    agent.train_offline(random_transitions(20, 12), num_updates=2)
    online = torch.nn.utils.parameters_to_vector(agent.q_network.parameters())
    target = torch.nn.utils.parameters_to_vector(agent.target_network.parameters())
    assert not torch.equal(online, target)
    agent.train_offline([], num_updates=1)
    online = torch.nn.utils.parameters_to_vector(agent.q_network.parameters())
    target = torch.nn.utils.parameters_to_vector(agent.target_network.parameters())
    assert torch.equal(online, target) == (mode == "periodic")


def test_image_encoder_end_to_end():
    agent = make_agent(encoder={"kind": ["image", "history"]})
    transitions = random_transitions(12, 12, seed=6, image=True)
    for t in transitions:
        agent.observe(t)
    assert agent.counters["updates"] > 0
    decision = agent.act(transitions[0].obs, [1, 2])
    assert decision.action in (1, 2)


def _parameters(agent):
    return [p.detach().clone() for p in (*agent.q_network.parameters(), *agent.target_network.parameters())]


@pytest.mark.parametrize("encoder", [["history", "proprio"], ["image"]])
def test_checkpoint_round_trip_is_bit_exact(tmp_path, encoder):
    image = "image" in encoder
    agent = make_agent(encoder={"kind": encoder}, td={"utd": 0.5})
    for t in random_transitions(20, 12, seed=7, image=image):
        agent.observe(t)
    path = tmp_path / "agent.pt"
    agent.save_checkpoint(path, include_replay=True)
    restored = SarlAgentCore.load_checkpoint(path)

    assert restored.config == agent.config
    assert restored.cache.prompts == agent.cache.prompts
    assert restored.counters == agent.counters
    obs = random_transitions(1, 12, seed=8, image=image)[0].obs
    assert np.array_equal(restored.q_values(obs), agent.q_values(obs))
    for a, b in zip(_parameters(agent), _parameters(restored), strict=True):
        assert torch.equal(a, b)

    # identical futures: same decisions, same online updates, same offline updates
    more = random_transitions(6, 12, seed=9, image=image)
    for t in more:
        assert agent.act(t.obs, t.candidates).action == restored.act(t.obs, t.candidates).action
        assert agent.observe(t) == restored.observe(t)
    assert agent.train_offline([], 3) == restored.train_offline([], 3)
    for a, b in zip(_parameters(agent), _parameters(restored), strict=True):
        assert torch.equal(a, b)


def test_checkpoint_without_replay_is_small_and_restores_networks(tmp_path):
    agent = make_agent()
    for t in random_transitions(20, 12):
        agent.observe(t)
    agent.save_checkpoint(tmp_path / "agent.pt", include_replay=False)
    restored = SarlAgentCore.load_checkpoint(tmp_path / "agent.pt")
    assert len(restored.replay) == 0
    obs = make_obs(np.random.default_rng(1))
    assert np.array_equal(restored.q_values(obs), agent.q_values(obs))


def test_crash_while_saving_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    agent = make_agent()
    path = tmp_path / "agent.pt"
    agent.save_checkpoint(path)
    before = path.read_bytes()
    agent.train_offline(random_transitions(20, 12), num_updates=2)

    def crash(obj, handle, *args, **kwargs):
        handle.write(b"partial garbage")
        raise OSError("disk full / killed mid-write")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="mid-write"):
        agent.save_checkpoint(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["agent.pt"]
    assert read_checkpoint(path)["counters"]["updates"] == 0


def test_loading_something_else_is_refused(tmp_path):
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a sarl agent checkpoint"):
        SarlAgentCore.load_checkpoint(tmp_path / "other.pt")
