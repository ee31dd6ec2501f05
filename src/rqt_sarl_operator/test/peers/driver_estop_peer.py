"""The driver's e-stop contract as a small real ROS process, for tests of the operator panel in real rqt.

It serves exactly what ``widowx_driver`` serves for the e-stop (the contract of
``sarl_interfaces/srv/ClearEstop.srv``): ``true`` on ``estop`` (reliable, transient-local)
engages and latches; ``false`` on ``estop`` is ignored; only a ``clear_estop`` request that
``sarl_auth.estop_clear.ClearAuthority`` accepts (signed with the run secret, fresh, new
nonce, with a reason) clears it; ``arm_state`` (reliable, depth 10) carries ``estop_active``
at ``--rate-hz``. No arm: the rest of ArmState is zero.

Every e-stop event is printed as one JSON line, numbered in the order this node handled it,
so a test reads what the driver side received and in which order:
``{"seq": 3, "event": "engage"|"ignored_false"|"clear", "accepted": bool, "message": str, "active": bool}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

import rclpy
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_auth.estop_clear import ClearAuthority, ClearRequest
from sarl_auth.secret import load_or_create_secret
from sarl_node_runtime import run_until_signal
from sarl_interfaces.msg import ArmState
from sarl_interfaces.srv import ClearEstop
from std_msgs.msg import Bool

ESTOP_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


class DriverEstopPeer(Node):
    def __init__(self, rate_hz: float) -> None:
        super().__init__("widowx_driver")
        self._lock = threading.Lock()
        self._active = False
        self._seq = 0
        self._authority = ClearAuthority(load_or_create_secret())
        group = MutuallyExclusiveCallbackGroup()  # one e-stop event at a time, in arrival order
        self.create_subscription(Bool, "estop", self._estop_callback, ESTOP_QOS, callback_group=group)
        self.create_service(ClearEstop, "clear_estop", self._clear_callback, callback_group=group)
        self._state_pub = self.create_publisher(ArmState, "arm_state", 10)
        self.create_timer(1.0 / rate_hz, self._publish_state, callback_group=group)

    def _event(self, event: str, **fields: object) -> None:
        self._seq += 1
        print(json.dumps({"seq": self._seq, "event": event, "active": self._active, **fields}), flush=True)

    def _estop_callback(self, msg: Bool) -> None:
        with self._lock:
            if msg.data:
                self._active = True
                self._event("engage")
            else:
                self._event("ignored_false")
            self._publish_state()

    def _clear_callback(self, request: ClearEstop.Request, response: ClearEstop.Response) -> ClearEstop.Response:
        with self._lock:
            refusal = self._authority.check(ClearRequest(request.operator_name, request.reason, request.stamp_ns,
                                                         request.nonce, bytes(request.mac)))  # fmt: skip
            response.accepted = refusal is None
            if refusal is None:
                self._active = False
                response.message = f"cleared by {request.operator_name}: {request.reason}"
            else:
                response.message = refusal
            self._event("clear", accepted=response.accepted, message=response.message, reason=request.reason,
                        operator=request.operator_name)  # fmt: skip
            self._publish_state()
        return response

    def _publish_state(self) -> None:
        msg = ArmState()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.estop_active = self._active
        self._state_pub.publish(msg)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-hz", type=float, default=20.0)
    args = parser.parse_args()
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    node = DriverEstopPeer(args.rate_hz)
    print(json.dumps({"seq": 0, "event": "ready"}), flush=True)
    run_until_signal(node, MultiThreadedExecutor(num_threads=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
