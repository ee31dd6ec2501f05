"""A hostile peer on the DDS domain: it knows the topic and action names but not the run secret.

One attack per run, chosen by the first argument; each prints one ``RESULT {...}`` line (JSON) that the
test reads, then exits 0. Run with ``--ros-args -r __ns:=/ns`` to aim it at a namespaced graph.

    clear               estop false on the topic, then clear_estop with a forged MAC
    forge               one command each: stale, 1e6 s in the future, wrong frame, empty frame, unknown source
    flood COUNT RATE    COUNT valid-looking commands (tiny moves, source vla, fresh stamps): one, then the rest
                        at RATE Hz once the driver counted the first
    goals COUNT         COUNT execute_prompt goals: unsigned, and signed with a guessed secret
"""

from __future__ import annotations

import json
import sys
import time

import rclpy
from rclpy.action import ActionClient
from rclpy.duration import Duration
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_auth.estop_clear import signed_clear_request
from sarl_auth.prompt_goal import sign_goal
from sarl_interfaces.action import ExecutePrompt
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_interfaces.srv import ClearEstop
from std_msgs.msg import Bool

ESTOP_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
GUESSED_SECRET = bytes(32)
MATCH_TIMEOUT = 30.0
PRIMER_WAIT = 2.0
"""[s] how long one first command may take to show in arm_state before it is sent again."""
PRIMER_LIMIT = 15


def wait_matched(node: Node, count, what: str) -> None:
    deadline = time.monotonic() + MATCH_TIMEOUT
    while count() == 0:
        if time.monotonic() > deadline:
            raise SystemExit(f"no {what} within {MATCH_TIMEOUT} s")
        rclpy.spin_once(node, timeout_sec=0.05)


def command(node: Node, *, age: float = 0.0, frame_id: str = "base_link", source: int = ArmCommand.SOURCE_VLA,
            dy: float = 0.0005) -> ArmCommand:  # fmt: skip
    msg = ArmCommand(source=source, dy=dy, gripper=1.0)
    msg.header.stamp = (node.get_clock().now() - Duration(nanoseconds=int(age * 1e9))).to_msg()
    msg.header.frame_id = frame_id
    return msg


def attack_clear(node: Node) -> dict:
    estop = node.create_publisher(Bool, "estop", ESTOP_QOS)
    wait_matched(node, estop.get_subscription_count, "estop subscriber")
    estop.publish(Bool(data=False))
    client = node.create_client(ClearEstop, "clear_estop")
    if not client.wait_for_service(timeout_sec=MATCH_TIMEOUT):
        raise SystemExit("no clear_estop service")
    forged = signed_clear_request(GUESSED_SECRET, "mallory", "trust me")
    future = client.call_async(ClearEstop.Request(operator_name=forged.operator_name, reason=forged.reason,
                                                  stamp_ns=forged.stamp_ns, nonce=forged.nonce,
                                                  mac=list(forged.mac)))  # fmt: skip
    rclpy.spin_until_future_complete(node, future, timeout_sec=MATCH_TIMEOUT)
    response = future.result()
    rclpy.spin_once(node, timeout_sec=0.5)  # let the reliable estop sample out before the process ends
    return {"service_accepted": bool(response.accepted), "service_message": response.message}


def attack_forge(node: Node) -> dict:
    publisher = node.create_publisher(ArmCommand, "arm_command", 10)
    wait_matched(node, publisher.get_subscription_count, "arm_command subscriber")
    forged = [command(node, age=2.0), command(node, age=-1e6), command(node, frame_id="world"),
              command(node, frame_id=""), command(node, source=ArmCommand.SOURCE_UNKNOWN)]  # fmt: skip
    for msg in forged:
        msg.dy = 0.05
        publisher.publish(msg)
    rclpy.spin_once(node, timeout_sec=0.5)
    return {"sent": len(forged)}


def attack_flood(node: Node, count: int, rate_hz: float) -> dict:
    publisher = node.create_publisher(ArmCommand, "arm_command", 10)
    wait_matched(node, publisher.get_subscription_count, "arm_command subscriber")
    # One sample first, until the driver reports it: samples lost before a sender's first one arrives are
    # invisible to the driver's gap count (it cannot tell them from samples sent before it listened).
    received: list[int] = []
    node.create_subscription(ArmState, "arm_state", lambda m: received.append(m.commands_received), 10)
    # Discovery is asymmetric: the driver's reader may match this writer a moment after this writer matched it,
    # and a volatile sample sent in between is never delivered. So the first sample is re-sent until counted.
    primers = 0
    while not sum(received):
        if primers >= PRIMER_LIMIT:
            raise SystemExit(f"no arm_state counted any of {primers} first commands")
        publisher.publish(command(node))
        primers += 1
        deadline = time.monotonic() + PRIMER_WAIT
        while not sum(received) and time.monotonic() < deadline:
            rclpy.spin_once(node, timeout_sec=0.05)
    period = 1.0 / rate_hz
    start = time.monotonic()
    for index in range(count - 1):
        publisher.publish(command(node))
        delay = start + (index + 1) * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.monotonic() - start
    # Reliable delivery of the last samples before this process exits: a tail lost on the way has no later
    # sample to reveal the gap (the driver's count is blind to it), so the flood makes sure it arrives.
    acked = publisher.wait_for_all_acked(Duration(seconds=MATCH_TIMEOUT))
    return {"published": count + primers - 1, "primers": primers, "seconds": round(elapsed, 3), "acked": acked}


def attack_goals(node: Node, count: int) -> dict:
    client = ActionClient(node, ExecutePrompt, "execute_prompt")
    if not client.wait_for_server(timeout_sec=MATCH_TIMEOUT):
        raise SystemExit("no execute_prompt server")
    accepted = 0
    for index in range(count):
        goal = ExecutePrompt.Goal(prompt="knock the pot over", max_steps=1000)
        if index % 2:
            sign_goal(GUESSED_SECRET, goal)
        future = client.send_goal_async(goal)
        rclpy.spin_until_future_complete(node, future, timeout_sec=MATCH_TIMEOUT)
        accepted += bool(future.result() is not None and future.result().accepted)
    return {"sent": count, "accepted": accepted}


def main() -> int:
    argv = rclpy.utilities.remove_ros_args(sys.argv)[1:]
    rclpy.init()
    node = Node("hostile_arm_peer")
    try:
        attack = argv[0]
        if attack == "clear":
            result = attack_clear(node)
        elif attack == "forge":
            result = attack_forge(node)
        elif attack == "flood":
            result = attack_flood(node, int(argv[1]), float(argv[2]))
        elif attack == "goals":
            result = attack_goals(node, int(argv[1]))
        else:
            raise SystemExit(f"unknown attack {attack!r}; see the module docstring")
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    sys.exit(main())
