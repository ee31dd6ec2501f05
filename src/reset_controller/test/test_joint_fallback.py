"""When the reset controller asks for a joint-space move: far or twisted at the start, or steps refused."""

from __future__ import annotations

import pytest
from reset_controller.joint_fallback import wants_joint_move


@pytest.mark.parametrize(("position_error", "angle_error", "rejected", "wanted"), [
    (0.14, 0.0, 0, True),      # the sleep pose: 14 cm from home
    (0.02, 1.5, 0, True),      # a twisted wrist near home
    (0.05, 0.2, 0, False),     # a reasonable pose: the PID's straight approach
    (0.05, 0.2, 2, True),      # ... unless the driver refuses the steps (no IK solution)
    (0.05, 0.2, 1, False),
])  # fmt: skip
def test_joint_space_move_only_when_the_cartesian_way_is_doomed_or_blocked(position_error, angle_error, rejected,
                                                                           wanted):  # fmt: skip
    assert wants_joint_move(position_error, angle_error, rejected) is wanted
