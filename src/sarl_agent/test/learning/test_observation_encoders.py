"""Observation contract, fixed-shape arrays, and the state encoders."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sarl_agent.learning.config import EncoderConfig
from sarl_agent.learning.encoders import HistoryEncoder, build_encoder
from sarl_agent.learning.observation import NO_PROMPT, Observation, ObservationSpec, resize_image


def test_observation_copies_and_freezes_arrays():
    proprio = np.zeros(7)
    obs = Observation(0, [], proprio)
    proprio[0] = 5.0
    assert obs.proprio[0] == 0.0 and obs.proprio.dtype == np.float32
    assert obs.history == ()
    with pytest.raises(ValueError):
        obs.proprio[0] = 1.0
    assert obs == Observation(0, (), np.zeros(7))
    assert obs.then(3, np.ones(7)) == Observation(1, (3,), np.ones(7))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"step": -1}, ValueError),
        ({"step": 1.5}, TypeError),
        ({"history": (1, -2)}, ValueError),
        ({"proprio": np.zeros(6)}, ValueError),
        ({"proprio": np.full(7, np.nan)}, ValueError),
        ({"image": np.zeros((8, 8, 3), dtype=np.float32)}, ValueError),
        ({"image": np.zeros((8, 8), dtype=np.uint8)}, ValueError),
    ],
)
def test_observation_validation(kwargs, error):
    args = {"step": 0, "history": (), "proprio": np.zeros(7), "image": None, **kwargs}
    with pytest.raises(error):
        Observation(**args)


def test_spec_pads_history_and_saturates_long_episodes():
    spec = ObservationSpec(max_steps=3, num_prompts=10, image_size=None)
    short = spec.to_arrays(Observation(1, (4,), np.zeros(7)))
    assert short.history.tolist() == [4, NO_PROMPT, NO_PROMPT]
    long = spec.to_arrays(Observation(5, (1, 2, 3, 4, 5), np.zeros(7)))
    assert long.history.tolist() == [3, 4, 5]
    assert long.step == 3
    with pytest.raises(ValueError, match="cache capacity"):
        spec.to_arrays(Observation(1, (10,), np.zeros(7)))


def test_spec_requires_an_image_when_the_image_encoder_is_on():
    spec = ObservationSpec(max_steps=3, num_prompts=10, image_size=16)
    with pytest.raises(ValueError, match="image"):
        spec.to_arrays(Observation(0, (), np.zeros(7)))


@pytest.mark.parametrize("shape", [(64, 64), (120, 160), (32, 32), (48, 100)])
def test_resize_image_to_channels_first(shape):
    image = np.full((*shape, 3), 200, dtype=np.uint8)
    image[..., 1] = 10
    out = resize_image(image, 32)
    assert out.shape == (3, 32, 32) and out.dtype == np.uint8
    assert np.all(out[0] == 200) and np.all(out[1] == 10)


def test_history_encoder_features_by_hand():
    spec = ObservationSpec(max_steps=4, num_prompts=5, image_size=None)
    batch = spec.batch([Observation(0, (), np.zeros(7)), Observation(3, (2, 4, 2), np.zeros(7))])
    features = HistoryEncoder(max_steps=4, num_prompts=5)(batch)
    assert features.shape == (2, 5 + 5 + 6)
    start, later = features.tolist()
    #               step one-hot (5)   chosen multi-hot (5)   last prompt one-hot (5 + "none")
    assert start == [1, 0, 0, 0, 0, *[0, 0, 0, 0, 0], *[0, 0, 0, 0, 0, 1]]
    assert later == [0, 0, 0, 1, 0, *[0, 0, 1, 0, 1], *[0, 0, 1, 0, 0, 0]]


@pytest.mark.parametrize(
    "kind", [("history",), ("proprio",), ("image",), ("history", "proprio"), ("history", "proprio", "image")]
)
def test_encoders_output_declared_width(kind):
    config = EncoderConfig(kind=kind, max_steps=5, image_size=16, image_channels=(4, 8), image_features=12)
    encoder = build_encoder(config, num_prompts=7)
    spec = ObservationSpec(5, 7, 16 if "image" in kind else None)
    rng = np.random.default_rng(0)
    observations = [
        Observation(i, tuple(range(i)), rng.normal(size=7), rng.integers(0, 256, (20, 30, 3), dtype=np.uint8))
        for i in range(3)
    ]
    features = encoder(spec.batch(observations))
    assert features.shape == (3, encoder.output_dim)
    assert torch.all(torch.isfinite(features))
