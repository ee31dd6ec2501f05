"""Recorded transitions -> core transitions: prompts re-keyed by text across runs, clear errors."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sarl_agent.bag.convert import ConversionError, TransitionImporter, decode_image, serialize, transition_message
from sarl_agent.bag.synthetic import scene_image
from sarl_agent.bag.typestore import sarl_typestore
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.learning.transition import SemanticTransition

from .helpers import rclpy_transition


def run_cache(prompts: list[str]) -> PromptCache:
    return PromptCache(16, prompts)


def recorded(cache: PromptCache, run_id: str, sequence: int, first: str, second: str, with_image: bool = False):
    """Step 1 of an episode: chose ``first`` before, now ``second`` among (reset, first, second)."""
    ids = (0, cache.id_of(first), cache.id_of(second))
    proprio = np.linspace(0, 0.6, 7, dtype=np.float32)
    image = scene_image(proprio) if with_image else None
    obs = Observation(1, (cache.id_of(first),), proprio, image)
    transition = SemanticTransition(obs, ids, cache.id_of(second), 1.0,
                                    obs.then(cache.id_of(second), proprio, image), (), terminal=True)
    message = transition_message(transition, cache, run_id=run_id, episode=0, step=1, sequence=sequence,
                                 task="t", stamp_ns=sequence)
    return sarl_typestore().deserialize_cdr(serialize(message), message.__msgtype__)  # as read from a bag


def test_prompt_ids_of_different_runs_meet_in_one_cache_by_text():
    run_a = run_cache(["open the drawer", "pick up the banana"])
    run_b = run_cache(["wave hello", "Pick up the banana.", "open the drawer"])  # other ids, other spelling
    target = PromptCache(16)
    importer = TransitionImporter(target, decode_images=False)

    a = importer.convert(recorded(run_a, "a", 1, "open the drawer", "pick up the banana"))
    b = importer.convert(recorded(run_b, "b", 1, "open the drawer", "pick up the banana"))

    drawer, banana = target.id_of("open the drawer"), target.id_of("pick up the banana")
    for transition in (a, b):
        assert transition.candidates == (0, drawer, banana) and transition.action == banana
        assert transition.obs.history == (drawer,) and transition.next_obs.history == (drawer, banana)
    assert a.reward == 1.0 and a.terminal and not a.truncated
    np.testing.assert_allclose(a.obs.proprio, np.linspace(0, 0.6, 7))


def test_images_are_decoded_only_when_asked():
    cache = run_cache(["open the drawer", "pick up the banana"])
    msg = recorded(cache, "a", 1, "open the drawer", "pick up the banana", with_image=True)
    assert TransitionImporter(PromptCache(16), decode_images=False).convert(msg).obs.image is None
    image = TransitionImporter(PromptCache(16), decode_images=True).convert(msg).obs.image
    expected = scene_image(np.linspace(0, 0.6, 7, dtype=np.float32))
    assert image.shape == (256, 256, 3)
    coarse = [cv2.resize(i, (16, 16), interpolation=cv2.INTER_AREA).astype(int) for i in (image, expected)]
    assert np.abs(coarse[0] - coarse[1]).max() < 8  # JPEG keeps the scene, not the sensor noise


def test_rclpy_messages_convert_the_same_way():
    transition = TransitionImporter(PromptCache(16), decode_images=True).convert(rclpy_transition(4, step=1))
    assert transition.obs.image.shape == (256, 256, 3)
    assert decode_image(rclpy_transition(4).observation.image).shape == (256, 256, 3)


def test_unknown_history_id_names_the_run_and_sequence():
    msg = rclpy_transition(9, run_id="run-x", step=2)
    msg.observation.history = [42, 42]
    with pytest.raises(ConversionError, match=r"run 'run-x' sequence 9 .*history prompt id 42"):
        TransitionImporter(PromptCache(16), decode_images=False).convert(msg)


def test_full_cache_says_which_prompt_and_what_to_change():
    importer = TransitionImporter(PromptCache(2), decode_images=False)
    with pytest.raises(ConversionError, match=r"cache is full \(capacity 2\).*cache_capacity"):
        importer.convert(rclpy_transition(1))


def test_one_recorded_id_naming_two_prompts_in_a_run_is_refused():
    importer = TransitionImporter(PromptCache(16), decode_images=False)
    importer.convert(rclpy_transition(1))
    msg = rclpy_transition(2)
    msg.candidates.prompts = ["reset to home", "close the drawer", "pick up the banana"]  # id 3 changed text
    with pytest.raises(ConversionError, match="recorded prompt id 3 names both"):
        importer.convert(msg)
