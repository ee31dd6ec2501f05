"""Bridge parameters: defaults valid, every bad value named, the API key only from the environment."""

from __future__ import annotations

import pytest
from sarl_vla_bridge.config import BridgeConfig


def test_defaults_are_valid_and_build_the_endpoint():
    config = BridgeConfig()
    assert config.endpoint({}).uri == "ws://127.0.0.1:8000"
    assert config.loop().steps_per_query == 5 and config.loop().control_rate_hz == 5.0  # the profile's
    assert config.loop().profile.name == "bridge_ee_delta"


def test_zero_rate_and_replan_mean_the_profiles_and_explicit_values_win():
    libero = BridgeConfig(policy_profile="libero").loop()
    assert (libero.control_rate_hz, libero.steps_per_query) == (20.0, 5)
    custom = BridgeConfig(policy_profile="libero", control_rate_hz=10.0, steps_per_query=3).loop()
    assert (custom.control_rate_hz, custom.steps_per_query) == (10.0, 3)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("policy_host", ""),
        ("policy_host", "http://gpu-box"),
        ("policy_port", 0),
        ("policy_port", 70000),
        ("connect_timeout", 0.0),
        ("inference_timeout", float("inf")),
        ("observation_timeout", -1.0),
        ("control_rate_hz", -1.0),
        ("control_rate_hz", 5000.0),
        ("steps_per_query", -1),
        ("policy_profile", "droid"),
        ("image_size", 8),
        ("default_max_steps", 0),
    ],
)
def test_each_bad_parameter_is_named(name, value):
    with pytest.raises(ValueError, match=f"parameter '{name}'"):
        BridgeConfig(**{name: value})


def test_joint_profiles_need_one_name_per_joint():
    with pytest.raises(ValueError, match="parameter 'joint_names'"):
        BridgeConfig(policy_profile="joint_position", joint_names=("waist", "shoulder"))
    assert BridgeConfig(policy_profile="joint_position", joint_names=list("abcdef")).joint_names == tuple("abcdef")


def test_a_uri_host_may_carry_its_own_port():
    assert BridgeConfig(policy_host="wss://pi05.example.org:443", policy_port=0).endpoint({}).port is None


def test_unknown_parameters_are_refused():
    with pytest.raises(ValueError, match="control_rate"):
        BridgeConfig.from_mapping({"control_rate": 5.0})


def test_api_key_comes_from_the_named_variable_and_is_never_printed():
    config = BridgeConfig(api_key_env="OPENPI_API_KEY")
    endpoint = config.endpoint({"OPENPI_API_KEY": "s3cret"})
    assert endpoint.api_key == "s3cret" and "s3cret" not in repr(endpoint)
    with pytest.raises(ValueError, match="OPENPI_API_KEY"):
        config.endpoint({})
    assert BridgeConfig().endpoint({"OPENPI_API_KEY": "s3cret"}).api_key is None
