"""The doctor's VLM check against a stand-in answering as Google's Gemini REST API does.

The real client library, the proposer's parsing and the error mapping all run;
the stand-in's ``models.list`` decides which models the key can use.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from sarl_agent.proposer.models import DEFAULT_MODEL
from sarl_bringup.doctor_checks import Status
from sarl_bringup.doctor_vlm import IMAGE_SHAPE, check_vlm
from support.fake_gemini import FakeGemini, running_fake_gemini

KEY = "test-key-0123456789"
ENV = {"GEMINI_API_KEY": KEY}


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with running_fake_gemini() as fake:
        fake.prompts = ["pick up the banana", "put it in the pot"]
        yield fake


def gemini_params(url: str, **overrides) -> dict:
    return {"backend": "gemini", "base_url": url, "timeout": 5.0, "model": DEFAULT_MODEL, **overrides}


def test_offline_backend_passes_and_says_no_vlm_is_called():
    result = check_vlm({"backend": "offline"}, "tidy up", environ={})
    assert result.status is Status.PASS and "offline" in result.detail


def test_missing_key_fails_naming_the_variable_and_both_ways_to_provide_it():
    result = check_vlm({"backend": "gemini"}, "tidy up", environ={})
    assert result.status is Status.FAIL and "$GEMINI_API_KEY is unset" in result.detail
    assert "docker/secrets/gemini_api_key" in result.fix and "backend: offline" in result.fix


def test_skip_vlm_makes_no_request(gemini):
    result = check_vlm(gemini_params(gemini.url), "tidy up", skip=True, environ=ENV)
    assert result.status is Status.SKIP and gemini.requests == []


def test_a_retired_model_fails_with_the_replacement_named_before_any_request(gemini):
    result = check_vlm(gemini_params(gemini.url, model="gemini-2.5-flash"), "tidy up", environ=ENV)
    assert result.status is Status.FAIL and "gemini-2.5-flash is retired" in result.detail
    assert f"vlm_proposer.model: {DEFAULT_MODEL}" in result.fix and gemini.requests == []


def test_the_model_list_the_image_and_the_latency_are_reported(gemini):
    result = check_vlm(gemini_params(gemini.url), "tidy up", environ=ENV, samples=3)
    assert result.status is Status.PASS, result
    assert "answered 2 prompt(s)" in result.detail and "p50" in result.detail and "p95" in result.detail
    assert "over 3 calls (timeout 5 s)" in result.detail and "can use 3 models" in result.detail
    listing, *calls = gemini.requests
    assert listing["method"] == "GET" and listing["path"] == "/v1/models"
    assert [c["path"] for c in calls] == [f"/v1/models/{DEFAULT_MODEL}:generateContent"] * 3
    image = base64.urlsafe_b64decode(calls[0]["body"]["contents"][0]["parts"][0]["inlineData"]["data"])
    import cv2
    import numpy as np

    assert cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR).shape == IMAGE_SHAPE


def test_a_model_the_key_cannot_use_fails_listing_the_usable_ones(gemini):
    del gemini.models[DEFAULT_MODEL]
    result = check_vlm(gemini_params(gemini.url), "tidy up", environ=ENV)
    assert result.status is Status.FAIL and f"model {DEFAULT_MODEL} is not among the 2 models" in result.detail
    assert "gemini-3.5-flash-lite" in result.detail and "gemini-embedding-001" not in result.detail
    assert "e.g. gemini-3.5-flash-lite" in result.fix, "a deprecated name is never suggested"
    assert len(gemini.requests) == 1


@pytest.mark.parametrize(("reply", "named", "fix"), [
    ("API_KEY_INVALID", "API_KEY_INVALID", "the key in $GEMINI_API_KEY is not valid"),
    ("PERMISSION_DENIED", "HTTP 403", "the key in $GEMINI_API_KEY may not call the Gemini API"),
    ("RESOURCE_EXHAUSTED", "HTTP 429", "quota"),
])
def test_key_and_quota_errors_are_named_without_the_key(gemini, reply, named, fix):
    gemini.mode = reply
    result = check_vlm(gemini_params(gemini.url), "tidy up", environ=ENV)
    assert result.status is Status.FAIL and named in result.detail and fix in result.fix
    assert KEY not in result.detail + result.fix and len(gemini.requests) == 1


def test_a_slow_answer_is_reported_as_latency_not_as_dns(gemini):
    gemini.mode, gemini.delay = "slow", 1.0
    result = check_vlm(gemini_params(gemini.url, timeout=0.4), "tidy up", environ=ENV)
    assert result.status is Status.FAIL and "timed out after 0.4 s" in result.detail and "image" in result.detail
    assert "slow" in result.fix and "DNS" not in result.fix


def test_an_answer_close_to_the_timeout_warns_with_the_percentiles(gemini):
    gemini.mode, gemini.delay = "slow", 0.35
    result = check_vlm(gemini_params(gemini.url, timeout=0.6), "tidy up", environ=ENV, samples=2)
    assert result.status is Status.WARN and "p95" in result.detail and "timeout" in result.fix


def test_no_route_is_reported_as_unreachable(gemini):
    closed = gemini.url.rsplit(":", 1)[0] + ":9"  # discard port on loopback: connection refused
    result = check_vlm(gemini_params(closed), "tidy up", environ=ENV)
    assert result.status is Status.FAIL and "unreachable" in result.detail and "DNS" in result.fix


def test_invalid_proposer_parameters_fail_before_any_request():
    result = check_vlm({"backend": "gpt"}, "tidy up", environ={})
    assert result.status is Status.FAIL and "backend" in result.detail


def test_a_400_that_is_not_about_the_key_does_not_blame_the_key():
    from types import SimpleNamespace

    from sarl_bringup.doctor_vlm import _fix_for

    config = SimpleNamespace(api_key_env="GEMINI_API_KEY", model=DEFAULT_MODEL)
    fix = _fix_for("VLM HTTP 400 INVALID_ARGUMENT: Invalid JSON payload received.", config, [])
    assert "key" not in fix and "invalid" in fix
