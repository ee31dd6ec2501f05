"""The real google-genai client against a stand-in answering as Google's Gemini REST API does.

Asserts the request the SDK actually sends (path, key header, image part,
schema with the prompt limits, thinking and generation config) and how each
error class is handled, counting the requests the endpoint received.
"""

from __future__ import annotations

import base64
import itertools
import time

import pytest
from sarl_agent.proposer import ProposerConfig, build_proposer
from sarl_agent.proposer.models import DEFAULT_MODEL
from sarl_prompt import MAX_PROMPT_CHARS, MAX_PROMPT_WORDS
from support import latency_bounds
from support.fake_gemini import HANG_SECONDS, model_entry

KEY = "test-key-0123456789"
JPEG = b"\xff\xd8\xff\xe0fake-jpeg"
HANG_TIMEOUT = 1.0
"""[s] Per-request timeout of the hang test, the only test that waits on it (its first, valid answer must still
come in time on a loaded machine); the others get a generous timeout, so a valid answer never times out."""


def proposer_for(fake, **overrides):
    settings = {
        "backend": "gemini",
        "base_url": fake.url,
        "timeout": 30.0,
        "retries": 1,
        "cache_capacity": 8,
        "api_key_env": "TEST_GEMINI_KEY",
        "offline_objects": ("banana",),
        "backoff_initial": 0.05,
        "backoff_max": 0.5,
    }
    config = ProposerConfig(**{**settings, **overrides})
    return build_proposer(config, environ={"TEST_GEMINI_KEY": KEY})


def test_the_request_the_sdk_sends_carries_image_schema_limits_and_thinking(fake_gemini):
    proposal = proposer_for(fake_gemini).propose("put the banana in the pot", JPEG, ["pick up the banana"], 5)
    assert proposal.prompts == ("pick up the banana", "put it in the pot") and not proposal.error
    assert proposal.vlm_state == "ok" and not proposal.from_cache
    (request,) = fake_gemini.requests
    assert request["method"] == "POST" and request["path"] == f"/v1/models/{DEFAULT_MODEL}:generateContent"
    assert request["headers"]["x-goog-api-key"] == KEY and "key" not in request["query"]
    parts = request["body"]["contents"][0]["parts"]
    assert base64.urlsafe_b64decode(parts[0]["inlineData"]["data"]) == JPEG
    assert parts[0]["inlineData"]["mime_type"] == "image/jpeg"
    assert "put the banana in the pot" in parts[1]["text"] and '["pick up the banana"]' in parts[1]["text"]
    generation = request["body"]["generationConfig"]
    assert generation["responseMimeType"] == "application/json" and generation["candidateCount"] == 1
    schema = generation["responseSchema"]
    assert schema["type"] == "ARRAY" and schema["max_items"] == 5 and schema["items"]["type"] == "STRING"
    assert schema["items"]["max_length"] == MAX_PROMPT_CHARS
    assert f"{MAX_PROMPT_WORDS} words" in schema["items"]["description"]
    assert generation["temperature"] == 1.0 and generation["maxOutputTokens"] == 2048
    assert generation["thinkingConfig"] == {"thinking_level": "LOW"}


def test_v1beta_and_an_older_model_family_get_their_path_budget_and_temperature(fake_gemini):
    fake_gemini.models["gemini-2.0-flash"] = model_entry("gemini-2.0-flash", "Gemini 2.0 Flash")
    proposer_for(fake_gemini, model="gemini-2.0-flash", api_version="v1beta").propose("t", None, [], 3)
    (request,) = fake_gemini.requests
    assert request["path"] == "/v1beta/models/gemini-2.0-flash:generateContent"
    generation = request["body"]["generationConfig"]
    assert generation["thinkingConfig"] == {"thinking_budget": 0} and generation["temperature"] == 0.4


def test_once_the_cache_is_full_the_schema_only_allows_cached_prompts(fake_gemini):
    proposer = proposer_for(fake_gemini, cache_capacity=3)
    proposer.propose("t", None, [], 5)  # fills the cache: reset + 2 prompts
    fake_gemini.prompts = ["put it in the pot", "grab the hammer"]
    proposal = proposer.propose("t", None, [], 5)
    schema = fake_gemini.requests[-1]["body"]["generationConfig"]["responseSchema"]
    assert schema["items"]["enum"] == ["pick up the banana", "put it in the pot"]
    assert proposal.prompts == ("put it in the pot",) and proposal.from_cache


@pytest.mark.parametrize(("reply", "named"), [
    ("API_KEY_INVALID", "HTTP 400 INVALID_ARGUMENT (API_KEY_INVALID)"),
    ("PERMISSION_DENIED", "HTTP 403 PERMISSION_DENIED"),
    ("NOT_FOUND", "HTTP 404 NOT_FOUND"),
])
def test_a_permanent_error_costs_one_request_and_reports_the_vlm_down(fake_gemini, reply, named):
    proposer = proposer_for(fake_gemini, retries=3)
    proposer.propose("t", None, [], 5)  # a good answer first: the cache holds prompts
    fake_gemini.mode = reply
    proposal = proposer.propose("t", None, [], 5)
    assert len(fake_gemini.requests) == 2, "a permanent error is never retried"
    assert proposal.vlm_state == "down" and proposal.error.startswith("VLM DOWN") and named in proposal.error
    assert proposal.prompts == ("pick up the banana", "put it in the pot") and KEY not in proposal.error
    again = proposer.propose("t", None, [], 5)
    assert len(fake_gemini.requests) == 2 and again.vlm_state == "down" and "no request sent" in again.error


def test_a_missing_model_is_googles_404_and_names_the_model(fake_gemini):
    proposal = proposer_for(fake_gemini, model="gemini-9-nope").propose("pick up the banana", None, [], 3)
    assert len(fake_gemini.requests) == 1 and proposal.vlm_state == "down"
    assert "models/gemini-9-nope is not found" in proposal.error and "offline proposer" in proposal.error


def test_429_waits_as_long_as_retry_info_says_then_succeeds(fake_gemini):
    fake_gemini.retry_delay = "0.3s"
    fake_gemini.replies.extend(["RESOURCE_EXHAUSTED", "valid"])
    proposal = proposer_for(fake_gemini).propose("t", None, [], 5)
    first, second = fake_gemini.requests
    assert second["time"] - first["time"] >= 0.3, "the retry came before RetryInfo's delay"
    assert proposal.vlm_state == "ok" and proposal.prompts == ("pick up the banana", "put it in the pot")


def test_a_retry_info_longer_than_the_cap_opens_the_circuit_without_a_retry(fake_gemini):
    fake_gemini.mode, fake_gemini.retry_delay = "RESOURCE_EXHAUSTED", "7s"
    proposer = proposer_for(fake_gemini, retries=3)
    proposal = proposer.propose("pick up the banana", None, [], 3)
    assert len(fake_gemini.requests) == 1 and proposal.vlm_state == "down"
    assert "HTTP 429 RESOURCE_EXHAUSTED" in proposal.error and "retry after 7 s" in proposal.error
    assert proposer.propose("pick up the banana", None, [], 3).vlm_state == "down" and len(fake_gemini.requests) == 1


def test_503_backs_off_exponentially_up_to_the_cap(fake_gemini):
    fake_gemini.mode = "UNAVAILABLE"
    proposer = proposer_for(fake_gemini, retries=3, backoff_initial=0.1, backoff_max=0.15, breaker_threshold=5)
    proposal = proposer.propose("pick up the banana", None, [], 3)
    times = [r["time"] for r in fake_gemini.requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4 and gaps[0] >= 0.1 and gaps[1] >= 0.15 and gaps[2] >= 0.15
    assert proposal.vlm_state == "degraded" and "HTTP 503 UNAVAILABLE" in proposal.error
    assert "attempt 4" in proposal.error


def test_the_circuit_opens_after_repeated_failures_and_a_trial_closes_it(fake_gemini):
    fake_gemini.mode = "INTERNAL"
    proposer = proposer_for(fake_gemini, retries=0, breaker_threshold=2, breaker_cooldown=0.3)
    assert proposer.propose("t", None, [], 3).vlm_state == "degraded"
    assert proposer.propose("t", None, [], 3).vlm_state == "down"
    assert proposer.propose("t", None, [], 3).vlm_state == "down" and len(fake_gemini.requests) == 2
    fake_gemini.mode = "valid"
    opened = fake_gemini.requests[-1]["time"]
    proposal = proposer.propose("t", None, [], 3)
    while proposal.vlm_state == "down":  # the cooldown runs on the proposer's clock; ask until it allows a trial
        proposal = proposer.propose("t", None, [], 3)
    assert proposal.vlm_state == "ok" and len(fake_gemini.requests) == 3
    assert fake_gemini.requests[-1]["time"] - opened >= 0.3


@pytest.mark.timing
@pytest.mark.parametrize(("reply", "named"), [
    ("blocked", "blockReason SAFETY"), ("finish:SAFETY", "finishReason SAFETY"),
    ("finish:RECITATION", "finishReason RECITATION"), ("finish:MAX_TOKENS", "finishReason MAX_TOKENS"),
    ("garbage", "unreadable"), ("hang", f"timed out after {HANG_TIMEOUT} s"),
])
def test_unusable_answers_are_named_retried_once_then_answered_from_the_cache(fake_gemini, reply, named):
    proposer = proposer_for(fake_gemini, **({"timeout": HANG_TIMEOUT} if reply == "hang" else {}))
    proposer.propose("t", None, [], 5)  # a good answer first, so the cache holds prompts
    fake_gemini.mode = reply
    started = time.monotonic()
    proposal = proposer.propose("t", JPEG, [], 5)
    took = time.monotonic() - started
    assert proposal.prompts == ("pick up the banana", "put it in the pot") and proposal.from_cache
    assert named in proposal.error and "attempt 2" in proposal.error and "prompt cache" in proposal.error
    assert len(fake_gemini.requests) == 3 and proposal.vlm_state == "degraded" and KEY not in proposal.error
    if reply == "hang":
        latency_bounds.vlm_retries(HANG_TIMEOUT, attempts=2, hang=HANG_SECONDS).check(took)


def test_a_cold_cache_fallback_offers_offline_prompts_without_caching_them(fake_gemini, tmp_path):
    cache_file = tmp_path / "cache.json"
    fake_gemini.mode = "INTERNAL"
    proposer = proposer_for(fake_gemini, prompt_cache_file=str(cache_file), retries=0)
    proposal = proposer.propose("put the banana in the pot", None, [], 3)
    assert proposal.prompts == ("put the banana in the pot", "pick up the banana", "grasp the banana")
    assert "HTTP 500" in proposal.error and "offline proposer (not cached)" in proposal.error
    assert proposer.cache.prompts == ("reset to home",) and not cache_file.exists()
