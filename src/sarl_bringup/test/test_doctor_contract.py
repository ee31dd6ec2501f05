"""`sarl doctor`'s contract check: the bridge's frame, rate and cameras against the driver's, from the file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sarl_vla_bridge.config import BridgeConfig
from widowx_driver.driver_config import DriverConfig

from sarl_bringup.doctor_checks import Status
from sarl_bringup.doctor_contract import check_bridge_fits_driver
from sarl_bringup.parameter_schema import load_parameter_file, node_parameters

CONFIG = Path(__file__).resolve().parents[3] / "config"


def shipped(name: str) -> tuple[BridgeConfig, DriverConfig]:
    sections = load_parameter_file(CONFIG / name)
    return (BridgeConfig.from_mapping(node_parameters(sections, "vla_bridge", {})),
            DriverConfig.from_parameters(node_parameters(sections, "widowx_driver", {})))


@pytest.mark.parametrize("name", ["real_widowx.yaml", "sim.yaml"])
def test_the_shipped_configurations_fit(name):
    result = check_bridge_fits_driver(*shipped(name))
    assert result.status is Status.PASS, result.detail


def test_a_frame_mismatch_fails_and_names_the_value_to_set():
    bridge, driver = shipped("real_widowx.yaml")
    result = check_bridge_fits_driver(dataclasses.replace(bridge, frame_id="base_link"), driver)
    assert result.status is Status.FAIL and "refuses every VLA command" in result.detail
    assert "vla_bridge.frame_id: wx250s/base_link" in result.fix


def test_a_bridge_faster_than_the_driver_fails_with_the_share_of_commands_lost():
    bridge, driver = shipped("real_widowx.yaml")
    joint = dataclasses.replace(bridge, policy_profile="joint_position", control_rate_hz=15.0)
    result = check_bridge_fits_driver(joint, dataclasses.replace(driver, wrist_camera=True))
    assert result.status is Status.FAIL
    assert "15 Hz" in result.detail and "5 Hz" in result.detail and "supersedes 67%" in result.detail


def test_a_wrist_profile_needs_the_drivers_wrist_camera():
    bridge, driver = shipped("real_widowx.yaml")
    libero = dataclasses.replace(bridge, policy_profile="libero", control_rate_hz=5.0)
    assert "wrist_camera is false" in check_bridge_fits_driver(libero, driver).detail
    assert check_bridge_fits_driver(libero, dataclasses.replace(driver, wrist_camera=True)).status is Status.PASS
