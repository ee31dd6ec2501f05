"""Message data → openpi observation, and action-chunk validation (no ROS)."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_vla_bridge import observation as obs
from sarl_vla_bridge.action_chunk import ActionChunk, validate_actions


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


def test_a_camera_frame_is_resized_with_padding_to_256():
    frame = np.full((480, 640, 3), 200, np.uint8)
    resized = obs.resize_image(frame)
    assert resized.shape == (256, 256, 3) and resized.dtype == np.uint8
    assert resized[0, 128].tolist() == [0, 0, 0] and resized[128, 128].tolist() == [200, 200, 200]


def test_observation_keys_and_dtypes_with_and_without_scene():
    image = np.zeros((256, 256, 3), np.uint8)
    state = obs.state_vector(0.25, 0.05, 0.12, 0, 0, 0, 1)
    plain = obs.build_observation(image, state, "pick up the banana")
    assert set(plain) == {"observation/image", "observation/state", "prompt"}
    assert plain["observation/state"].dtype == np.float32 and plain["observation/state"].shape == (7,)
    scene = obs.scene_array(list(range(22)), [2, 11])
    with_scene = obs.build_observation(image, state, "x", scene)
    assert with_scene["observation/scene"].shape == (2, 11) and with_scene["observation/scene"].dtype == np.float32


def test_bad_state_scene_and_prompt_are_refused():
    with pytest.raises(ValueError, match="finite"):
        obs.state_vector(float("nan"), 0, 0, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="layout"):
        obs.scene_array([1.0, 2.0, 3.0], [2, 2])
    with pytest.raises(ValueError, match="prompt"):
        obs.build_observation(np.zeros((256, 256, 3), np.uint8), np.zeros(7), " ")


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
        ({"actions": np.zeros((10, 6))}, "shape"),
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
