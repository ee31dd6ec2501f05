"""The log-stamp reader the latency tests rely on, and the bound's failure message."""

import pytest
from support.latency_bounds import LatencyBound
from support.ros_log import log_stamps

LOG = """\
[vla_bridge] [INFO] [1700000000.100000000] [vla_bridge]: ready: policy ws://127.0.0.1:8000
[vla_bridge] [WARN] [1700000001.250000000] [vla_bridge]: goal 'pick up the banana': POLICY_ERROR after 6 steps
[WARN] [1700000002.500000000] [fault.vla_bridge]: goal 'pick up the banana': POLICY_ERROR after 9 steps
[sarl_agent] episode 3: goal 'x': POLICY_ERROR (quoted by another node, not the bridge's own line)
"""


def test_stamps_of_one_loggers_matching_lines_with_or_without_a_launcher_prefix():
    assert log_stamps(LOG, "vla_bridge", r"^goal '.*': POLICY_ERROR") == [1700000001.25]
    assert log_stamps(LOG, "fault.vla_bridge", "POLICY_ERROR after") == [1700000002.5]
    assert log_stamps(LOG, "vla_bridge", "COMPLETED") == []


def test_a_bound_passes_below_its_limit_and_fails_naming_budget_margin_and_purpose():
    bound = LatencyBound("cancel", budget=0.5, margin=0.5, catches="a server that ignores cancel")
    bound.check(0.99)
    with pytest.raises(AssertionError, match=r"cancel: 1.200 s >= 1.000 s \(budget 0.500 s \+ margin 0.500 s\)"):
        bound.check(1.2)
