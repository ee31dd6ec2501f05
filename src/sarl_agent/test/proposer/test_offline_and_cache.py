"""Offline proposer and the prompt-cache rule (admit the first k, then only select), without network."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.proposer import CachedProposer, OfflineProposer, ProposerConfig, ProposerError, build_proposer
from sarl_agent.proposer.base import PromptProposer, Proposal
from sarl_agent.proposer.cached import load_cache


class ScriptedBackend(PromptProposer):
    """Returns (or raises) the scripted answers in order and records what it was allowed to choose from."""

    def __init__(self, *answers: Sequence[str] | Exception) -> None:
        self.answers = list(answers)
        self.allowed: list[Sequence[str] | None] = []

    def propose(self, task, image_jpeg, history, max_candidates, allowed=None) -> Proposal:
        self.allowed.append(allowed)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return Proposal(prompts=tuple(answer))


def test_offline_templates_mix_grounded_and_ungrounded_prompts():
    offline = OfflineProposer(["Open the gripper."], objects=["banana"], receptacles=["pot"])
    prompts = offline.propose("Put the banana in the pot", None, [], 20).prompts
    assert prompts[0] == "put the banana in the pot"  # the task itself comes first
    assert {"open the gripper", "pick up the banana", "put it in the pot", "pick up the pot"} <= set(prompts)
    assert offline.propose("x", None, [], 3).prompts == ("x", "open the gripper", "pick up the banana")


def test_offline_takes_a_sim_tasks_candidates_without_reset_to_home():
    prompts = (
        OfflineProposer.from_sim_task("pot_lid_to_towel").propose("move the pot lid to the towel", None, [], 50).prompts
    )
    assert "put it on the cloth" in prompts and "pick up the lid" in prompts
    assert "reset to home" not in prompts
    with pytest.raises(ValueError, match="pot_lid_to_towel"):
        OfflineProposer.from_sim_task("no_such_task")


def test_offline_with_nothing_configured_says_what_to_set():
    with pytest.raises(ProposerError, match="offline_task"):
        OfflineProposer(include_task=False).propose("x", None, [], 5)


def test_prompts_are_normalised_admitted_and_reset_never_returned():
    cache = PromptCache(10)
    proposer = CachedProposer(
        ScriptedBackend(["  Pick up the Banana. ", "pick up the banana", "Reset to home", "lift it"]), cache
    )
    proposal = proposer.propose("t", None, [], 8)
    assert proposal.prompts == ("pick up the banana", "lift it") and not proposal.from_cache and not proposal.error
    assert cache.prompts == ("reset to home", "pick up the banana", "lift it")


def test_once_full_the_backend_may_only_select_from_the_cache():
    cache = PromptCache(4, ["pick up the banana", "put it in the pot", "lift it"])
    backend = ScriptedBackend(["put it in the pot", "a brand new prompt", "pick up the banana"])
    proposal = CachedProposer(backend, cache).propose("t", None, [], 8)
    assert backend.allowed == [["pick up the banana", "put it in the pot", "lift it"]]
    assert proposal.prompts == ("put it in the pot", "pick up the banana") and proposal.from_cache
    assert len(cache) == 4


def test_the_cache_fills_up_mid_answer_and_the_rest_is_dropped():
    cache = PromptCache(3)
    proposal = CachedProposer(ScriptedBackend(["a", "b", "c", "a"]), cache).propose("t", None, [], 8)
    assert proposal.prompts == ("a", "b") and cache.is_full


@pytest.mark.parametrize("bad", [ProposerError("VLM output is not JSON"), [], ["reset to home", "   "]])
def test_bad_output_is_retried_then_answered_from_the_cache_with_the_reason(bad):
    cache = PromptCache(8, ["pick up the banana"])
    backend = ScriptedBackend(bad)
    proposal = CachedProposer(backend, cache, retries=2).propose("t", None, [], 5)
    assert len(backend.allowed) == 3
    assert proposal.prompts == ("pick up the banana",) and proposal.from_cache
    assert "attempt 3" in proposal.error and "answered from the prompt cache" in proposal.error


def test_a_retry_that_succeeds_is_used():
    backend = ScriptedBackend(ProposerError("VLM HTTP 500"), ["lift it"])
    proposal = CachedProposer(backend, PromptCache(8), retries=1).propose("t", None, [], 5)
    assert proposal.prompts == ("lift it",) and not proposal.error


def test_an_empty_cache_falls_back_to_the_offline_proposer_then_to_nothing():
    failing = ScriptedBackend(ProposerError("VLM request timed out after 1 s"))
    offline = OfflineProposer(objects=["banana"])
    proposal = CachedProposer(failing, PromptCache(8), fallback=offline, retries=0).propose("pick", None, [], 2)
    assert proposal.prompts == ("pick", "pick up the banana") and "timed out" in proposal.error
    alone = CachedProposer(failing, PromptCache(8), retries=0).propose("pick", None, [], 2)
    assert alone.prompts == () and "timed out" in alone.error


def test_the_cache_persists_and_a_capacity_mismatch_is_refused(tmp_path):
    path = tmp_path / "cache.json"
    CachedProposer(ScriptedBackend(["lift it", "open the gripper"]), PromptCache(6), cache_file=path).propose(
        "t", None, [], 5
    )
    assert load_cache(6, path).prompts == ("reset to home", "lift it", "open the gripper")
    with pytest.raises(ValueError, match="cache_capacity"):
        load_cache(7, path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("backend", "gpt"),
        ("retries", -1),
        ("cache_capacity", 1),
        ("timeout", 0.0),
        ("default_max_candidates", 0),
        ("api_key_env", ""),
        ("temperature", 2.5),
        ("thinking_level", "extreme"),
        ("max_output_tokens", 10),
        ("api_version", "v2"),
        ("backoff_initial", -1.0),
        ("backoff_max", 0.5),
        ("breaker_threshold", 0),
        ("breaker_cooldown", 0.0),
        ("permanent_cooldown", 0.0),
    ],
)
def test_each_bad_parameter_is_named(name, value):
    with pytest.raises(ValueError, match=f"parameter '{name}'"):
        ProposerConfig(**{name: value})


def test_a_thinking_level_for_an_older_model_is_refused_before_the_api_would():
    with pytest.raises(ValueError, match=r"thinking_level.*Gemini 3\.x"):
        ProposerConfig(model="gemini-2.0-flash", thinking_level="low")


def test_gemini_without_a_key_fails_at_start_naming_the_variable():
    with pytest.raises(ValueError, match="MY_GEMINI_KEY"):
        build_proposer(ProposerConfig(backend="gemini", api_key_env="MY_GEMINI_KEY"), environ={})
