"""What a stopped sim graph must leave behind, read from its own outputs (bag, ROS log files, launch output)."""

from __future__ import annotations

import threading
from pathlib import Path

from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from sarl_agent.bag.reader import BagSet, find_bags
from sarl_interfaces.msg import SemanticTransition, TransitionAck
from support.launch_stack import LaunchProcess
from support.ros_node import SpunNode

DRIVER_HELD = "stopping: arm held at its measured pose"
"""The driver's last log line about the arm (widowx_driver/driver_node.py)."""
ACK_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)


class AckListener:
    """Collects the recorder's acknowledgements (sarl/transition_acks): what the graph promised is stored."""

    def __init__(self) -> None:
        self._spun = SpunNode("launch_test_acks")
        self._lock = threading.Lock()
        self._acked: set[tuple[str, int]] = set()
        self._spun.node.create_subscription(TransitionAck, "sarl/transition_acks", self._on_ack, ACK_QOS)

    def _on_ack(self, msg: TransitionAck) -> None:
        with self._lock:
            self._acked.add((msg.run_id, msg.sequence))

    @property
    def acked(self) -> set[tuple[str, int]]:
        with self._lock:
            return set(self._acked)

    def close(self) -> None:
        self._spun.close()


def stored_transitions(bag_root: Path) -> set[tuple[str, int]]:
    """(run_id, sequence) of every transition in the finished bags under ``bag_root`` (no recovery)."""
    bags = find_bags([bag_root])
    assert bags, f"no bag under {bag_root}"
    for bag in bags:
        assert (bag / "metadata.yaml").is_file(), f"{bag} was not closed by the recorder (no metadata.yaml)"
    messages = [deserialize_message(m.raw, SemanticTransition) for m in BagSet(bags, recover=False).transitions()]
    return {(m.run_id, m.sequence) for m in messages}


def check_driver_held_last(launch: LaunchProcess) -> None:
    lines = launch.ros_log("widowx_driver")
    held = [i for i, line in enumerate(lines) if DRIVER_HELD in line]
    assert held, "the driver never logged its stopping hold; its last lines:\n" + "\n".join(lines[-10:])
    after = [line for line in lines[held[-1] + 1:] if "applied" in line or "moving" in line]
    assert not after, f"the driver acted on the arm after its hold: {after}"
