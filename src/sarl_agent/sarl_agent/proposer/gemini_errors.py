"""google-genai / transport exceptions → :mod:`.errors` classes with a one-line reason Google's body supports.

Google's error body is ``{"error": {"code", "message", "status", "details": [...]}}``
where ``details`` may carry ``google.rpc.ErrorInfo`` (``reason`` such as
``API_KEY_INVALID``) and ``google.rpc.RetryInfo`` (``retryDelay`` such as ``"7s"``).
"""

from __future__ import annotations

import importlib
import re

from .errors import PermanentVlmError, ProposerError, TransientVlmError

PERMANENT_CODES = frozenset({400, 401, 403, 404})
"""Bad key or request, forbidden, no such model: the same request fails again."""
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def classify_failure(exc: Exception, timeout: float) -> ProposerError:
    """The error class and reason for an exception raised by ``generate_content`` / ``models.list``."""
    from google.genai import errors

    if isinstance(exc, errors.APIError):
        details = _details(exc)
        reason = next((d.get("reason") for d in details if str(d.get("@type", "")).endswith("rpc.ErrorInfo")), None)
        text = f"VLM HTTP {exc.code} {exc.status or ''}{f' ({reason})' if reason else ''}: {exc.message or ''}"
        text = re.sub(r"\s+", " ", text).strip()
        if exc.code in PERMANENT_CODES:
            return PermanentVlmError(text)
        return TransientVlmError(text, retry_after=retry_delay(details))
    connect_timeouts, timeouts, transport = _transport_errors()
    if isinstance(exc, connect_timeouts):
        return TransientVlmError(f"VLM unreachable: no connection within {timeout} s ({type(exc).__name__})")
    if isinstance(exc, (TimeoutError, *timeouts)):
        return TransientVlmError(f"VLM request timed out after {timeout} s: connected, but no answer in time")
    if isinstance(exc, transport):
        return TransientVlmError(f"VLM unreachable: {type(exc).__name__}: {exc}")
    return ProposerError(f"VLM response unreadable: {type(exc).__name__}: {exc}")


def retry_delay(details: list[dict]) -> float | None:
    """[s] from a ``google.rpc.RetryInfo`` detail (``"retryDelay": "7s"``), None without one."""
    for detail in details:
        if str(detail.get("@type", "")).endswith("rpc.RetryInfo"):
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _details(exc: Exception) -> list[dict]:
    body = getattr(exc, "details", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _transport_errors() -> tuple[tuple[type[Exception], ...], ...]:
    """Connect-timeout, timeout and transport exception types of whichever HTTP library google-genai uses."""
    connect, timeouts, transport = [], [], []
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        connect.append(module.ConnectTimeout)
        timeouts.append(module.TimeoutException)
        transport.append(module.HTTPError)
    return tuple(connect), tuple(timeouts), tuple(transport)
