"""Test-run isolation for every package: one DDS domain per pytest run, localhost only.

Set here, before any test imports rclpy, so peer processes started by tests inherit it
and two test runs on one machine (or a developer's running graph) never see each other.
"""

import os
import tempfile
from pathlib import Path

os.environ["ROS_DOMAIN_ID"] = os.environ.get("SARL_TEST_DOMAIN_ID", str(1 + os.getpid() % 100))
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One run secret per pytest run (sarl_auth), never the user's ~/.config/sarl/secret; created by whoever needs it.
os.environ.setdefault("SARL_SECRET_FILE", str(Path(tempfile.mkdtemp(prefix="sarl-test-secret-")) / "secret"))

pytest_plugins = ["support.fixtures", "support.arm_security"]
