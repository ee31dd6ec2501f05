"""The doctor's VLM check: offline mode noted, a missing key named, and one real google-genai request.

The request goes to a local stand-in for the Gemini REST endpoint (``base_url``),
so the real client library, the proposer's parsing and the error mapping all run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sarl_bringup.doctor_checks import Status
from sarl_bringup.doctor_vlm import check_vlm
from support.fake_gemini import FakeGemini, running_fake_gemini

KEY = "test-key-0123456789"


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with running_fake_gemini() as fake:
        fake.prompts = ["pick up the banana", "put it in the pot"]
        yield fake


def gemini_params(url: str) -> dict:
    return {"backend": "gemini", "base_url": url, "timeout": 5.0, "model": "gemini-2.5-flash"}


def test_offline_backend_passes_and_says_no_vlm_is_called():
    result = check_vlm({"backend": "offline"}, "tidy up", environ={})
    assert result.status is Status.PASS and "offline" in result.detail


def test_missing_key_fails_naming_the_variable_and_both_ways_to_provide_it():
    result = check_vlm({"backend": "gemini"}, "tidy up", environ={})
    assert result.status is Status.FAIL and "$GEMINI_API_KEY is unset" in result.detail
    assert "docker/secrets/gemini_api_key" in result.fix and "backend: offline" in result.fix


def test_skip_vlm_makes_no_request(gemini):
    result = check_vlm(gemini_params(gemini.url), "tidy up", skip=True, environ={"GEMINI_API_KEY": KEY})
    assert result.status is Status.SKIP and gemini.requests == []


def test_one_real_request_passes_when_the_endpoint_answers(gemini):
    result = check_vlm(gemini_params(gemini.url), "tidy up", environ={"GEMINI_API_KEY": KEY})
    assert result.status is Status.PASS and "answered 2 prompt(s)" in result.detail
    assert len(gemini.requests) == 1 and gemini.requests[0]["path"].endswith("/models/gemini-2.5-flash:generateContent")


def test_a_rejected_key_fails_with_the_http_status_and_no_key_in_the_text(gemini):
    gemini.mode, gemini.error_status = "error", 403
    result = check_vlm(gemini_params(gemini.url), "tidy up", environ={"GEMINI_API_KEY": KEY})
    assert result.status is Status.FAIL and "HTTP 403" in result.detail and "create a new one" in result.fix
    assert KEY not in result.detail + result.fix


def test_invalid_proposer_parameters_fail_before_any_request():
    result = check_vlm({"backend": "gpt"}, "tidy up", environ={})
    assert result.status is Status.FAIL and "backend" in result.detail
