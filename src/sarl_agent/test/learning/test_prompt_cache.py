"""Prompt cache: normalisation, admission, refusal when full, reserved reset id, persistence."""

from __future__ import annotations

import json

import pytest

from sarl_agent.learning.prompt_cache import RESET_TO_HOME, RESET_TO_HOME_ID, PromptCache, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pick up the banana", "pick up the banana"),
        ("  Pick   up\tthe Banana. ", "pick up the banana"),
        ("Open the drawer!!", "open the drawer"),
        ("close the drawer ?", "close the drawer"),
        ("Reset to home.", RESET_TO_HOME),
        ("put 3.5 cm left", "put 3.5 cm left"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_reset_to_home_is_reserved_at_id_zero():
    cache = PromptCache(4)
    assert len(cache) == 1
    assert cache.prompt_of(RESET_TO_HOME_ID) == RESET_TO_HOME
    assert cache.admit("Reset to Home!") == RESET_TO_HOME_ID
    assert len(cache) == 1


def test_admission_gives_stable_ids_and_same_id_for_variants():
    cache = PromptCache(8)
    first = cache.admit("pick up the banana")
    second = cache.admit("open the drawer")
    assert (first, second) == (1, 2)
    assert cache.admit("  PICK up the banana. ") == first
    assert cache.id_of("Open the drawer") == second
    assert cache.id_of("never seen") is None
    assert "open the drawer." in cache and "never seen" not in cache
    assert len(cache) == 3


def test_full_cache_refuses_unknown_prompts_but_still_maps_known_ones():
    cache = PromptCache(3)
    assert cache.admit("a") == 1
    assert cache.admit("b") == 2
    assert cache.is_full
    assert cache.admit("c") is None
    assert cache.id_of("c") is None
    assert cache.admit("A.") == 1
    assert len(cache) == cache.capacity == 3


@pytest.mark.parametrize("bad", ["", "   ", "..."])
def test_empty_prompt_is_refused(bad):
    with pytest.raises(ValueError, match="empty"):
        PromptCache(4).admit(bad)


@pytest.mark.parametrize("bad_id", [-1, 2, 99, True, "1", 1.0])
def test_prompt_of_refuses_unknown_ids(bad_id):
    cache = PromptCache(4, ["a"])
    with pytest.raises(ValueError, match="admitted id"):
        cache.prompt_of(bad_id)


def test_capacity_must_leave_room_for_reset():
    with pytest.raises(ValueError, match="capacity"):
        PromptCache(1)
    with pytest.raises(ValueError, match="more prompts than"):
        PromptCache(2, ["a", "b"])


def test_save_and_load_keep_ids(tmp_path):
    cache = PromptCache(10, ["pick up the banana", "Open the drawer"])
    path = tmp_path / "cache.json"
    cache.save(path)
    loaded = PromptCache.load(path)
    assert loaded.prompts == cache.prompts
    assert loaded.capacity == 10
    assert loaded.id_of("open the drawer") == 2
    assert loaded.admit("new prompt") == 3
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(prompts=["pick up the banana", RESET_TO_HOME]),
        lambda d: d.update(prompts=[RESET_TO_HOME, "a", "a"]),
        lambda d: d.update(prompts=[RESET_TO_HOME, "Not Normalised"]),
        lambda d: d.update(capacity=2),
        lambda d: d.update(version=99),
        lambda d: d.update(format="something else"),
    ],
)
def test_load_refuses_files_that_would_renumber_prompts(tmp_path, mutate):
    data = PromptCache(4, ["a", "b"]).to_dict()
    mutate(data)
    path = tmp_path / "cache.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError):
        PromptCache.load(path)


def test_forget_after_undoes_later_admissions_and_ids_are_reused_in_order():
    cache = PromptCache(8, ["pick up the lid"])
    size = len(cache)
    cache.admit("put it on the towel")
    cache.admit("open the gripper")
    cache.forget_after(size)
    assert cache.prompts == ("reset to home", "pick up the lid") and "open the gripper" not in cache
    assert cache.admit("open the gripper") == 2
    with pytest.raises(ValueError):
        cache.forget_after(0)
