"""Test-run isolation for every package: DDS domains of its own per pytest run (and xdist worker), localhost only.

Set here, before any test imports rclpy, so peer processes started by tests inherit it
and two test runs on one machine (or a developer's running graph) never see each other.
"""

import os
import tempfile
from pathlib import Path

from support.domains import RUN_RANGE, nth_domain

os.environ["ROS_DOMAIN_ID"] = os.environ.get("SARL_TEST_DOMAIN_ID", str(nth_domain(RUN_RANGE, 0)))
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The simulated graphs' policy servers serve cached prompts only (sarl_sim.policy_server.NO_MODEL_ENV): each
# sentence-model load costs ~9 s of CPU, and the graphs send only cached prompts. The product default (the model
# loaded at start) is tested by src/sarl_sim/test/test_policy_server.py, which unsets this.
os.environ.setdefault("SARL_SIM_POLICY_NO_MODEL", "1")
# One run secret per pytest run (sarl_auth), never the user's ~/.config/sarl/secret; created by whoever needs it.
os.environ.setdefault("SARL_SECRET_FILE", str(Path(tempfile.mkdtemp(prefix="sarl-test-secret-")) / "secret"))

pytest_plugins = ["support.fixtures", "support.arm_security", "support.scheduling"]
