"""Only a fresh, first-seen execute_prompt goal signed with the run secret passes the bridge's check."""

from types import SimpleNamespace

import pytest
from sarl_auth.prompt_goal import GoalAuthority, sign_goal

SECRET = bytes(range(32))
NOW = 1_800_000_000_000_000_000


def goal(prompt="put the banana in the pot", max_steps=10, max_duration=0.1):
    return SimpleNamespace(prompt=prompt, max_steps=max_steps, max_duration=max_duration, stamp_ns=0, nonce=0, mac=[])


def test_a_signed_goal_passes_once_even_after_float32_rounding():
    signed = sign_goal(SECRET, goal(), now_ns=NOW)
    signed.max_duration = 0.10000000149011612  # what a float32 field reads back as
    authority = GoalAuthority(SECRET)
    assert authority.check(signed, now_ns=NOW) is None
    assert "replayed" in authority.check(signed, now_ns=NOW)


@pytest.mark.parametrize("field,value", [("prompt", "knock the pot over"), ("max_steps", 1000), ("max_duration", 9.0)])
def test_changing_a_signed_field_is_refused(field, value):
    signed = sign_goal(SECRET, goal(), now_ns=NOW)
    setattr(signed, field, value)
    assert "only the agent" in GoalAuthority(SECRET).check(signed, now_ns=NOW)


def test_unsigned_foreign_and_stale_goals_are_refused():
    authority = GoalAuthority(SECRET, window_s=5.0)
    assert "only the agent" in authority.check(goal(), now_ns=NOW)
    assert "only the agent" in authority.check(sign_goal(bytes(32), goal(), now_ns=NOW), now_ns=NOW)
    assert "allowed within" in authority.check(sign_goal(SECRET, goal(), now_ns=NOW - 6 * 10**9), now_ns=NOW)
    assert "allowed within" in authority.check(sign_goal(SECRET, goal(), now_ns=NOW + 6 * 10**9), now_ns=NOW)
