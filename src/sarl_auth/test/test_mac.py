"""The MAC binds every field, and only the secret's holder can make one."""

import pytest
from sarl_auth import canonical_bytes, sign, verify

SECRET = bytes(range(32))


def test_a_signed_message_verifies_and_any_change_breaks_it():
    fields = ("run-1", 7, 0.5, ["a", "b"], True)
    mac = sign(SECRET, *fields)
    assert verify(SECRET, mac, *fields)
    assert not verify(SECRET, mac, "run-1", 8, 0.5, ["a", "b"], True)
    assert not verify(SECRET, mac, "run-1", 7, 0.25, ["a", "b"], True)
    assert not verify(SECRET, mac, "run-1", 7, 0.5, ["a", "b"], False)
    assert not verify(bytes(32), mac, *fields)


@pytest.mark.parametrize(("left", "right"), [
    (("ab", "c"), ("a", "bc")),
    ((1, "2"), ("1", 2)),
    ((["a", "b"],), ("a", "b")),
    ((b"x",), ("x",)),
    ((0.0,), (0,)),
])
def test_different_fields_never_share_bytes(left, right):
    assert canonical_bytes(*left) != canonical_bytes(*right)


@pytest.mark.parametrize("mac", [b"", b"short", None, 42, bytes(33)])
def test_malformed_macs_are_refused_not_raised(mac):
    assert not verify(SECRET, mac, "x")
