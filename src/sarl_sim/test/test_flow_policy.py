"""The flow-matching stand-in VLA head: deterministic in its noise, learns a prompt-conditioned mapping, keeps modes.

Small images (16 px) and short trainings: these check the maths and the conditioning, not a trained policy.
"""

from __future__ import annotations

import pytest
import torch
from sarl_sim.flow_policy.flow import integrate
from sarl_sim.flow_policy.network import FlowPolicyConfig, PixelFlowPolicy

CONFIG = FlowPolicyConfig(image_size=16, prompt_dim=8, width=64)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Torch's intra-op threads spin against each other on a loaded 2-core machine (18 vs 300 ms per step)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def batch(size: int, prompts: torch.Tensor, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand((size, 3, CONFIG.image_size, CONFIG.image_size), generator=generator)
    proprio = torch.zeros((size, CONFIG.proprio_dim))
    return images, proprio, prompts


def train(policy: PixelFlowPolicy, make_batch, steps: int, seed: int = 0) -> None:
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(policy.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(seed)
    for step in range(steps):
        images, proprio, prompts, actions = make_batch(step)
        loss = policy.loss(images, proprio, prompts, actions, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_the_same_noise_gives_the_same_chunk_and_other_noise_another():
    torch.manual_seed(0)
    policy = PixelFlowPolicy(CONFIG)
    images, proprio, prompts = batch(2, torch.randn(2, CONFIG.prompt_dim))
    noise = torch.randn(2, CONFIG.horizon, CONFIG.action_dim, generator=torch.Generator().manual_seed(1))
    first = policy.act(images, proprio, prompts, noise=noise)
    assert first.shape == (2, 4, 7)
    assert torch.equal(first, policy.act(images, proprio, prompts, noise=noise.clone()))
    assert not torch.allclose(first, policy.act(images, proprio, prompts, noise=-noise))
    with pytest.raises(ValueError, match="noise must have shape"):
        policy.act(images, proprio, prompts, noise=torch.zeros(2, 7))


def test_integrate_follows_a_known_field_exactly():
    """A constant velocity v carries x0 to x0 + v, whatever the number of steps."""
    noise = torch.tensor([[0.5, -1.0]])
    assert torch.allclose(integrate(lambda x, t: torch.full_like(x, 2.0), noise, steps=7), noise + 2.0)
    with pytest.raises(ValueError):
        integrate(lambda x, t: x, noise, steps=0)


def test_it_learns_to_act_differently_on_two_prompts():
    """The prompt alone decides the chunk: +0.5 on every entry for prompt A, -0.5 for prompt B."""
    torch.manual_seed(0)
    policy = PixelFlowPolicy(CONFIG)
    prompt_a, prompt_b = torch.randn(2, CONFIG.prompt_dim, generator=torch.Generator().manual_seed(3))

    def make_batch(step: int):
        which = torch.arange(16) % 2
        prompts = torch.where(which[:, None] == 0, prompt_a, prompt_b)
        actions = torch.where(which[:, None, None] == 0, 0.5, -0.5).expand(16, 4, 7).clone()
        return (*batch(16, prompts, seed=step), actions)

    train(policy, make_batch, steps=200)
    images, proprio, _ = batch(8, None, seed=999)
    noise_gen = torch.Generator().manual_seed(5)
    on_a = policy.act(images, proprio, prompt_a.expand(8, -1), generator=noise_gen)
    on_b = policy.act(images, proprio, prompt_b.expand(8, -1), generator=noise_gen)
    assert on_a.mean().item() == pytest.approx(0.5, abs=0.1)
    assert on_b.mean().item() == pytest.approx(-0.5, abs=0.1)


def test_two_demonstrated_modes_stay_two_modes_and_the_noise_picks_one():
    """Half the demonstrations go +1, half -1, for the same observation: a regression head would answer 0.

    Flow matching keeps both: samples land near +1 or -1, rarely in between, and which one is a function
    of the initial noise alone — what noise-space RL (DSRL) steers.
    """
    torch.manual_seed(0)
    policy = PixelFlowPolicy(CONFIG)
    prompt = torch.randn(1, CONFIG.prompt_dim, generator=torch.Generator().manual_seed(4))

    def make_batch(step: int):
        signs = torch.where(torch.arange(32) % 2 == 0, 1.0, -1.0)
        actions = signs[:, None, None].expand(32, 4, 7).clone()
        images, proprio, _ = batch(32, None, seed=0)  # one observation, repeated
        images = images[:1].expand(32, -1, -1, -1)
        return images, proprio, prompt.expand(32, -1), actions

    train(policy, make_batch, steps=600)  # 300 left a third of the chunks between the modes
    images, proprio, _ = batch(1, None, seed=0)
    noise = torch.randn(200, 4, 7, generator=torch.Generator().manual_seed(6))
    chunks = policy.act(images.expand(200, -1, -1, -1), proprio.expand(200, -1), prompt.expand(200, -1), noise=noise)
    means = chunks.mean(dim=(1, 2))
    near_plus = (means - 1.0).abs() < 0.35
    near_minus = (means + 1.0).abs() < 0.35
    assert near_plus.float().mean() > 0.25 and near_minus.float().mean() > 0.25, means
    assert (near_plus | near_minus).float().mean() > 0.8, "samples between the modes: the head averaged them"
    repeat = policy.act(images.expand(200, -1, -1, -1), proprio.expand(200, -1), prompt.expand(200, -1), noise=noise)
    assert torch.equal(chunks, repeat)
