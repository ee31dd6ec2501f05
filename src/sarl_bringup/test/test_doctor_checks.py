"""The doctor's verdicts on gathered samples: what passes, what fails, and that each failure says what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sarl_bringup.doctor_checks import (
    ArmStateSample,
    CheckResult,
    FrameSample,
    Status,
    check_arm_state,
    check_disk,
    check_frames,
    check_nodes,
    exit_code,
    render,
)

BOX = ((0.10, -0.15, -0.10), (0.45, 0.25, 0.18))
EXPECTED = ["/widowx_driver", "/vla_bridge", "/wx250s/xs_sdk"]


def frames(count: int, rate: float = 10.0, encoding: str = "rgb8", mean: float = 90.0) -> list[FrameSample]:
    return [FrameSample(i / rate, 256, 256, encoding, mean) for i in range(count)]


def state(age=0.05, position=(0.25, 0.05, 0.12), estop=False) -> ArmStateSample:
    return ArmStateSample(age, position, 1.0, estop, holding=True)


def test_nodes_all_present_pass_and_missing_ones_are_named_with_how_to_start_them():
    assert check_nodes(EXPECTED, [*EXPECTED, "/rqt"], "ros2 launch x").status is Status.PASS
    result = check_nodes(EXPECTED, ["/widowx_driver"], "ros2 launch sarl_bringup real_widowx.launch.py")
    assert result.status is Status.FAIL
    assert "'/vla_bridge', '/wx250s/xs_sdk'" in result.detail and "1/3" in result.detail
    assert "ros2 launch sarl_bringup real_widowx.launch.py" in result.fix and "ROS_DOMAIN_ID" in result.fix


def test_two_nodes_with_one_name_mean_two_graphs_on_one_domain():
    result = check_nodes(EXPECTED, [*EXPECTED, "/vla_bridge"], "x")
    assert result.status is Status.FAIL and "'/vla_bridge'" in result.detail and "ROS_DOMAIN_ID" in result.fix


@pytest.mark.parametrize(("samples", "status", "words"), [
    (frames(10), Status.PASS, "256x256 rgb8 at 10.0 Hz"),
    ([], Status.FAIL, "no frame"),
    (frames(1), Status.FAIL, "1 frame(s)"),
    (frames(5, rate=0.5), Status.FAIL, "0.5 Hz"),
    (frames(5, encoding="yuv422"), Status.FAIL, "'yuv422'"),
    (frames(5, mean=1.0), Status.WARN, "black"),
])  # fmt: skip
def test_camera_frames_are_judged_on_arrival_rate_encoding_and_content(samples, status, words):
    result = check_frames(samples, 3.0, "camera/image_raw")
    assert result.status is status and words in result.detail
    assert bool(result.fix) == (status is not Status.PASS)


@pytest.mark.parametrize(("sample", "status", "words"), [
    (state(), Status.PASS, "50 ms old"),
    (None, Status.FAIL, "no arm_state"),
    (state(age=5.0), Status.FAIL, "5.00 s old"),
    (state(age=-30.0), Status.FAIL, "old"),
    (state(estop=True), Status.FAIL, "e-stop"),
    (state(position=(0.60, 0.0, 0.10)), Status.WARN, "outside the workspace box on x"),
])  # fmt: skip
def test_arm_state_must_be_fresh_clear_of_estop_and_inside_the_box(sample, status, words):
    result = check_arm_state(sample, 3.0, 2.0, *BOX)
    assert result.status is status and words in result.detail


def test_disk_check_passes_with_room_and_fails_with_the_space_it_needs(tmp_path):
    target = tmp_path / "bags" / "not_created_yet"
    assert check_disk(target, 0.0).status is Status.PASS
    result = check_disk(target, 1e9)
    assert result.status is Status.FAIL and "need 1e+09 GB" in result.detail and "output_dir" in result.fix


def test_disk_check_fails_on_a_folder_it_cannot_write(tmp_path, monkeypatch):
    # Permission bits do not stop root (CI runs as root), so the OS's answer is replaced.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    result = check_disk(tmp_path / "bags", 0.0)
    assert result.status is Status.FAIL and f"{tmp_path} is not writable" in result.detail


def test_table_lists_every_check_and_a_fix_per_failure_and_the_exit_code_follows_failures():
    results = [
        CheckResult("nodes", Status.PASS, "5/5"),
        CheckResult("camera", Status.WARN, "black", "remove the lens cap"),
        CheckResult("policy", Status.FAIL, "no answer", "start the server"),
        CheckResult("vlm", Status.SKIP, "skipped"),
    ]
    table = render(results)
    for name in ("nodes", "camera", "policy", "vlm"):
        assert name in table
    assert "policy: start the server" in table and "camera: remove the lens cap" in table
    assert table.rstrip().endswith("1 check(s) failed")
    assert exit_code(results) == 1
    assert exit_code(results[:2]) == 0
    quiet = render(results, quiet=True)
    assert "5/5" not in quiet and "no answer" in quiet
