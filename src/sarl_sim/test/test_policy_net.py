"""The numpy forward pass matches the torch twin used for training."""

import numpy as np
import pytest

from sarl_sim.features import build_features
from sarl_sim.policy_net import ACTION_SCALE, NetConfig, NumpyPolicyNet, save_weights
from sarl_sim.scene import encode_scene
from sarl_sim.tasks import get_task

torch = pytest.importorskip("torch")


def test_numpy_and_torch_forward_agree(tmp_path):
    from sarl_sim.policy_net_torch import TorchPolicyNet

    torch.manual_seed(0)
    config = NetConfig(hidden=32, key_hidden=16, key_dim=8, prompt_dim=16)
    model = TorchPolicyNet(config)
    save_weights(tmp_path / "w.npz", config, model.numpy_params(), {"note": "test"})
    net = NumpyPolicyNet.load(tmp_path / "w.npz")
    # Compare with the float16-rounded parameters the file holds.
    with torch.no_grad():
        for value in model.params.values():
            value.copy_(value.half().float())
    world = get_task("stack_blocks").build(np.random.default_rng(0))
    world.attach(0)
    state, scene = world.state(), encode_scene(world)
    embedding = np.random.default_rng(1).normal(size=384).astype(np.float32)
    embedding /= np.linalg.norm(embedding)
    ours = net.act(net.encode_prompt(embedding), state, scene)
    f = build_features(state[None], scene[None])
    with torch.no_grad():
        theirs, _ = model(
            torch.from_numpy(embedding[None]),
            torch.from_numpy(f.objects),
            torch.from_numpy(f.mask),
            torch.from_numpy(f.held),
            torch.from_numpy(f.proprio),
        )
    expected = theirs[0].numpy() * ACTION_SCALE
    expected[:, 6] = np.clip(expected[:, 6], 0.0, 1.0)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)


def test_config_and_weights_are_validated(tmp_path):
    with pytest.raises(ValueError, match="hidden"):
        NetConfig(hidden=0)
    with pytest.raises(ValueError, match="lack parameters"):
        NumpyPolicyNet(NetConfig(), {})
    with pytest.raises(FileNotFoundError, match="train_policy"):
        NumpyPolicyNet.load(tmp_path / "missing.npz")
