"""The operator's authority to clear the e-stop: how a request is signed and how the driver checks it.

Both sides live here so the panel and the driver can never disagree on the
signed fields. A request is fresh for ``window_s`` of system-clock time and each
nonce is accepted once, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from sarl_auth.mac import sign, verify

PURPOSE = "clear_estop"
DEFAULT_WINDOW_S = 5.0
MAX_TEXT = 256


@dataclass(frozen=True)
class ClearRequest:
    """The fields of a ``ClearEstop`` request (sarl_interfaces/srv/ClearEstop.srv)."""

    operator_name: str
    reason: str
    stamp_ns: int
    nonce: int
    mac: bytes


def signed_clear_request(secret: bytes, operator_name: str, reason: str, *, now_ns: int | None = None) -> ClearRequest:
    """A fresh request with a random nonce, signed with ``secret``."""
    stamp_ns = time.time_ns() if now_ns is None else now_ns
    nonce = secrets.randbits(63)
    return ClearRequest(operator_name, reason, stamp_ns, nonce,
                        sign(secret, PURPOSE, operator_name, reason, stamp_ns, nonce))


class ClearAuthority:
    """The driver's check of a clear request: signed, fresh, never seen, with a reason."""

    def __init__(self, secret: bytes, window_s: float = DEFAULT_WINDOW_S, remembered: int = 1024) -> None:
        if window_s <= 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        self._secret = secret
        self._window_ns = int(window_s * 1e9)
        self._seen: OrderedDict[int, int] = OrderedDict()
        self._remembered = remembered

    def check(self, request: ClearRequest, *, now_ns: int | None = None) -> str | None:
        """None when the request may clear the e-stop, else the reason it may not."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        if not request.reason.strip():
            return "a reason is required to clear the e-stop"
        if len(request.operator_name) > MAX_TEXT or len(request.reason) > MAX_TEXT:
            return f"operator and reason are limited to {MAX_TEXT} characters"
        if not verify(self._secret, request.mac, PURPOSE, request.operator_name, request.reason,
                      int(request.stamp_ns), int(request.nonce)):  # fmt: skip
            return "not signed with this robot's run secret: only the operator may clear the e-stop"
        age_s = (now_ns - int(request.stamp_ns)) / 1e9
        if age_s > self._window_ns / 1e9:
            return f"stale request ({age_s:.1f} s old)"
        if -age_s > self._window_ns / 1e9:
            return f"future-dated request ({-age_s:.1f} s ahead)"
        if int(request.nonce) in self._seen:
            return "replayed request (nonce already used)"
        self._seen[int(request.nonce)] = now_ns
        while len(self._seen) > self._remembered:
            self._seen.popitem(last=False)
        return None
