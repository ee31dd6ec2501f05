"""Send an arm command until the driver applies it: a test's way past a refusal the test did not intend.

The driver refuses a command stamped more than ``command_max_age`` (0.5 s) before it takes it from
its queue. On a loaded 2-core CI machine a command published in a burst, or while the driver's tick
was held up, waited 0.6-1.1 s in the queue and was refused as stale (seen in CI: the reset tests
then waited 30 s for a move that never came). That refusal is the driver doing its job; a test of
something else re-stamps and re-sends. Only a refusal *counted as stale* is retried, decided on the
driver's own counters, so a command refused for any other reason still fails the test.
"""

from __future__ import annotations

from collections.abc import Callable

from sarl_interfaces.msg import ArmState
from support.ros_node import wait_until

ATTEMPTS = 5


def send_until_applied(publish_fresh: Callable[[], None], latest_state: Callable[[], ArmState | None],
                       what: str, timeout: float = 10.0) -> ArmState:  # fmt: skip
    """Call ``publish_fresh`` (which stamps a new command now) until the driver's ``commands_applied`` grows.

    Returns the first arm_state that counts the command applied. Raises ``TimeoutError`` when the
    driver neither applies nor counts the command stale within ``timeout``, and ``AssertionError``
    when it refuses it as stale ``ATTEMPTS`` times in a row.
    """
    for _ in range(ATTEMPTS):
        before = wait_until(latest_state, timeout, f"an arm_state before {what}")
        publish_fresh()

        def verdict(before: ArmState = before) -> ArmState | None:
            state = latest_state()
            moved = state.commands_applied > before.commands_applied or state.commands_stale > before.commands_stale
            return state if moved else None

        state = wait_until(verdict, timeout, what)
        if state.commands_applied > before.commands_applied:
            return state
    raise AssertionError(f"{what}: the driver refused the command as stale {ATTEMPTS} times in a row")

