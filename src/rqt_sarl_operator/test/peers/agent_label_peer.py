"""The agent's side of the operator panel as a small real ROS process, for tests in real rqt.

Publishes ``sarl/episode_status`` (reliable, transient-local) awaiting the label of episode
``--first-episode`` with six candidate prompts, and serves ``label_episode`` by the agent's
rules: accepted only for the episode awaiting a label, once; refused otherwise with the reason.
After an accepted label it moves on to the next episode, awaiting its label again, so a test
can label several episodes in a row. The status is also republished every second: a test must not
hang on one latched sample that DDS, under load, delivers late to a late joiner.

Every call is printed as one JSON line in the order served:
``{"seq": 1, "episode": 5, "outcome": 1, "labeled_by": "alice", "accepted": true, "reason": ""}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_node_runtime import run_until_signal
from sarl_interfaces.msg import EpisodeStatus
from sarl_interfaces.srv import LabelEpisode

LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
CANDIDATES = (  # (prompt-cache id, prompt, Q, probability)
    (3, "put the banana in the pot", 0.71, 0.46),
    (7, "pick up the sushi", 0.58, 0.21),
    (5, "put the sushi in the bowl", 0.49, 0.13),
    (2, "pick up the banana", 0.37, 0.09),
    (0, "reset to home", 0.22, 0.07),
    (11, "push the pot to the right", 0.05, 0.04),
)
TASK = "move the banana to the pot on the right and the sushi to the bowl"


class AgentLabelPeer(Node):
    def __init__(self, first_episode: int) -> None:
        super().__init__("sarl_agent")
        self._lock = threading.Lock()
        self._seq = 0
        self._labelled: set[int] = set()
        self._status = EpisodeStatus(task=TASK, run_id="rqt-test", max_steps=8, step=4,
                                     current_prompt=CANDIDATES[0][1], episodes_done=first_episode,
                                     successes=(2 * first_episode) // 3)  # fmt: skip
        self._status.candidates.ids = [c[0] for c in CANDIDATES]
        self._status.candidates.prompts = [c[1] for c in CANDIDATES]
        self._status.q_values = [c[2] for c in CANDIDATES]
        self._status.probabilities = [c[3] for c in CANDIDATES]
        self._pub = self.create_publisher(EpisodeStatus, "sarl/episode_status", LATCHED)
        self.create_service(LabelEpisode, "label_episode", self._label_callback)
        self.create_timer(1.0, self._republish)
        self._await(first_episode)

    def _await(self, episode: int) -> None:
        self._status.episode = episode
        self._status.phase = EpisodeStatus.PHASE_AWAITING_LABEL
        self._status.message = f"episode {episode} ended after 4 of 8 steps: label it"
        self._pub.publish(self._status)

    def _republish(self) -> None:
        with self._lock:
            self._pub.publish(self._status)

    def _label_callback(self, request: LabelEpisode.Request, response: LabelEpisode.Response) -> LabelEpisode.Response:
        with self._lock:
            status = self._status
            if request.episode in self._labelled:
                response.accepted, response.reason = False, f"episode {request.episode} already labelled"
            elif request.episode != status.episode or status.phase != EpisodeStatus.PHASE_AWAITING_LABEL:
                response.accepted, response.reason = False, f"wrong episode: agent is on {status.episode}"
            else:
                response.accepted, response.reason = True, ""
                self._labelled.add(request.episode)
                status.last_outcome = request.outcome
                status.episodes_done += int(request.outcome != LabelEpisode.Request.ABORT)
                status.successes += int(request.outcome == LabelEpisode.Request.SUCCESS)
            self._seq += 1
            print(json.dumps({"seq": self._seq, "episode": request.episode, "outcome": request.outcome,
                              "labeled_by": request.labeled_by, "accepted": response.accepted,
                              "reason": response.reason}), flush=True)  # fmt: skip
            if response.accepted:
                self._await(request.episode + 1)
        return response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-episode", type=int, default=37)
    args = parser.parse_args()
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    node = AgentLabelPeer(args.first_episode)
    print(json.dumps({"seq": 0, "event": "ready"}), flush=True)
    run_until_signal(node, SingleThreadedExecutor())
    return 0


if __name__ == "__main__":
    sys.exit(main())
