"""Connecting to the REAL toolbox when the xs_sdk is absent, then present, then gone (real xs_sdk_sim process).

Why its own module: these tests start and kill the simulated xs_sdk, which the other interbotix
modules share for speed.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from support import interbotix_peer
from support.interbotix_peer import ArmObserver
from support.ros_node import wait_until
from widowx_driver.arm_backend import BackendError
from widowx_driver.interbotix_backend import STALE_AFTER, InterbotixBackend


def test_absent_xs_sdk_fails_at_the_deadline_then_a_later_connect_works(tmp_path):
    interbotix_peer.activate_toolbox()
    began = time.monotonic()
    with pytest.raises(BackendError, match=r"no answer from the Interbotix xs_sdk within 2\.0 s"):
        InterbotixBackend(connect_timeout=2.0).connect()
    assert time.monotonic() - began < 10.0
    sim = interbotix_peer.start_sim(tmp_path)
    arm = InterbotixBackend(connect_timeout=30.0)
    try:
        arm.connect()  # the failed attempt left no toolbox state behind
        assert arm.state().shape == (7,)
    finally:
        arm.close()
        sim.stop()


def test_a_stale_joint_state_is_never_turned_into_a_command(tmp_path):
    interbotix_peer.activate_toolbox()
    sim = interbotix_peer.start_sim(tmp_path)
    arm = InterbotixBackend(connect_timeout=30.0)
    observer = None
    try:
        observer = ArmObserver()
        arm.connect()
        observer.wait_states(3)
        assert np.all(np.isfinite(arm.state()))
        sim.kill()  # the xs_sdk dies: joint_states stop
        wait_until(lambda: _refuses(arm), STALE_AFTER + 5.0, "the backend to refuse its stale joint state")
        with pytest.raises(BackendError, match="no joint state"):
            arm.hold()
        with pytest.raises(BackendError, match="no joint state"):
            arm.apply(np.array([0.01, 0, 0, 0, 0, 0, 1.0]))
    finally:
        arm.close()
        if observer is not None:
            observer.close()
        sim.stop()


def _refuses(arm: InterbotixBackend) -> bool:
    try:
        arm.state()
    except BackendError:
        return True
    return False


def test_make_interop_passes_against_the_simulated_xs_sdk(tmp_path):
    """The user's chain check (``make interop``) as its own process, against the real toolbox and xs_sdk_sim."""
    import subprocess
    import sys

    env = interbotix_peer.child_environment()
    sim = interbotix_peer.start_sim(tmp_path)
    try:
        done = subprocess.run([sys.executable, "-m", "widowx_driver.interop_check", "--robot-model", "wx250s"],
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        sim.stop()
    report = [line for line in done.stdout.splitlines() if line.startswith(("PASS", "FAIL", "all", "failed"))]
    print("\n".join(report))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    names = [line.split()[1] for line in report if line.startswith("PASS")]
    assert names == ["connect", "profile", "home", "steps", "hold", "gripper", "reconnect"]


def test_interop_refuses_a_real_xs_sdk(tmp_path, monkeypatch):
    """It pushes the arm: against anything but the simulated xs_sdk it must stop after connecting."""
    from widowx_driver import interop_check

    interbotix_peer.activate_toolbox()
    sim = interbotix_peer.start_sim(tmp_path)
    monkeypatch.setattr(interop_check, "simulated_xs_sdk", lambda arm, model: False)  # as if it were /wx250s/xs_sdk
    try:
        assert interop_check.run("wx250s", 5.0, 30.0) == 1
    finally:
        sim.stop()
