"""VLM check of ``sarl doctor``: the model is current, the key can use it, and it answers in time with an image.

Why real requests: a key can be present and still be wrong, revoked, out of
quota, or for a model that Google has retired; and a model that answers a
text-only ping quickly can still time out on every step with a camera frame.
The operator should learn that before the first episode, not from a proposer
that falls back to its cache. In order:

1. the configured name against the table of retired models (no request);
2. ``models.list``: is the model among those the key can use for generateContent;
3. :data:`SAMPLES` ``propose`` calls with a camera-sized JPEG through the
   proposer's own :class:`GeminiProposer` (the real ``google-genai`` client,
   key scrubbed), reporting p50/p95 latency against the configured timeout.

Each failure is named by class: a bad key, a forbidden key, a missing model,
quota, a slow model (latency), or no route (DNS/proxy). No ROS here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

import numpy as np

from .doctor_checks import CheckResult, Status

SAMPLES = 5
"""Timed calls with an image (each one a billed request)."""
IMAGE_SHAPE = (480, 640, 3)
"""A camera frame's size (the WidowX deployments' 640x480 RGB camera)."""
SLOW_SHARE = 0.5
"""p95 above this share of the timeout is a WARN: one slow call plus a retry would exceed the step's budget."""


def camera_sized_jpeg(seed: int = 0) -> bytes:
    """A 640x480 JPEG with a camera frame's texture, so its size and decoding cost are like a real frame's."""
    import cv2

    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    frame = cv2.resize(coarse, IMAGE_SHAPE[1::-1], interpolation=cv2.INTER_CUBIC)
    frame = np.clip(frame.astype(np.int16) + rng.integers(-12, 13, IMAGE_SHAPE), 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok, "JPEG encoding failed"
    return encoded.tobytes()


def check_vlm(
    proposer_parameters: Mapping[str, object],
    task: str,
    skip: bool = False,
    environ: Mapping[str, str] = os.environ,
    samples: int = SAMPLES,
) -> CheckResult:
    """PASS for the offline backend (noted), else the model, the key and timed image requests."""
    from sarl_agent.proposer.base import ProposerError
    from sarl_agent.proposer.config import ProposerConfig
    from sarl_agent.proposer.gemini import GeminiProposer
    from sarl_agent.proposer.models import replacement_for

    try:
        config = ProposerConfig.from_mapping(dict(proposer_parameters))
    except (ValueError, TypeError) as error:
        return CheckResult("vlm", Status.FAIL, f"vlm_proposer parameters: {error}", "fix the vlm_proposer section")
    if config.backend == "offline":
        return CheckResult("vlm", Status.PASS, "offline backend: candidates from the task prompts and templates")
    if config.backend != "gemini":
        return CheckResult("vlm", Status.PASS, f"{config.backend} backend: no VLM is called")
    replacement = replacement_for(config.model)
    if replacement:
        return CheckResult(
            "vlm", Status.FAIL, f"model {config.model} is retired or deprecated by Google",
            f"set vlm_proposer.model: {replacement} (docs/real_robot.md, 'Choosing the Gemini model')",
        )  # fmt: skip
    if skip:
        return CheckResult("vlm", Status.SKIP, f"gemini ({config.model}) not called (--skip-vlm)")
    if not environ.get(config.api_key_env):
        return CheckResult(
            "vlm", Status.FAIL, f"backend gemini but ${config.api_key_env} is unset",
            f"export {config.api_key_env}=... (compose: secret file docker/secrets/"
            f"{config.api_key_env.lower()}), or set vlm_proposer.backend: offline",
        )  # fmt: skip
    proposer = GeminiProposer(config.gemini_settings(), environ)
    try:
        usable = [name for name, methods in proposer.list_models() if "generateContent" in methods]
    except ProposerError as error:
        return CheckResult("vlm", Status.FAIL, f"models.list: {error}", _fix_for(str(error), config, []))
    if config.model not in usable:
        return CheckResult(
            "vlm", Status.FAIL,
            f"model {config.model} is not among the {len(usable)} models this key can use: {_shown(usable)}",
            f"set vlm_proposer.model to one of them (e.g. {_suggest(usable)})",
        )  # fmt: skip
    return _timed_requests(proposer, config, task or "tidy the table", samples, usable)


def _timed_requests(proposer, config, task: str, samples: int, usable: list[str]) -> CheckResult:
    from sarl_agent.proposer.base import ProposerError

    image = camera_sized_jpeg()
    latencies, answered = [], 0
    for _ in range(samples):
        started = time.monotonic()
        try:
            answered = len(proposer.propose(task, image, [], 3).prompts)
        except ProposerError as error:
            return CheckResult("vlm", Status.FAIL, f"{config.model} with a {len(image) // 1024} kB image: {error}",
                               _fix_for(str(error), config, usable))
        latencies.append(time.monotonic() - started)
    p50, p95 = (float(np.percentile(latencies, q)) for q in (50, 95))
    size = f"{IMAGE_SHAPE[1]}x{IMAGE_SHAPE[0]} image ({len(image) // 1024} kB)"
    timing = (f"latency with a {size}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {samples} calls "
              f"(timeout {config.timeout:g} s)")
    version = proposer.last_model_version
    detail = (f"{config.model} answered {answered} prompt(s); {timing}; the key can use {len(usable)} models "
              f"for generateContent: {_shown(usable)}")
    if version and not version.startswith(config.model):
        return CheckResult("vlm", Status.WARN, f"{detail}; but requests for {config.model} are answered by {version}",
                           f"Google re-routes this name: set vlm_proposer.model: {version}")
    if p95 > SLOW_SHARE * config.timeout:
        return CheckResult("vlm", Status.WARN, f"{detail}: p95 is over {SLOW_SHARE:.0%} of the timeout", _SLOW_FIX)
    return CheckResult("vlm", Status.PASS, detail)


_SLOW_FIX = ("the model is slow for this timeout: raise vlm_proposer.timeout (keep (retries + 1) * timeout below "
             "sarl_agent.propose_timeout), set thinking_level: low (or minimal where supported), or pick a -lite model")


def _fix_for(reason: str, config, usable: list[str]) -> str:
    key = f"${config.api_key_env}"
    if "API_KEY_INVALID" in reason or "HTTP 401" in reason:
        return f"the key in {key} is not valid: create a new one in Google AI Studio and export it"
    if "HTTP 403" in reason:
        return (f"the key in {key} may not call the Gemini API (restricted, blocked, reported leaked, or the API "
                "is disabled in its project): check the key's restrictions or create a new one")
    if "HTTP 404" in reason:
        return f"no model {config.model!r} for this key: set vlm_proposer.model (e.g. {_suggest(usable)})"
    if "HTTP 400" in reason:
        return "Google refused the request as invalid (see the message): check thinking_level and model"
    if "HTTP 429" in reason:
        return "quota exhausted: wait, raise the quota, or run with vlm_proposer.backend: offline"
    if "timed out" in reason:
        return _SLOW_FIX
    if "unreachable" in reason:
        return "no route to the Gemini API from this machine: check DNS, proxy (HTTPS_PROXY) and firewall"
    if "HTTP 5" in reason:
        return "Google's service failed (5xx): try again later; the proposer falls back to its cache meanwhile"
    return "see the reason above; the proposer would fall back to its cache on every call"


def _suggest(usable: list[str]) -> str:
    from sarl_agent.proposer.models import DEFAULT_MODEL, replacement_for

    current = [n for n in usable if replacement_for(n) is None]
    if DEFAULT_MODEL in current or not current:
        return DEFAULT_MODEL
    flashes = [n for n in current if "flash" in n]
    return (flashes or current)[0]


def _shown(names: list[str], limit: int = 8) -> str:
    return ", ".join(names[:limit]) + (f", … ({len(names) - limit} more)" if len(names) > limit else "") or "none"
