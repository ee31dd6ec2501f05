"""The real google-genai client against a local endpoint: valid, garbage, HTTP 500 and a hang."""

from __future__ import annotations

import base64
import json
import time

import pytest
from sarl_agent.proposer import ProposerConfig, build_proposer
from support import latency_bounds
from support.fake_gemini import HANG_SECONDS

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
    }
    config = ProposerConfig(**{**settings, **overrides})
    return build_proposer(config, environ={"TEST_GEMINI_KEY": KEY})


def test_a_valid_answer_is_normalised_and_cached(fake_gemini):
    proposer = proposer_for(fake_gemini)
    proposal = proposer.propose("put the banana in the pot", JPEG, ["pick up the banana"], 5)
    assert proposal.prompts == ("pick up the banana", "put it in the pot") and not proposal.error
    assert not proposal.from_cache
    request = fake_gemini.requests[0]
    assert request["path"].endswith("/models/gemini-2.5-flash:generateContent")
    assert request["headers"]["x-goog-api-key"] == KEY
    parts = request["body"]["contents"][0]["parts"]
    assert base64.urlsafe_b64decode(parts[0]["inlineData"]["data"]) == JPEG
    assert parts[0]["inlineData"]["mime_type"] == "image/jpeg"
    assert "put the banana in the pot" in parts[1]["text"] and '["pick up the banana"]' in parts[1]["text"]
    generation = request["body"]["generationConfig"]
    assert generation["responseMimeType"] == "application/json"
    assert generation["responseSchema"]["type"] == "ARRAY" and generation["responseSchema"]["items"]["type"] == "STRING"


def test_once_the_cache_is_full_the_schema_only_allows_cached_prompts(fake_gemini):
    proposer = proposer_for(fake_gemini, cache_capacity=3)
    proposer.propose("t", None, [], 5)  # fills the cache: reset + 2 prompts
    fake_gemini.prompts = ["put it in the pot", "grab the hammer"]
    proposal = proposer.propose("t", None, [], 5)
    schema = fake_gemini.requests[-1]["body"]["generationConfig"]["responseSchema"]
    assert schema["items"]["enum"] == ["pick up the banana", "put it in the pot"]
    assert proposal.prompts == ("put it in the pot",) and proposal.from_cache


@pytest.mark.timing
@pytest.mark.parametrize(
    ("mode", "reason"),
    [("garbage", "unreadable"), ("500", "HTTP 500"), ("hang", f"timed out after {HANG_TIMEOUT} s")],
)
def test_bad_endpoints_are_retried_then_answered_from_the_cache(fake_gemini, mode, reason):
    proposer = proposer_for(fake_gemini, **({"timeout": HANG_TIMEOUT} if mode == "hang" else {}))
    proposer.propose("t", None, [], 5)  # a good answer first, so the cache holds prompts
    fake_gemini.mode = mode
    started = time.monotonic()
    proposal = proposer.propose("t", JPEG, [], 5)
    took = time.monotonic() - started
    assert proposal.prompts == ("pick up the banana", "put it in the pot") and proposal.from_cache
    assert reason in proposal.error and "attempt 2" in proposal.error and "prompt cache" in proposal.error
    assert KEY not in proposal.error
    assert len(fake_gemini.requests) == 3  # the first call + one attempt + one retry
    if mode == "hang":
        latency_bounds.vlm_retries(HANG_TIMEOUT, attempts=2, hang=HANG_SECONDS).check(took)


def test_a_failing_endpoint_with_an_empty_cache_uses_the_offline_prompts(fake_gemini):
    fake_gemini.mode = "500"
    proposal = proposer_for(fake_gemini).propose("put the banana in the pot", None, [], 3)
    assert proposal.prompts == ("put the banana in the pot", "pick up the banana", "grasp the banana")
    assert "HTTP 500" in proposal.error and "offline" in proposal.error


def test_the_structured_answer_must_be_a_list_of_strings(fake_gemini):
    fake_gemini.prompts = {"prompts": ["pick up the banana"]}
    proposal = proposer_for(fake_gemini).propose("t", None, [], 3)
    assert "not a JSON array of strings" in proposal.error
    assert json.loads(json.dumps(proposal.prompts)) == list(proposal.prompts)
