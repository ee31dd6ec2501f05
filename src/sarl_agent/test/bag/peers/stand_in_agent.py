"""Peer process standing in for the agent: publishes transitions like AgentNode does, keeps an AckLedger.

Usage: stand_in_agent.py RUN_ID COUNT PERIOD_S. Publishes COUNT transitions, one every PERIOD_S
seconds, re-sends unacknowledged ones, prints "acknowledged <n>/<sent>" as acks arrive, then spins.
"""

import sys
from pathlib import Path

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import SemanticTransition, TransitionAck

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers import rclpy_transition, run_secret_bytes

from sarl_agent.bag.ledger import AckLedger
from sarl_agent.bag.transition_mac import ack_verifies, mac_bytes

TRANSITION_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                            durability=DurabilityPolicy.TRANSIENT_LOCAL)  # as AgentNode publishes
ACK_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)


class StandInAgent(Node):
    def __init__(self, run_id: str, count: int, period: float) -> None:
        super().__init__("stand_in_agent")
        self._run_id, self._count, self._sequence = run_id, count, 0
        self._ledger: AckLedger[SemanticTransition] = AckLedger(resend_after=1.0, max_resend_interval=2.0)
        self._publisher = self.create_publisher(SemanticTransition, "sarl/transitions", TRANSITION_QOS)
        self.create_subscription(TransitionAck, "sarl/transition_acks", self._ack, ACK_QOS)
        self.create_timer(period, self._publish_next)
        self.create_timer(0.5, self._resend)

    def _publish_next(self) -> None:
        if self._sequence >= self._count or self._publisher.get_subscription_count() == 0:
            return
        self._sequence += 1
        step = (self._sequence - 1) % 5
        message = rclpy_transition(self._sequence, run_id=self._run_id, episode=(self._sequence - 1) // 5,
                                   step=step, terminal=step == 4, reward=1.0 if step == 4 else 0.0)
        self._ledger.add(self._sequence, message)
        self._publisher.publish(message)

    def _ack(self, ack: TransitionAck) -> None:
        pending = self._ledger.pending_payload(ack.sequence) if ack.run_id == self._run_id else None
        if (pending is not None and ack.stored and ack_verifies(run_secret_bytes(), ack, mac_bytes(pending))
                and self._ledger.acknowledge(ack.sequence)):
            counts = self._ledger.counts()
            print(f"acknowledged {counts.acknowledged}/{counts.sent}", flush=True)

    def _resend(self) -> None:
        for _, message in self._ledger.due():
            self._publisher.publish(message)


def main() -> None:
    rclpy.init()
    node = StandInAgent(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
