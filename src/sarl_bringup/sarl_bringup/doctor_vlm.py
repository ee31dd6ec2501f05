"""VLM check of ``sarl doctor``: the Gemini key is there and one real request answers.

Why a real request: a key can be present and still be wrong, revoked, out of
quota, or for a model name that does not exist; the operator should learn that
before the first episode, not from a proposer that silently falls back to its
cache. Uses the proposer's own ``GeminiProposer`` (the real ``google-genai``
client, key scrubbed from errors). No ROS here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from .doctor_checks import CheckResult, Status


def check_vlm(
    proposer_parameters: Mapping[str, object],
    task: str,
    skip: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> CheckResult:
    """PASS for the offline backend (noted), else the key and one ``propose`` call with the node's settings."""
    from sarl_agent.proposer.base import ProposerError
    from sarl_agent.proposer.config import ProposerConfig
    from sarl_agent.proposer.gemini import GeminiProposer

    try:
        config = ProposerConfig.from_mapping(dict(proposer_parameters))
    except (ValueError, TypeError) as error:
        return CheckResult("vlm", Status.FAIL, f"vlm_proposer parameters: {error}", "fix the vlm_proposer section")
    if config.backend == "offline":
        return CheckResult("vlm", Status.PASS, "offline backend: candidates from the task prompts and templates")
    if skip:
        return CheckResult("vlm", Status.SKIP, f"gemini ({config.model}) not called (--skip-vlm)")
    if not environ.get(config.api_key_env):
        return CheckResult(
            "vlm", Status.FAIL, f"backend gemini but ${config.api_key_env} is unset",
            f"export {config.api_key_env}=... (compose: secret file docker/secrets/"
            f"{config.api_key_env.lower()}), or set vlm_proposer.backend: offline",
        )  # fmt: skip
    proposer = GeminiProposer(config.gemini_settings(), environ)
    started = time.monotonic()
    try:
        proposal = proposer.propose(task or "tidy the table", None, [], 3)
    except ProposerError as error:
        return CheckResult("vlm", Status.FAIL, f"{config.model}: {error}", _fix_for(str(error)))
    elapsed = time.monotonic() - started
    return CheckResult(
        "vlm", Status.PASS, f"{config.model} answered {len(proposal.prompts)} prompt(s) in {elapsed * 1000:.0f} ms"
    )


def _fix_for(reason: str) -> str:
    if "HTTP 401" in reason or "HTTP 403" in reason or "HTTP 400" in reason:
        return "the key is wrong, revoked or not enabled for the Gemini API: create a new one and export it"
    if "HTTP 404" in reason:
        return "the model name does not exist for this key: set vlm_proposer.model (e.g. gemini-2.5-flash)"
    if "HTTP 429" in reason:
        return "quota exhausted: wait, raise the quota, or run with vlm_proposer.backend: offline"
    if "timed out" in reason or "unreachable" in reason:
        return "no route to the Gemini API from this machine: check DNS, proxy (HTTPS_PROXY) and firewall"
    return "see the reason above; the proposer would fall back to its cache on every call"
