"""Message data → openpi observation, and action-chunk validation (no ROS)."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_vla_bridge import observation as obs
from sarl_vla_bridge.action_chunk import ActionChunk, validate_actions
from sarl_vla_bridge.profiles import Camera, RobotSnapshot, get_profile

DEFAULT = get_profile("bridge_ee_delta")
HOME = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0])


def snapshot(image: np.ndarray, pose: np.ndarray = HOME, gripper: float = 1.0) -> RobotSnapshot:
    return RobotSnapshot({Camera.THIRD_PERSON: image}, pose, gripper)


def test_rgb_image_passes_through_and_bgr_is_swapped():
    rgb = np.random.default_rng(0).integers(0, 255, (256, 256, 3), dtype=np.uint8)
    assert np.array_equal(obs.image_from_buffer(rgb.tobytes(), 256, 256, 768, "rgb8"), rgb)
    bgr = rgb[:, :, ::-1].tobytes()
    assert np.array_equal(obs.image_from_buffer(bgr, 256, 256, 768, "bgr8"), rgb)


def test_row_padding_and_mono_are_handled():
    padded = np.zeros((2, 8), np.uint8)
    padded[:, :6] = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]
    image = obs.image_from_buffer(padded.tobytes(), 2, 2, 8, "rgb8")
    assert image.tolist() == [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]
    mono = obs.image_from_buffer(bytes([5, 6]), 1, 2, 2, "mono8")
    assert mono.tolist() == [[[5, 5, 5], [6, 6, 6]]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((b"\0" * 12, 2, 2, 6, "yuv422"), "encoding"),
        ((b"\0" * 5, 2, 2, 6, "rgb8"), "buffer"),
        ((b"", 2, 2, 3, "rgb8"), "step"),
    ],
)
def test_malformed_images_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        obs.image_from_buffer(*args)


def test_a_camera_frame_is_resized_with_padding_to_the_requested_side():
    frame = np.full((480, 640, 3), 200, np.uint8)
    resized = obs.resize_image(frame, 224)
    assert resized.shape == (224, 224, 3) and resized.dtype == np.uint8
    assert resized[0, 112].tolist() == [0, 0, 0] and resized[112, 112].tolist() == [200, 200, 200]


def test_observation_keys_and_dtypes_with_and_without_scene():
    image = np.zeros((256, 256, 3), np.uint8)
    plain = obs.build_observation(DEFAULT, snapshot(image), "pick up the banana")
    assert set(plain) == {"observation/image", "observation/state", "prompt"}
    assert plain["observation/image"].shape == (224, 224, 3)
    assert plain["observation/state"].dtype == np.float32 and plain["observation/state"].shape == (7,)
    scene = obs.scene_array(list(range(22)), [2, 11])
    with_scene = obs.build_observation(DEFAULT, snapshot(image), "x", scene, image_size=256)
    assert with_scene["observation/scene"].shape == (2, 11) and with_scene["observation/scene"].dtype == np.float32
    assert with_scene["observation/image"].shape == (256, 256, 3)


def test_bad_state_scene_prompt_and_missing_camera_are_refused():
    image = np.zeros((256, 256, 3), np.uint8)
    with pytest.raises(ValueError, match="finite"):
        obs.build_observation(DEFAULT, snapshot(image, np.array([np.nan, 0, 0, 0, 0, 0])), "x")
    with pytest.raises(ValueError, match="layout"):
        obs.scene_array([1.0, 2.0, 3.0], [2, 2])
    with pytest.raises(ValueError, match="prompt"):
        obs.build_observation(DEFAULT, snapshot(image), " ")
    with pytest.raises(ValueError, match=r"profile 'libero' needs the wrist camera \(camera/wrist/image_raw\)"):
        obs.build_observation(get_profile("libero"), snapshot(image), "x")


def test_chunk_executes_at_most_steps_per_query_rows():
    actions = np.arange(70, dtype=float).reshape(10, 7)
    chunk = ActionChunk({"actions": actions}, steps_per_query=3)
    popped = [chunk.pop()[0] for _ in range(3)]
    assert popped == [0, 7, 14] and chunk.exhausted and chunk.horizon == 10
    with pytest.raises(IndexError):
        chunk.pop()
    assert ActionChunk({"actions": actions[:2]}, steps_per_query=5).remaining == 2
    assert validate_actions({"actions": [0.0] * 7}).shape == (1, 7)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({}, "no 'actions'"),
        ({"actions": np.zeros((10, 6))}, r"profile 'bridge_ee_delta' expects actions of shape \(H >= 1, 7\)"),
        ({"actions": np.zeros((0, 7))}, "shape"),
        ({"actions": "left"}, "numeric"),
        ({"actions": np.array([[0, 0, 0, 0, 0, np.inf, 1]])}, "NaN or inf"),
    ],
)
def test_malformed_chunks_are_refused_before_any_row_runs(response, message):
    with pytest.raises(ValueError, match=message):
        ActionChunk(response, steps_per_query=2)


def test_steps_per_query_must_be_positive():
    with pytest.raises(ValueError, match="steps_per_query"):
        ActionChunk({"actions": np.zeros((2, 7))}, steps_per_query=0)
