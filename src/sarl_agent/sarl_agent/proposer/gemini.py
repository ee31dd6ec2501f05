"""Gemini backend through the real ``google-genai`` client: image + task + history → JSON list of prompts.

Structured output (``response_mime_type='application/json'`` plus a
``response_schema`` "array of strings") makes the model answer in a form we
can check; once the prompt cache is full the schema's ``enum`` lists the
cached prompts, so the model can only *select*. One HTTP attempt per call
(retries belong to :class:`~sarl_agent.proposer.cached.CachedProposer`, which
also retries on malformed output), each bounded by ``timeout``.

The API key comes only from the environment variable named by
``api_key_env``; it is sent by the SDK as a header and scrubbed from every
error text this module produces.
"""

from __future__ import annotations

import importlib
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .base import PromptProposer, Proposal, ProposerError

INSTRUCTIONS = """You help a robot arm controlled by a vision-language-action policy.
The user's task: {task}
Commands already executed in this episode, oldest first: {history}
Propose up to {count} distinct, short, imperative commands the policy could execute next
(one atomic skill each, such as "pick up the banana" or "put it in the pot").
Return only a JSON array of strings."""

SELECT_INSTRUCTIONS = """
Choose only from these commands, copied exactly: {allowed}"""


@dataclass(frozen=True)
class GeminiSettings:
    """How to reach Gemini (ROS parameters of the vlm_proposer node with the same names)."""

    model: str = "gemini-2.5-flash"
    """Model name as the Gemini API spells it."""
    base_url: str = ""
    """Endpoint; '' = Google's default. Tests point it at a local HTTP server."""
    timeout: float = 10.0
    """[s] per HTTP request (the SDK counts milliseconds; converted here)."""
    api_key_env: str = "GEMINI_API_KEY"
    """Environment variable holding the API key."""
    temperature: float = 0.4
    """Sampling temperature: some diversity across calls, mostly on-task."""

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise ValueError("parameter 'model' must name a Gemini model, got ''")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"parameter 'timeout' must be a finite number of seconds > 0, got {self.timeout!r}")
        if not self.api_key_env.strip():
            raise ValueError("parameter 'api_key_env' must name an environment variable, got ''")
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError(f"parameter 'temperature' must be in [0, 2], got {self.temperature!r}")


class GeminiProposer(PromptProposer):
    """One ``generate_content`` call per :meth:`propose`; failures raise :class:`ProposerError` with the reason."""

    def __init__(self, settings: GeminiSettings, environ: Mapping[str, str] = os.environ) -> None:
        key = environ.get(settings.api_key_env, "")
        if not key:
            raise ValueError(
                f"the gemini backend needs an API key in the environment variable {settings.api_key_env!r} "
                "(parameter 'api_key_env'), which is unset or empty; export it, or use backend 'offline'"
            )
        from google import genai
        from google.genai import types

        self._settings = settings
        self._key = key
        self._types = types
        http_options = types.HttpOptions(
            base_url=settings.base_url or None,
            timeout=max(1, round(settings.timeout * 1000)),
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        self._client = genai.Client(api_key=key, vertexai=False, http_options=http_options)

    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        types = self._types
        text = INSTRUCTIONS.format(task=task, history=json.dumps(list(history)), count=max_candidates)
        if allowed is not None:
            text += SELECT_INSTRUCTIONS.format(allowed=json.dumps(list(allowed)))
        parts = [types.Part.from_bytes(data=image_jpeg, mime_type="image/jpeg")] if image_jpeg else []
        parts.append(types.Part.from_text(text=text))
        schema = types.Schema(
            type=types.Type.ARRAY,
            items=types.Schema(type=types.Type.STRING, enum=list(allowed) if allowed else None),
            min_items=1,
            max_items=max_candidates,
        )
        config = types.GenerateContentConfig(
            response_mime_type="application/json",
            response_schema=schema,
            temperature=self._settings.temperature,
            candidate_count=1,
        )
        try:
            response = self._client.models.generate_content(
                model=self._settings.model, contents=[types.Content(role="user", parts=parts)], config=config
            )
            answer = response.text
        except Exception as exc:
            raise ProposerError(self._scrub(_describe_failure(exc, self._settings.timeout))) from None
        return Proposal(prompts=tuple(self._parse(answer)))

    def _parse(self, answer: str | None) -> list[str]:
        if not answer or not answer.strip():
            raise ProposerError("VLM returned no text (empty response or blocked)")
        try:
            value = json.loads(answer)
        except json.JSONDecodeError as exc:
            raise ProposerError(f"VLM output is not JSON ({exc.msg}): {self._scrub(answer[:200])!r}") from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProposerError(f"VLM output is not a JSON array of strings: {self._scrub(answer[:200])!r}")
        prompts = [v for v in value if v.strip()]
        if not prompts:
            raise ProposerError("VLM returned an empty list of prompts")
        return prompts

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***")


def _describe_failure(exc: Exception, timeout: float) -> str:
    """A one-line reason for an SDK/transport failure (HTTP status, timeout, unreadable body)."""
    from google.genai import errors

    timeouts, transport = _transport_errors()
    if isinstance(exc, errors.APIError):
        return f"VLM HTTP {exc.code} {exc.status or ''}: {exc.message or ''}".strip()
    if isinstance(exc, (TimeoutError, *timeouts)):
        return f"VLM request timed out after {timeout} s"
    if isinstance(exc, transport):
        return f"VLM unreachable: {type(exc).__name__}: {exc}"
    return f"VLM response unreadable: {type(exc).__name__}: {exc}"


def _transport_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """Timeout and transport exception types of whichever HTTP library google-genai uses (httpx or httpx2)."""
    timeouts, transport = [], []
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport.append(module.HTTPError)
    return tuple(timeouts), tuple(transport)
