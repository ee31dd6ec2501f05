"""icl_gemini: configured from ``sarl eval``, shown the camera frame, and loud on a permanent error.

The requests go to a stand-in answering as Google's Gemini REST API does, through the real google-genai client.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from sarl_agent.learning.observation import Observation
from sarl_agent.learning.prompt_cache import PromptCache
from sarl_eval.cli import build_specs, parser
from sarl_eval.harness import RunSpec, run
from sarl_eval.icl_gemini import IclGeminiAgent
from support.fake_gemini import FakeGemini, running_fake_gemini

KEY = "eval-test-key-0123456789"


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with running_fake_gemini() as fake:
        yield fake


def agent_for(fake: FakeGemini, **settings) -> IclGeminiAgent:
    cache = PromptCache(8, ["pick up the banana", "put it in the pot"])
    options = {"base_url": fake.url, "timeout": 0.5, "api_key_env": "ICL_KEY", **settings}
    return IclGeminiAgent(cache, "put the banana in the pot", options, environ={"ICL_KEY": KEY})


def test_the_vlm_sees_the_camera_frame_and_its_choice_is_taken(gemini):
    gemini.prompts = ["put it in the pot"]
    agent = agent_for(gemini, model="gemini-3.5-flash-lite")
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :32] = (255, 0, 0)  # red on the left, in RGB
    decision = agent.act(Observation(1, (1,), np.zeros(7), frame), [1, 2])
    assert decision.action == 2 and agent.fallbacks == 0
    (request,) = gemini.requests
    assert request["path"] == "/v1/models/gemini-3.5-flash-lite:generateContent"
    part = request["body"]["contents"][0]["parts"][0]["inlineData"]
    sent = cv2.imdecode(np.frombuffer(base64.urlsafe_b64decode(part["data"]), np.uint8), cv2.IMREAD_COLOR)
    assert sent.shape == frame.shape and sent[24, 8, 2] > 200 and sent[24, 8, 0] < 50  # BGR: red stays red
    assert request["body"]["generationConfig"]["responseSchema"]["items"]["enum"] == [
        "pick up the banana", "put it in the pot"]


def test_a_transient_failure_falls_back_and_a_permanent_one_stops_the_run(gemini):
    agent = agent_for(gemini)
    gemini.mode = "UNAVAILABLE"
    agent.act(Observation(0, (), np.zeros(7)), [1, 2])
    assert agent.fallbacks == 1
    gemini.mode = "API_KEY_INVALID"
    with pytest.raises(RuntimeError, match="API_KEY_INVALID"):
        agent.act(Observation(0, (), np.zeros(7)), [1, 2])


def test_sarl_eval_options_configure_icl_gemini_and_a_missing_key_stops_before_running(monkeypatch):
    args = ["--methods", "icl_gemini,random", "--tasks", "pot_lid_to_towel", "--seeds", "dev:1",
            "--gemini-model", "gemini-3.5-flash-lite", "--gemini-timeout", "3", "--gemini-key-env", "MY_KEY"]
    monkeypatch.setenv("MY_KEY", KEY)
    specs = build_specs(parser().parse_args(args))
    by_method = {s.method: s for s in specs}
    assert by_method["icl_gemini"].gemini == {"model": "gemini-3.5-flash-lite", "timeout": 3.0, "api_key_env": "MY_KEY"}
    assert by_method["random"].gemini == {}
    monkeypatch.delenv("MY_KEY")
    with pytest.raises(SystemExit, match=r"\$MY_KEY"):
        build_specs(parser().parse_args(args))
    with pytest.raises(SystemExit, match="only to the icl_gemini method"):
        build_specs(parser().parse_args(["--methods", "random", "--gemini-model", "gemini-3.8-flash"]))


def test_an_evaluation_run_sends_the_simulators_camera_frames(gemini, monkeypatch):
    monkeypatch.setenv("ICL_KEY", KEY)
    gemini.prompts = ["nothing on the list"]  # off-list: the offline ranking decides, the run stays short
    options = {"base_url": gemini.url, "timeout": 2.0, "api_key_env": "ICL_KEY"}
    spec = RunSpec(method="icl_gemini", task="pot_lid_to_towel", seed=0, episodes=1, eval_every=0,
                   eval_episodes=1, max_steps=2, gemini=options)
    run(spec)
    assert gemini.requests, "icl_gemini made no request"
    for request in gemini.requests:
        part = request["body"]["contents"][0]["parts"][0]
        assert part["inlineData"]["mime_type"] == "image/jpeg"
