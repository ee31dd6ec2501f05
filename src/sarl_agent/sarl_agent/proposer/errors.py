"""Why a backend produced nothing, by class: what the caller may do next depends on it.

* :class:`ProposerError` — this answer was unusable (malformed, empty, blocked);
  asking again may help.
* :class:`TransientVlmError` — the service is overloaded, rate-limited or out
  of reach (429, 5xx, timeout); retry after ``retry_after`` (the server's
  ``google.rpc.RetryInfo``) or a back-off.
* :class:`PermanentVlmError` — the request can never succeed as configured
  (400 bad key or request, 403 forbidden, 404 no such model); retrying only
  spends quota, so the VLM is reported down.
"""

from __future__ import annotations


class ProposerError(RuntimeError):
    """A backend produced nothing usable (HTTP error, timeout, malformed or empty output); the text says which."""


class TransientVlmError(ProposerError):
    """The VLM service failed for now (429, 5xx, timeout, unreachable); ``retry_after`` [s] if the server said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentVlmError(ProposerError):
    """The request cannot succeed as configured (bad key, forbidden, missing model): never retried."""
