"""A hostile peer on the DDS domain (no run secret): the attacks of issue #21 on sarl/transitions and acks.

Usage: attacker.py VICTIM_RUN_ID MODE [--ros-args ...]
  MODE transitions: forged, unsigned, malformed and oversize transitions under the victim's run id, 300 fake
                    run ids, and every real transition it sees replayed verbatim and with a new stamp;
  MODE acks:        forged "stored" acknowledgements for sequences 1..500 of the victim run.
Prints "sent <kind> <n>" per kind and "done" when everything is published, then spins (keeps the history).
"""

import copy
import os
import sys
import threading
import time

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions
from sarl_interfaces.msg import SemanticTransition, TransitionAck
from sarl_node_runtime import run_until_signal

QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                 durability=DurabilityPolicy.TRANSIENT_LOCAL)
ACK_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)
FAKE_RUNS = 300
ACK_READERS = 2
"""The agent's acknowledgement reader and the test's own."""
MATCH_TIMEOUT = 60.0


def base(run_id: str, sequence: int) -> SemanticTransition:
    """A plausible transition: the attacker's version of episode 0 (task "attacker", reported SUCCESS)."""
    msg = SemanticTransition()
    msg.run_id, msg.episode, msg.step, msg.sequence, msg.task = run_id, 0, 0, sequence, "attacker"
    msg.header.stamp.sec = 1_800_000_000 + sequence
    msg.candidates.ids = [0, 1]
    msg.candidates.prompts = ["reset to home", "attacker"]
    msg.chosen_index, msg.chosen_id, msg.chosen_prompt = 1, 1, "attacker"
    msg.q_values, msg.probabilities = [0.0, 1.0], [0.0, 1.0]
    msg.reward, msg.terminal = 1.0, True
    msg.observation.proprio = msg.next_observation.proprio = [0.0] * 7
    return msg


class Attacker(Node):
    def __init__(self, run_id: str, mode: str) -> None:
        super().__init__("attacker")
        self._run_id, self.sent = run_id, {}
        self._transitions = self.create_publisher(SemanticTransition, "sarl/transitions", QOS)
        self._acks = self.create_publisher(TransitionAck, "sarl/transition_acks", ACK_QOS)
        self._lock = threading.Lock()
        self._replayed: set[int] = set()
        if mode == "transitions":
            self.create_subscription(SemanticTransition, "sarl/transitions", self._replay, QOS)
        self._mode = mode

    def _count(self, kind: str, n: int = 1) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + n

    def _replay(self, msg: SemanticTransition) -> None:
        """Re-publish what the agent sent: verbatim (a replay) and with a new stamp (a "new" transition)."""
        if msg.run_id != self._run_id or len(msg.mac) == 0 or msg.task == "attacker":
            return
        with self._lock:
            if msg.sequence in self._replayed:  # its own replays come back to it too: each sequence once
                return
            self._replayed.add(msg.sequence)
            self._transitions.publish(msg)
            self._count("replayed verbatim")
            restamped = copy.deepcopy(msg)
            restamped.header.stamp.sec += 1
            self._transitions.publish(restamped)
            self._count("replayed with a new stamp")

    def _wait_for_readers(self, publisher, count: int) -> None:
        deadline = time.monotonic() + MATCH_TIMEOUT
        while publisher.get_subscription_count() < count:
            if time.monotonic() > deadline:
                print(f"only {publisher.get_subscription_count()} of {count} readers after {MATCH_TIMEOUT} s; "
                      "attacking anyway", flush=True)
                return
            time.sleep(0.05)

    def attack(self) -> None:
        run = self._run_id
        if self._mode == "acks":
            # Acks are volatile: sent before the agent's reader is matched they reach no one (seen in CI under
            # load: the test then waited for an agent that had never been attacked).
            self._wait_for_readers(self._acks, ACK_READERS)
            for sequence in range(1, 501):
                self._acks.publish(TransitionAck(run_id=run, sequence=sequence, stored=True, bag_path="/tmp/x",
                                                 mac=list(os.urandom(32))))
            self._count("forged acks", 500)
            return
        for sequence in range(1, 101):  # duplicates of the agent's sequence numbers
            self._transitions.publish(base(run, sequence))
        self._count("unsigned", 100)
        for sequence in range(1, 101):
            msg = base(run, sequence)
            msg.mac = list(os.urandom(32))
            self._transitions.publish(msg)
        self._count("forged mac", 100)
        for change in ("nan", "ids", "prompt", "q"):
            msg = base(run, 1000)
            if change == "nan":
                msg.reward = float("nan")
            elif change == "ids":
                msg.chosen_index = 7
            elif change == "prompt":
                msg.candidates.prompts = ["reset to home", "x" * 8_000_000]  # an 8 MB prompt
            else:
                msg.q_values = [0.5] * 1_000_000  # a 10^6-element q_values
            self._transitions.publish(msg)
            self._count("malformed or oversize")
        for index in range(FAKE_RUNS):
            self._transitions.publish(base(f"fake-run-{index}", 1))
        self._count("fake run ids", FAKE_RUNS)


def main() -> None:
    rclpy.init(args=sys.argv, signal_handler_options=SignalHandlerOptions.NO)
    node = Attacker(sys.argv[1], sys.argv[2])
    node.attack()
    for kind, n in sorted(node.sent.items()):
        print(f"sent {kind} {n}", flush=True)
    print("done", flush=True)
    run_until_signal(node, SingleThreadedExecutor())
    for kind, n in sorted(node.sent.items()):
        print(f"final {kind} {n}", flush=True)


if __name__ == "__main__":
    main()
