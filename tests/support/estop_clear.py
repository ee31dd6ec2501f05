"""A signed ``clear_estop`` request, as the operator panel and ``sarl estop clear`` build one."""

from __future__ import annotations

from sarl_auth import load_or_create_secret
from sarl_auth.estop_clear import signed_clear_request
from sarl_interfaces.srv import ClearEstop


def clear_request(secret: bytes | None = None, reason: str = "arm inspected, area clear") -> ClearEstop.Request:
    """Signed with ``secret`` (default: this run's secret, i.e. the operator's authority)."""
    signed = signed_clear_request(secret if secret is not None else load_or_create_secret(), "test operator", reason)
    return ClearEstop.Request(operator_name=signed.operator_name, reason=signed.reason, stamp_ns=signed.stamp_ns,
                              nonce=signed.nonce, mac=list(signed.mac))  # fmt: skip
