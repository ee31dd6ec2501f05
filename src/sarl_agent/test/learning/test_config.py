"""SarlConfig validation: bad values fail at start-up with the key and what is allowed."""

from __future__ import annotations

import dataclasses

import pytest

from sarl_agent.learning.config import EncoderConfig, PolicyConfig, SarlConfig, TdConfig


def test_defaults_are_valid_and_round_trip_through_dict():
    config = SarlConfig()
    assert SarlConfig.from_dict(config.to_dict()) == config


def test_from_dict_builds_nested_sections_and_lists_become_tuples():
    config = SarlConfig.from_dict({"encoder": {"kind": ["history", "image"]}, "q": {"hidden_sizes": [32]},
                                   "td": {"gamma": 0.5, "utd": 2}, "seed": 3})
    assert config.encoder.kind == ("history", "image")
    assert config.q.hidden_sizes == (32,)
    assert config.td.gamma == 0.5 and isinstance(config.td.utd, float)
    assert config.uses_image


@pytest.mark.parametrize(
    ("data", "error", "fragments"),
    [
        ({"td": {"gamma": 1.5}}, ValueError, ["td.gamma", "[0, 1)", "1.5"]),
        ({"td": {"gamma": -0.1}}, ValueError, ["td.gamma"]),
        (
            {"encoder": {"kind": ["history", "lidar"]}},
            ValueError,
            ["encoder.kind[1]", "'history'", "'proprio'", "'image'", "'lidar'"],
        ),
        ({"encoder": {"kind": []}}, ValueError, ["encoder.kind"]),
        ({"encoder": {"kind": ["history", "history"]}}, ValueError, ["encoder.kind", "twice"]),
        ({"encoder": {"kind": "history"}}, TypeError, ["encoder.kind", "list"]),
        ({"gamma": 0.9}, ValueError, ["unknown config key 'gamma'", "encoder", "td", "cache_capacity"]),
        ({"td": {"gama": 0.9}}, ValueError, ["unknown config key 'td.gama'", "gamma", "huber_delta"]),
        ({"td": {"value": "max"}}, ValueError, ["td.value", "'soft'", "'expected'"]),
        ({"td": {"target_update": "hard"}}, ValueError, ["td.target_update", "'polyak'", "'periodic'"]),
        ({"td": {"target_period": 10}}, ValueError, ["td.target_period", "'polyak'"]),
        ({"td": {"target_update": "periodic", "polyak_tau": 0.1}}, ValueError, ["td.polyak_tau", "'periodic'"]),
        ({"td": {"batch_size": 32.5}}, TypeError, ["td.batch_size", "integer"]),
        ({"td": {"lr": "fast"}}, TypeError, ["td.lr", "number"]),
        ({"td": {"min_replay": 500}, "replay": {"capacity": 100}}, ValueError, ["td.min_replay", "replay.capacity"]),
        ({"q": {"target_reduce": "max"}}, ValueError, ["q.target_reduce", "'min'", "'mean'"]),
        ({"q": {"ensemble_size": 0}}, ValueError, ["q.ensemble_size"]),
        ({"policy": {"temperature": 0.0}}, ValueError, ["policy.temperature"]),
        ({"policy": {"final_temperature": 0.01}}, ValueError, ["policy.final_temperature", "'constant'"]),
        ({"policy": {"schedule": "linear"}}, ValueError, ["policy.final_temperature"]),
        ({"policy": {"schedule": "cosine", "final_temperature": 0.1}}, ValueError, ["policy.schedule", "'linear'"]),
        ({"policy": {"novelty_bonus": -0.1}}, ValueError, ["policy.novelty_bonus", "[0, 10]"]),
        ({"policy": {"novelty": 0.3}}, ValueError, ["unknown config key 'policy.novelty'", "novelty_bonus"]),
        ({"q": {"init_q": 1.5}}, ValueError, ["q.init_q", "[0, 1]"]),
        ({"cache_capacity": 1}, ValueError, ["cache_capacity"]),
        ({"cache_capacity": True}, TypeError, ["cache_capacity"]),
        ({"td": [1, 2]}, TypeError, ["td"]),
    ],
)
def test_invalid_config_is_refused_with_key_and_allowed_values(data, error, fragments):
    with pytest.raises(error) as caught:
        SarlConfig.from_dict(data)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_direct_construction_is_validated_too():
    with pytest.raises(ValueError, match=r"td\.gamma"):
        TdConfig(gamma=1.5)
    with pytest.raises(ValueError, match=r"encoder\.kind\[0\]"):
        EncoderConfig(kind=("sonar",))
    with pytest.raises(TypeError, match="must be a TdConfig"):
        SarlConfig(td={"gamma": 0.9})  # type: ignore[arg-type]


def test_yaml_style_exponent_strings_are_read_as_numbers():
    assert SarlConfig.from_dict({"td": {"lr": "1e-3"}}).td.lr == 1e-3
    with pytest.raises(ValueError, match=r"td\.lr must be finite"):
        SarlConfig.from_dict({"td": {"lr": "nan"}})


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SarlConfig().seed = 1  # type: ignore[misc]


def test_periodic_target_update_accepts_its_period():
    config = SarlConfig.from_dict({"td": {"target_update": "periodic", "target_period": 10}})
    assert config.td.target_period == 10


def test_schedule_with_final_temperature():
    policy = PolicyConfig(temperature=0.5, schedule="linear", final_temperature=0.1, schedule_episodes=10)
    assert policy.final_temperature == 0.1
