"""The recorder node: every verified ``sarl/transitions`` message into a crash-safe rosbag2 bag, then acknowledged.

Subscriptions take the serialized bytes (``raw=True``), exactly what ``ros2
bag record`` stores. A transition is stored only if it passes
``bag/admission.py`` (size, MAC under the run secret, content rules) and is
not a conflicting replay; refusals are counted per reason (``rejected``) and
logged without flooding. Acknowledgements carry a MAC too, and a transition
that could not be written (disk full, folder unwritable) gets a signed
``stored = false`` answer with the error, reported once in this log.
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
import tempfile
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
from sarl_auth import SecretError, load_secret
from sarl_node_runtime import exit_process, run_until_signal

from ..bag.admission import Rejections, admission_problem, raw_size_problem
from ..bag.metadata import BagTopic
from ..bag.qos import OfferedQos
from ..bag.recording import DEFAULT_MAX_RUNS, BagRecorder, RecorderLogs, Refused
from ..bag.transition_mac import ack_mac, mac_bytes
from ..bag.transition_rules import Problem
from ..bag.typestore import sarl_typestore

TRANSITION_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                            durability=DurabilityPolicy.TRANSIENT_LOCAL)
"""Transient-local like the agent's publisher: a recorder started late still gets the run's history."""
STATUS_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)
ACK_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)
MESSAGE_TYPES = {"transitions": SemanticTransition, "episode_status": EpisodeStatus}
MAX_STATUS_BYTES = 64 * 1024
DRAIN_TIMEOUT_S = 5.0
"""[s] on a stop, the recorder goes on storing while anyone still publishes transitions, at most this long.
Why: a terminal's Ctrl-C reaches every node at once; the agent then publishes the transitions of its last
episode and waits 3 s for their acknowledgements (ACK_WAIT_ON_SIGNAL). A recorder that closed at once left
them in no bag (seen: "3 of 8 transitions ... were never stored"). Within launch's 5 s before SIGTERM."""
"""[bytes] an episode status is a few hundred bytes (task, prompts, Q-values); larger ones are not recorded."""


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
        max_runs = self.declare_parameter("max_runs", DEFAULT_MAX_RUNS).value
        if not isinstance(max_runs, int) or max_runs < 1:
            raise ValueError(f"max_runs must be an integer >= 1, got {max_runs!r}")
        self._secret = load_secret()  # SecretError (clear message) when the launcher did not create it
        self._topics = {self.resolve_topic_name(f"sarl/{name}"): cls for name, cls in MESSAGE_TYPES.items()}
        self._transitions_topic = self.resolve_topic_name("sarl/transitions")
        self._status_topic = self.resolve_topic_name("sarl/episode_status")
        logger = self.get_logger()
        self.bag_dir = Path(bag_dir)
        self.recorder = BagRecorder(self.bag_dir, self._transitions_topic, self._describe_topic,
                                    RecorderLogs(info=logger.info, warning=logger.warning, error=logger.error),
                                    max_runs=max_runs, secret=self._secret)
        self.rejections = Rejections(logger.warning)
        self.storage_error = ""
        """The write error that currently keeps transitions out of the bag ("" while writes succeed)."""
        self.failed_writes = 0
        self._acks = self.create_publisher(TransitionAck, "sarl/transition_acks", ACK_QOS)
        writes = MutuallyExclusiveCallbackGroup()
        self.create_subscription(SemanticTransition, "sarl/transitions", self._transition_callback,
                                 TRANSITION_QOS, raw=True, callback_group=writes)
        self.create_subscription(EpisodeStatus, "sarl/episode_status", self._status_callback,
                                 STATUS_QOS, raw=True, callback_group=writes)
        self.create_timer(30.0, self.rejections.flush, callback_group=writes)
        self.written = 0
        self.duplicates = 0
        self.statuses = 0
        """Episode status messages stored (only into bags a verified transition opened)."""
        self._closed = False
        self._closing = threading.Lock()
        logger.info(f"recording {self._transitions_topic} and {self._status_topic} into {self.bag_dir.resolve()}")
        self._check_bag_dir()

    @property
    def rejected(self) -> dict[str, int]:
        """Refused transitions per reason (see ``bag/admission.py``)."""
        return dict(self.rejections.counts)

    def _check_bag_dir(self) -> None:
        """Say at start, once, when nothing could be stored (the run goes on: space may be freed)."""
        try:
            self.bag_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.bag_dir):
                pass
        except OSError as error:
            self._storage_failed(self._cannot_store(error))

    def _cannot_store(self, error: Exception) -> str:
        """One wording per cause (not per file: each attempt names another bag), so it is reported once."""
        cause = getattr(error, "strerror", None) or str(error)
        return f"cannot store transitions in {self.bag_dir.resolve()}: {cause}"

    def _transition_callback(self, raw: bytes, info: MessageInfo) -> None:
        problem = raw_size_problem(raw)
        if problem is not None:
            self.rejections.add(problem, "a transition")
            return
        try:
            msg = deserialize_message(raw, SemanticTransition)
        except Exception as error:  # bytes from a raw DDS writer: refuse, never end the node
            self.rejections.add(Problem("malformed", f"not a valid SemanticTransition ({error})"), "a transition")
            return
        what = f"transition {msg.run_id[:64]!r}#{msg.sequence}"
        problem = admission_problem(self._secret, msg)
        if problem is not None:
            self.rejections.add(problem, what)
            return
        with self._closing:
            if self._closed:
                return
            try:
                stored = self.recorder.record_transition(raw, msg, *_times(info))
            except Refused as refused:
                self.rejections.add(refused.problem, what)
                return
            except (OSError, ValueError) as error:
                self._storage_failed(self._cannot_store(error))
                self._answer(msg, stored=False, error=self.storage_error)
                return
        self._storage_ok()
        self._answer(msg, stored=True, bag_path=str(stored.bag))
        if stored.written:
            self.written += 1
        else:
            self.duplicates += 1
            self.get_logger().info(f"{what} was already in {stored.bag}; acknowledged again, not written twice",
                                   throttle_duration_sec=10.0)

    def _answer(self, msg: SemanticTransition, stored: bool, bag_path: str = "", error: str = "") -> None:
        """A signed answer bound to this exact transition (its MAC is part of the ack's MAC)."""
        mac = ack_mac(self._secret, msg.run_id, msg.sequence, mac_bytes(msg), stored, bag_path, error)
        self._acks.publish(TransitionAck(run_id=msg.run_id, sequence=msg.sequence, stored=stored,
                                         bag_path=bag_path, error=error, mac=list(mac)))

    def _storage_failed(self, error: str) -> None:
        """Report a storage failure once (and again only if it changes), not once per message."""
        self.failed_writes += 1
        if error != self.storage_error:
            self.storage_error = error
            self.get_logger().error(f"{error}. Transitions are NOT stored and NOT acknowledged until this is "
                                    "fixed; the agent keeps them, re-sends them, and holds before new episodes")

    def _storage_ok(self) -> None:
        if self.storage_error:
            self.get_logger().info(f"storing again after {self.failed_writes} failed attempts "
                                   f"(was: {self.storage_error})")
            self.storage_error, self.failed_writes = "", 0

    def _status_callback(self, raw: bytes, info: MessageInfo) -> None:
        """Best effort and not signed: only into a bag a verified transition opened, only when small."""
        if len(raw) > MAX_STATUS_BYTES:
            return
        try:
            msg = deserialize_message(raw, EpisodeStatus)
        except Exception:  # bytes from a raw DDS writer: ignore, never end the node
            return
        with self._closing:
            if self._closed:
                return
            try:
                if self.recorder.record(self._status_topic, raw, msg.run_id, *_times(info)) is not None:
                    self.statuses += 1
            except (OSError, ValueError) as error:
                self.get_logger().warning(f"episode status of {msg.run_id[:64]!r} not recorded: {error}",
                                          throttle_duration_sec=30.0)

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

    def drain_then_close(self) -> None:
        """On a stop: store and acknowledge until no transition publisher is left (or DRAIN_TIMEOUT_S), then close.

        Runs on the main thread while the executor thread still delivers messages.
        """
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while self.count_publishers("sarl/transitions") > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.close()

    def close(self) -> None:
        """Finish every bag (between two writes); later messages are neither stored nor acknowledged."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self.recorder.close()
        self.get_logger().info(f"recorder stopped: {self.written} transitions written, "
                               f"{self.duplicates} duplicates acknowledged without writing, refused: "
                               f"{self.rejections.describe()}")


def _times(info: MessageInfo) -> tuple[int, int | None, int]:
    """(log time = reception, publish time = source stamp, publisher's sequence number), as rosbag2 uses them."""
    received = int(info.get("received_timestamp") or 0) or time.time_ns()
    published = int(info.get("source_timestamp") or 0) or None
    return received, published, int(info.get("publication_sequence_number") or 0)


def main(args: list[str] | None = None) -> None:
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = RecorderNode()
    except SecretError as error:
        rclpy.logging.get_logger("recorder").fatal(f"cannot start without the run secret: {error}")
        rclpy.try_shutdown()
        sys.exit(2)
    except (ValueError, OSError) as error:
        rclpy.logging.get_logger("recorder").fatal(f"invalid configuration: {error}")
        rclpy.try_shutdown()
        sys.exit(2)
    clean = run_until_signal(node, SingleThreadedExecutor(), before_shutdown=node.drain_then_close)
    exit_process(0 if clean else 1)
