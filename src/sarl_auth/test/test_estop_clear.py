"""Only a fresh, signed, first-seen clear request with a reason passes the driver's check."""

from dataclasses import replace

from sarl_auth.estop_clear import ClearAuthority, signed_clear_request

SECRET = bytes(range(32))
NOW = 1_800_000_000_000_000_000


def test_a_signed_fresh_request_is_accepted_once():
    authority = ClearAuthority(SECRET)
    request = signed_clear_request(SECRET, "ana", "area clear", now_ns=NOW)
    assert authority.check(request, now_ns=NOW + 10**9) is None
    assert "replayed" in authority.check(request, now_ns=NOW + 10**9)


def test_a_request_signed_with_another_secret_is_refused():
    request = signed_clear_request(bytes(32), "eve", "trust me", now_ns=NOW)
    assert "only the operator" in ClearAuthority(SECRET).check(request, now_ns=NOW)


def test_changing_a_signed_field_is_refused():
    request = replace(signed_clear_request(SECRET, "ana", "area clear", now_ns=NOW), operator_name="eve")
    assert "only the operator" in ClearAuthority(SECRET).check(request, now_ns=NOW)


def test_stale_and_future_requests_are_refused():
    authority = ClearAuthority(SECRET, window_s=5.0)
    assert "stale" in authority.check(signed_clear_request(SECRET, "ana", "ok", now_ns=NOW - 6 * 10**9), now_ns=NOW)
    assert "future" in authority.check(signed_clear_request(SECRET, "ana", "ok", now_ns=NOW + 6 * 10**9), now_ns=NOW)


def test_a_reason_is_required():
    request = signed_clear_request(SECRET, "ana", "  ", now_ns=NOW)
    assert "reason is required" in ClearAuthority(SECRET).check(request, now_ns=NOW)
