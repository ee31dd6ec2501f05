"""The recorder node: every ``sarl/transitions`` message into a crash-safe rosbag2 bag, then acknowledged.

Subscriptions take the serialized bytes (``raw=True``), exactly what ``ros2
bag record`` stores, and deserialize only to read the run id and sequence.
Both subscriptions share one mutually exclusive callback group and the node
runs on a single-threaded executor: the bag writers are single-threaded by
design, and a write must finish (fsync) before its acknowledgement is sent.
``close`` (on SIGTERM, via ``sarl_node_runtime``) takes the same lock as the
callbacks, so bags are finished between two writes; anything arriving later
is not stored and therefore not acknowledged.

The logic (bags per run, de-duplication, durability) is in
``sarl_agent.bag.recording``; this file converts messages and QoS.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import rclpy
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message
from rclpy.signals import SignalHandlerOptions
from rclpy.subscription import MessageInfo
from sarl_interfaces.msg import EpisodeStatus, SemanticTransition, TransitionAck
from sarl_node_runtime import exit_process, run_until_signal

from ..bag.metadata import BagTopic
from ..bag.qos import OfferedQos
from ..bag.recording import BagRecorder, RecorderLogs
from ..bag.typestore import sarl_typestore

TRANSITION_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                            durability=DurabilityPolicy.TRANSIENT_LOCAL)
"""Transient-local like the agent's publisher: a recorder started late still gets the run's history."""
STATUS_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)
ACK_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)
MESSAGE_TYPES = {"transitions": SemanticTransition, "episode_status": EpisodeStatus}


def offered_qos(profile: QoSProfile) -> OfferedQos:
    """rclpy's view of a discovered publisher's QoS -> the entry rosbag2 records."""
    return OfferedQos(
        history=profile.history.name.lower(), depth=profile.depth,
        reliability=profile.reliability.name.lower(), durability=profile.durability.name.lower(),
        deadline_ns=profile.deadline.nanoseconds, lifespan_ns=profile.lifespan.nanoseconds,
        liveliness=profile.liveliness.name.lower(),
        liveliness_lease_duration_ns=profile.liveliness_lease_duration.nanoseconds,
        avoid_ros_namespace_conventions=profile.avoid_ros_namespace_conventions,
    )


def _msgtype(message_class: type) -> str:
    module = message_class.__module__.split(".")[0]
    return f"{module}/msg/{message_class.__name__}"


class RecorderNode(Node):
    def __init__(self, **kwargs) -> None:
        super().__init__("recorder", **kwargs)
        bag_dir = self.declare_parameter("bag_dir", "runs/bags").value
        if not isinstance(bag_dir, str) or not bag_dir.strip():
            raise ValueError(f"bag_dir must be a non-empty folder path, got {bag_dir!r}")
        self._topics = {self.resolve_topic_name(f"sarl/{name}"): cls for name, cls in MESSAGE_TYPES.items()}
        self._transitions_topic = self.resolve_topic_name("sarl/transitions")
        self._status_topic = self.resolve_topic_name("sarl/episode_status")
        logger = self.get_logger()
        self.recorder = BagRecorder(Path(bag_dir), self._transitions_topic, self._describe_topic,
                                    RecorderLogs(info=logger.info, warning=logger.warning, error=logger.error))
        self._acks = self.create_publisher(TransitionAck, "sarl/transition_acks", ACK_QOS)
        writes = MutuallyExclusiveCallbackGroup()
        self.create_subscription(SemanticTransition, "sarl/transitions", self._transition_callback,
                                 TRANSITION_QOS, raw=True, callback_group=writes)
        self.create_subscription(EpisodeStatus, "sarl/episode_status", self._status_callback,
                                 STATUS_QOS, raw=True, callback_group=writes)
        self.written = 0
        self.duplicates = 0
        self._closed = False
        self._closing = threading.Lock()
        logger.info(f"recording {self._transitions_topic} and {self._status_topic} into {Path(bag_dir).resolve()}")

    def _transition_callback(self, raw: bytes, info: MessageInfo) -> None:
        msg = deserialize_message(raw, SemanticTransition)
        with self._closing:
            if self._closed:
                return
            try:
                stored = self.recorder.record_transition(raw, msg, *_times(info))
            except (OSError, ValueError) as error:
                self.get_logger().error(f"transition {msg.run_id}#{msg.sequence} NOT stored, not acknowledged: "
                                        f"{error}")
                return
        self._acks.publish(TransitionAck(run_id=msg.run_id, sequence=msg.sequence, bag_path=str(stored.bag)))
        if stored.written:
            self.written += 1
        else:
            self.duplicates += 1
            self.get_logger().info(f"transition {msg.run_id}#{msg.sequence} was already in {stored.bag}; "
                                   "acknowledged again, not written twice")

    def _status_callback(self, raw: bytes, info: MessageInfo) -> None:
        msg = deserialize_message(raw, EpisodeStatus)
        with self._closing:
            if self._closed:
                return
            try:
                self.recorder.record(self._status_topic, raw, msg.run_id, *_times(info))
            except (OSError, ValueError) as error:
                self.get_logger().warning(f"episode status of {msg.run_id} not recorded: {error}")

    def _describe_topic(self, name: str) -> BagTopic:
        """Type, hash and the publishers' offered QoS, as ``ros2 bag record`` captures them."""
        msgtype = _msgtype(self._topics[name])
        local_hash = sarl_typestore().hash_rihs01(msgtype)
        publishers = self.get_publishers_info_by_topic(name)
        for publisher in publishers:
            advertised = str(publisher.topic_type_hash)
            if advertised.startswith("RIHS01_") and advertised != local_hash:
                self.get_logger().error(
                    f"{publisher.node_name} publishes {name} as {msgtype} with hash {advertised}, but the "
                    f"installed definition hashes to {local_hash}: rebuild sarl_interfaces on both sides")
        return BagTopic(name, msgtype, local_hash, tuple(offered_qos(p.qos_profile) for p in publishers))

    def close(self) -> None:
        """Finish every bag (between two writes); later messages are neither stored nor acknowledged."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self.recorder.close()
        self.get_logger().info(f"recorder stopped: {self.written} transitions written, "
                               f"{self.duplicates} duplicates acknowledged without writing")


def _times(info: MessageInfo) -> tuple[int, int | None, int]:
    """(log time = reception, publish time = source stamp, publisher's sequence number), as rosbag2 uses them."""
    received = int(info.get("received_timestamp") or 0) or time.time_ns()
    published = int(info.get("source_timestamp") or 0) or None
    return received, published, int(info.get("publication_sequence_number") or 0)


def main(args: list[str] | None = None) -> None:
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = RecorderNode()
    except (ValueError, OSError) as error:
        rclpy.logging.get_logger("recorder").fatal(f"invalid configuration: {error}")
        rclpy.try_shutdown()
        sys.exit(2)
    clean = run_until_signal(node, SingleThreadedExecutor(), before_shutdown=node.close)
    exit_process(0 if clean else 1)
