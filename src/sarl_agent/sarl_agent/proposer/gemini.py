"""Gemini backend through the real ``google-genai`` client: image + task + history → JSON list of prompts.

Structured output (``response_mime_type='application/json'`` plus a
``response_schema`` "array of short strings", the length limits of
:mod:`sarl_prompt` included) makes the model answer in a form we can check;
once the prompt cache is full the schema's ``enum`` lists the cached prompts,
so the model can only *select*. One HTTP attempt per call: the SDK's own
retries stay off (``HttpRetryOptions(attempts=1)``), because
:class:`~sarl_agent.proposer.cached.CachedProposer` retries by error class.

Latency: thinking is turned down (LOW for Gemini 3.x, budget 0 for 2.x) and
the output is capped, since the answer is a few short commands. Failures raise
the classes of :mod:`.errors`; block and finish reasons are named.

The API key comes only from the environment variable named by
``api_key_env``; it is sent by the SDK as a header and scrubbed from every
error text this module produces.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sarl_prompt import MAX_PROMPT_CHARS, MAX_PROMPT_WORDS

from .base import PromptProposer, Proposal, ProposerError
from .gemini_errors import classify_failure
from .models import DEFAULT_MODEL, THINKING_LEVELS, family_defaults, generation

INSTRUCTIONS = """You help a robot arm controlled by a vision-language-action policy.
The user's task: {task}
Commands already executed in this episode, oldest first: {history}
Propose up to {count} distinct, short, imperative commands the policy could execute next
(one atomic skill each, such as "pick up the banana" or "put it in the pot";
at most {words} words and {chars} characters each; never "reset to home" or "go home": the robot does that itself).
Return only a JSON array of strings."""

SELECT_INSTRUCTIONS = """
Choose only from these commands, copied exactly: {allowed}"""

API_VERSIONS = ("", "v1", "v1beta")


@dataclass(frozen=True)
class GeminiSettings:
    """How to reach Gemini (ROS parameters of the vlm_proposer node with the same names)."""

    model: str = DEFAULT_MODEL
    """Model name as the Gemini API spells it (see proposer/models.py and docs/real_robot.md on choosing)."""
    base_url: str = ""
    """Endpoint; '' = Google's default. Tests point it at a local HTTP server."""
    timeout: float = 10.0
    """[s] per HTTP request (the SDK counts milliseconds; converted here)."""
    api_key_env: str = "GEMINI_API_KEY"
    """Environment variable holding the API key."""
    temperature: float = -1.0
    """Sampling temperature; < 0 = the model family's recommended value (1.0 for Gemini 3.x, 0.4 before)."""
    thinking_level: str = "auto"
    """'auto' (LOW for Gemini 3.x, thinking off for 2.x), '' (the model's default) or minimal/low/medium/high."""
    max_output_tokens: int = 2048
    """Output cap, thinking tokens included: a few short commands need far less; MAX_TOKENS is reported by name."""
    api_version: str = ""
    """REST version path ('' = the SDK's default, 'v1' in google-genai 3.6; or 'v1beta')."""

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise ValueError("parameter 'model' must name a Gemini model, got ''")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"parameter 'timeout' must be a finite number of seconds > 0, got {self.timeout!r}")
        if not self.api_key_env.strip():
            raise ValueError("parameter 'api_key_env' must name an environment variable, got ''")
        if not (math.isfinite(self.temperature) and self.temperature <= 2.0):
            raise ValueError(
                f"parameter 'temperature' must be in [0, 2] (or < 0 for the model's), got {self.temperature!r}"
            )
        if self.thinking_level not in ("auto", *THINKING_LEVELS):
            raise ValueError(
                f"parameter 'thinking_level' must be one of {('auto', *THINKING_LEVELS)}, got {self.thinking_level!r}"
            )
        major = generation(self.model)
        if major is not None and major < 3 and self.thinking_level not in ("auto", ""):
            raise ValueError(
                f"parameter 'thinking_level' {self.thinking_level!r} is for Gemini 3.x; {self.model} takes a thinking "
                "budget instead ('auto' sends a budget of 0, '' the model's default): the API answers 400 otherwise"
            )
        if not 64 <= self.max_output_tokens <= 65536:
            raise ValueError(f"parameter 'max_output_tokens' must be in 64..65536, got {self.max_output_tokens!r}")
        if self.api_version not in API_VERSIONS:
            raise ValueError(f"parameter 'api_version' must be one of {API_VERSIONS}, got {self.api_version!r}")

    @property
    def effective_temperature(self) -> float:
        return self.temperature if self.temperature >= 0 else family_defaults(self.model).temperature

    def thinking(self) -> dict[str, object] | None:
        """ThinkingConfig fields to send (a level for 3.x, a budget for 2.x, never both), or None."""
        family = family_defaults(self.model)
        if self.thinking_level == "":
            return None
        if self.thinking_level != "auto":
            return {"thinking_level": self.thinking_level.upper()}
        if family.thinking_budget is not None:
            return {"thinking_budget": family.thinking_budget}
        return {"thinking_level": family.thinking_level.upper()}


class GeminiProposer(PromptProposer):
    """One ``generate_content`` call per :meth:`propose`; failures raise :mod:`.errors` classes with the reason."""

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
            api_version=settings.api_version or None,
            timeout=max(1, round(settings.timeout * 1000)),
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        self._client = genai.Client(api_key=key, vertexai=False, http_options=http_options)
        self.last_model_version = ""
        """``modelVersion`` of the last answer (Google may re-route a deprecated name to another model)."""

    @property
    def settings(self) -> GeminiSettings:
        return self._settings

    def list_models(self) -> list[tuple[str, tuple[str, ...]]]:
        """(name without 'models/', supported generation methods) for every model this key can use."""
        try:
            return [
                ((m.name or "").removeprefix("models/"), tuple(m.supported_actions or ()))
                for m in self._client.models.list(config={"page_size": 100})
            ]
        except Exception as exc:
            raise self._scrubbed(classify_failure(exc, self._settings.timeout)) from None

    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        types = self._types
        text = INSTRUCTIONS.format(
            task=task, history=json.dumps(list(history)), count=max_candidates,
            words=MAX_PROMPT_WORDS, chars=MAX_PROMPT_CHARS,
        )
        if allowed is not None:
            text += SELECT_INSTRUCTIONS.format(allowed=json.dumps(list(allowed)))
        parts = [types.Part.from_bytes(data=image_jpeg, mime_type="image/jpeg")] if image_jpeg else []
        parts.append(types.Part.from_text(text=text))
        schema = types.Schema(
            type=types.Type.ARRAY,
            items=types.Schema(
                type=types.Type.STRING,
                enum=list(allowed) if allowed else None,
                max_length=MAX_PROMPT_CHARS,
                description=f"one short imperative command of at most {MAX_PROMPT_WORDS} words",
            ),
            min_items=1,
            max_items=max_candidates,
        )
        thinking = self._settings.thinking()
        config = types.GenerateContentConfig(
            response_mime_type="application/json",
            response_schema=schema,
            temperature=self._settings.effective_temperature,
            max_output_tokens=self._settings.max_output_tokens,
            thinking_config=types.ThinkingConfig(**thinking) if thinking else None,
            candidate_count=1,
        )
        try:
            response = self._client.models.generate_content(
                model=self._settings.model, contents=[types.Content(role="user", parts=parts)], config=config
            )
        except Exception as exc:
            raise self._scrubbed(classify_failure(exc, self._settings.timeout)) from None
        self.last_model_version = response.model_version or ""
        return Proposal(prompts=tuple(self._parse(response)))

    def _parse(self, response: object) -> list[str]:
        feedback = getattr(response, "prompt_feedback", None)
        if feedback is not None and feedback.block_reason:
            message = f": {feedback.block_reason_message}" if feedback.block_reason_message else ""
            raise ProposerError(f"VLM refused the request: blockReason {_name(feedback.block_reason)}{message}")
        candidates = getattr(response, "candidates", None) or []
        finish = _name(candidates[0].finish_reason) if candidates and candidates[0].finish_reason else ""
        try:
            answer = response.text
        except Exception as exc:  # the SDK raises on some malformed parts
            raise ProposerError(f"VLM response unreadable: {type(exc).__name__}: {exc}") from None
        if finish not in ("", "STOP"):
            hint = " (raise max_output_tokens or lower thinking_level)" if finish == "MAX_TOKENS" else ""
            raise ProposerError(f"VLM answer not usable: finishReason {finish}{hint}")
        if not answer or not answer.strip():
            raise ProposerError("VLM returned no text" + ("" if candidates else " (no candidates)"))
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

    def _scrubbed(self, error: ProposerError) -> ProposerError:
        error.args = (self._scrub(str(error)),)
        return error

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***")


def _name(value: object) -> str:
    """An SDK enum's name (``FinishReason.SAFETY`` → 'SAFETY'), or the raw string the server sent."""
    return str(getattr(value, "value", value))
