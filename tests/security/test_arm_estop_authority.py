"""Anyone may stop the arm; only the operator (the run secret) may let it move again."""

from __future__ import annotations

STARTUP = 40.0  # [s] the driver process's first arm_state on a loaded 2-core machine


def test_an_outsider_cannot_clear_the_estop_and_the_operator_can(arm_driver, arm_observer, hostile, operator_cli):
    arm_driver(control_rate_hz=5.0, watchdog_timeout=30.0)
    spun, log = arm_observer
    spun.start()
    log.wait_for(lambda m: True, STARTUP, "the driver's first arm_state")
    engaged = operator_cli("engage")  # engaging is open to every peer; no secret involved
    assert engaged.returncode == 0, engaged.stdout + engaged.stderr
    log.wait_for(lambda m: m.estop_active, 10, "the e-stop engaged")

    attack = hostile("clear")  # estop false on the topic, then clear_estop with a forged MAC
    assert not attack["service_accepted"] and "only the operator" in attack["service_message"]
    refused = log.wait_for(lambda m: m.estop_clears_refused >= 2, 10, "both clears refused and counted")
    assert all(m.estop_active for m in log.states if m.estop_clears_refused >= 1), "an outsider cleared the e-stop"

    cleared = operator_cli("clear", "--reason", "area checked after the security test")
    assert cleared.returncode == 0 and "cleared" in cleared.stdout, cleared.stdout + cleared.stderr
    log.wait_for(lambda m: not m.estop_active and m.estop_clears_refused == refused.estop_clears_refused, 10,
                 "the operator's clear")  # fmt: skip
