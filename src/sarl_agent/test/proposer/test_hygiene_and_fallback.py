"""Prompt hygiene at admission, fallbacks that never write the cache and fit the step, and the breaker's clock."""

from __future__ import annotations

import pytest
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_agent.proposer import CachedProposer, OfflineProposer
from sarl_agent.proposer.base import PromptProposer, Proposal
from sarl_agent.proposer.errors import PermanentVlmError, TransientVlmError
from sarl_agent.proposer.resilience import Backoff, CircuitBreaker
from sarl_prompt import MAX_PROMPT_CHARS, MAX_PROMPT_WORDS

class ScriptedBackend(PromptProposer):
    """Returns (or raises) the scripted answers in order, the last one forever; records each call's ``allowed``."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.allowed: list = []

    def propose(self, task, image_jpeg, history, max_candidates, allowed=None) -> Proposal:
        self.allowed.append(allowed)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return Proposal(prompts=tuple(answer))


LONG = "carefully " * 202 + "pick"  # 2,024 characters: the length once seen admitted permanently
WORDY = " ".join(["pick"] * (MAX_PROMPT_WORDS + 1))


def hygiene_proposer(*answers, cache=None, fallback=None, log=None, **kwargs):
    return CachedProposer(ScriptedBackend(*answers), cache or PromptCache(64), fallback=fallback,
                          log=log if log is not None else [].append, **kwargs)


def test_overlong_and_reset_prompts_are_rejected_logged_and_never_cached():
    logged: list[str] = []
    answer = [LONG, WORDY, "go back home", "Return to the home pose.", "reset to home", "pick up the banana"]
    proposer = hygiene_proposer(answer, log=logged.append)
    proposal = proposer.propose("t", None, [], 8)
    assert proposal.prompts == ("pick up the banana",) and proposal.vlm_state == "offline"
    assert proposer.cache.prompts == ("reset to home", "pick up the banana")
    assert len(logged) == 5
    assert f"{len(LONG)} characters; at most {MAX_PROMPT_CHARS}" in logged[0]
    assert f"{MAX_PROMPT_WORDS + 1} words" in logged[1]
    assert all("reset to home" in line for line in logged[2:])


def test_an_answer_of_only_rejected_prompts_is_retried_then_falls_back_with_the_reasons():
    proposer = hygiene_proposer([LONG, "go home"], retries=1)
    proposal = proposer.propose("t", None, [], 8)
    assert proposal.prompts == () and proposer.cache.prompts == ("reset to home",)
    assert "attempt 2: no admissible prompt" in proposal.error and "characters" in proposal.error


def test_a_cold_cache_fallback_screens_offline_prompts_and_caches_none():
    task = " ".join(["tidy"] * (MAX_PROMPT_WORDS + 4))  # a whole task sentence, too long for the VLA
    offline = OfflineProposer(["pick up the banana", "go back home"])
    proposer = hygiene_proposer(TransientVlmError("VLM HTTP 503 UNAVAILABLE"), fallback=offline, retries=0,
                                breaker=CircuitBreaker(5, 10.0))
    proposal = proposer.propose(task, None, [], 8)
    assert proposal.prompts == ("pick up the banana",) and proposal.vlm_state == "degraded"
    assert proposer.cache.prompts == ("reset to home",)


def test_a_warm_cache_fallback_offers_what_followed_the_last_prompt_not_the_first_n():
    cached = [f"prompt {i}" for i in range(12)]
    cache = PromptCache(64, cached)
    proposer = hygiene_proposer(TransientVlmError("down"), cache=cache, retries=0, breaker=CircuitBreaker(99, 1.0))
    for _episode in range(2):  # two episodes went: prompt 10 -> prompt 11 -> prompt 3
        for history in ([], ["prompt 10"], ["prompt 10", "prompt 11"], ["prompt 10", "prompt 11", "prompt 3"]):
            proposer.propose("t", None, history, 3)
    first = proposer.propose("t", None, [], 3)
    assert first.prompts[0] == "prompt 10" and first.from_cache and first.vlm_state == "degraded"
    after = proposer.propose("t", None, ["prompt 10"], 3)
    assert after.prompts[0] == "prompt 11" and "prompt 10" not in after.prompts
    assert proposer.propose("t", None, ["prompt 10", "prompt 11"], 3).prompts[0] == "prompt 3"
    assert cache.prompts == ("reset to home", *cached), "a fallback never writes the cache"


def test_a_permanent_error_is_not_retried_and_no_request_follows_while_down():
    backend = ScriptedBackend(PermanentVlmError("VLM HTTP 403 PERMISSION_DENIED: blocked"))
    clock = [0.0]
    breaker = CircuitBreaker(3, 5.0, clock=lambda: clock[0])
    proposer = CachedProposer(backend, PromptCache(8, ["lift it"]), retries=4, breaker=breaker,
                              permanent_cooldown=60.0, log=[].append)
    first = proposer.propose("t", None, [], 2)
    assert len(backend.allowed) == 1 and first.vlm_state == "down" and first.prompts == ("lift it",)
    clock[0] = 59.0
    assert proposer.propose("t", None, [], 2).vlm_state == "down" and len(backend.allowed) == 1
    clock[0] = 60.0
    proposer.propose("t", None, [], 2)
    assert len(backend.allowed) == 2, "one trial request after the permanent cooldown"


def test_transient_errors_wait_the_capped_back_off_or_retry_info():
    waits: list[float] = []
    backend = ScriptedBackend(TransientVlmError("503"), TransientVlmError("429", retry_after=0.7), ["lift it"])
    proposer = CachedProposer(backend, PromptCache(8), retries=3, backoff=Backoff(0.25, 1.0), sleep=waits.append,
                              breaker=CircuitBreaker(3, 5.0), log=[].append)
    assert proposer.propose("t", None, [], 2).prompts == ("lift it",)
    assert waits == [0.25, 0.7]


@pytest.mark.parametrize(("retry", "retry_after", "expected"), [(1, None, 0.5), (2, None, 1.0), (4, None, 3.0),
                                                                (1, 2.5, 2.5), (3, 0.1, 2.0)])
def test_backoff_doubles_up_to_the_cap_and_retry_info_wins_when_longer(retry, retry_after, expected):
    assert Backoff(0.5, 3.0).delay(retry, retry_after) == expected


def test_the_breaker_opens_at_the_threshold_allows_one_trial_per_cooldown_and_closes_on_success():
    clock = [0.0]
    breaker = CircuitBreaker(2, 10.0, clock=lambda: clock[0])
    breaker.failed("503")
    assert breaker.allows() and not breaker.is_open
    breaker.failed("503")
    assert breaker.is_open and not breaker.allows() and breaker.reason == "503"
    clock[0] = 10.0
    assert breaker.allows() and not breaker.allows(), "one trial, then wait again"
    breaker.succeeded()
    assert breaker.allows() and not breaker.is_open and breaker.reason == ""


@pytest.mark.parametrize(("name", "value"), [("breaker_threshold", 0), ("breaker_cooldown", 0.0)])
def test_bad_breaker_parameters_are_named(name, value):
    kwargs = {"threshold": 1, "cooldown": 1.0} | {name.removeprefix("breaker_"): value}
    with pytest.raises(ValueError, match=name):
        CircuitBreaker(**kwargs)


def test_a_cache_saved_before_the_rules_keeps_its_ids_but_never_offers_a_bad_prompt():
    logged: list[str] = []
    cache = PromptCache(4, [LONG.strip(), "go back home", "lift it"])  # full: select mode
    backend = ScriptedBackend([LONG, "go back home", "lift it"])
    proposer = CachedProposer(backend, cache, retries=0, log=logged.append, breaker=CircuitBreaker(3, 1.0))
    assert len(logged) == 2 and "never offered" in logged[0] and cache.id_of("lift it") == 3
    assert proposer.propose("t", None, [], 8).prompts == ("lift it",)
    assert backend.allowed == [["lift it"]], "the VLM's enum holds only offerable prompts"
    backend.answers = [TransientVlmError("503")]
    assert proposer.propose("t", None, [], 8).prompts == ("lift it",)


def test_a_hold_longer_than_the_cooldown_is_not_shortened_by_a_later_failure():
    clock = [0.0]
    breaker = CircuitBreaker(3, 10.0, clock=lambda: clock[0])
    breaker.failed("429", hold=60.0)
    breaker.failed("the same call's summary")
    clock[0] = 59.0
    assert not breaker.allows() and breaker.remaining() == 1.0
