"""ROS glue of the operator panel: ``sarl/episode_status`` in, ``label_episode`` calls and ``estop`` out.

Threads. ROS callbacks run on whatever thread spins the node (rqt's spinner, or the
standalone executor thread); Qt widgets may only be touched from the GUI thread. So every
callback here only converts the message to a plain value and emits a Qt signal; the signal
crosses to the GUI thread as a queued connection because this QObject lives there. Nothing
in this file blocks or spins: the label call is ``call_async`` with a done callback, and its
deadline is a Qt timer in the GUI thread.

Entities are created on the node it is given and destroyed in :meth:`close`, because in rqt
that node is shared by every plugin and outlives this one.
"""

from __future__ import annotations

import itertools
from typing import Any

from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import EpisodeStatus as EpisodeStatusMsg
from sarl_interfaces.srv import LabelEpisode
from std_msgs.msg import Bool

from .operator_model import EpisodeStatus, LabelReply, LabelRequest
from .qt import QtCore, Signal

STATUS_TOPIC = "sarl/episode_status"
ESTOP_TOPIC = "estop"
LABEL_SERVICE = "label_episode"
LATCHED_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
"""Both the status and the e-stop are latched (reliable, transient-local, depth 1): a panel
opened late still shows the latest status and the current e-stop state."""


def status_from_msg(msg: EpisodeStatusMsg) -> EpisodeStatus:
    return EpisodeStatus(
        phase=int(msg.phase),
        run_id=msg.run_id,
        task=msg.task,
        episode=int(msg.episode),
        step=int(msg.step),
        max_steps=int(msg.max_steps),
        current_prompt=msg.current_prompt,
        candidate_ids=tuple(int(i) for i in msg.candidates.ids),
        candidate_prompts=tuple(msg.candidates.prompts),
        q_values=tuple(float(q) for q in msg.q_values),
        probabilities=tuple(float(p) for p in msg.probabilities),
        last_outcome=int(msg.last_outcome),
        episodes_done=int(msg.episodes_done),
        successes=int(msg.successes),
        message=msg.message,
    )


class OperatorRos(QtCore.QObject):
    """Subscriptions, publisher and client of the panel; results arrive as Qt signals in the GUI thread."""

    status_received = Signal(object)  # EpisodeStatus
    reply_received = Signal(object)  # LabelReply
    estop_received = Signal(bool)
    _answered = Signal(int, object, str)  # token, LabelEpisode.Response or None, error text

    def __init__(self, node: Node, label_timeout_s: float = 5.0, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._node = node
        self._timeout_ms = int(label_timeout_s * 1000)
        self._tokens = itertools.count(1)
        self._pending: dict[int, tuple[LabelRequest, Any, QtCore.QTimer]] = {}
        self._closed = False
        self._answered.connect(self._finish_label)
        self._status_sub = node.create_subscription(
            EpisodeStatusMsg, STATUS_TOPIC, self._status_callback, LATCHED_QOS
        )
        self._estop_sub = node.create_subscription(Bool, ESTOP_TOPIC, self._estop_callback, LATCHED_QOS)
        self._estop_pub = node.create_publisher(Bool, ESTOP_TOPIC, LATCHED_QOS)
        self._label_client = node.create_client(LabelEpisode, LABEL_SERVICE)

    # --- ROS callbacks (spinner thread): convert and hand over ---------------------------

    def _status_callback(self, msg: EpisodeStatusMsg) -> None:
        if not self._closed:
            self.status_received.emit(status_from_msg(msg))

    def _estop_callback(self, msg: Bool) -> None:
        if not self._closed:
            self.estop_received.emit(bool(msg.data))

    def _label_done_callback(self, token: int, future: Any) -> None:
        try:
            response, error = future.result(), ""
        except Exception as exc:  # the remote or transport error, kept as text for the operator
            response, error = None, f"{type(exc).__name__}: {exc}"
        if not self._closed:
            self._answered.emit(token, response, error)

    # --- GUI thread ----------------------------------------------------------------------

    def request_label(self, request: LabelRequest, labeled_by: str) -> None:
        """Send the label; exactly one ``reply_received`` follows (accepted, refused, or no answer)."""
        if not self._label_client.service_is_ready():
            self._reply(request, False, f"agent not reachable: no '{LABEL_SERVICE}' service")
            return
        call = LabelEpisode.Request(episode=request.episode, outcome=int(request.outcome), labeled_by=labeled_by)
        future = self._label_client.call_async(call)
        token = next(self._tokens)
        timer = QtCore.QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda t=token: self._expire_label(t))
        self._pending[token] = (request, future, timer)  # before the callback: it may run at once
        timer.start(self._timeout_ms)
        future.add_done_callback(lambda f, t=token: self._label_done_callback(t, f))

    def _finish_label(self, token: int, response: Any, error: str) -> None:
        entry = self._pending.pop(token, None)
        if entry is None:  # already expired
            return
        request, _, timer = entry
        timer.stop()
        if response is None:
            self._reply(request, False, f"label_episode call failed: {error}")
        else:
            self._reply(request, bool(response.accepted), response.reason)

    def _expire_label(self, token: int) -> None:
        entry = self._pending.pop(token, None)
        if entry is None:
            return
        request, future, _ = entry
        self._label_client.remove_pending_request(future)
        future.cancel()
        self._reply(request, False, f"no reply from the agent within {self._timeout_ms / 1000:g} s")

    def _reply(self, request: LabelRequest, accepted: bool, reason: str) -> None:
        self.reply_received.emit(LabelReply(request.episode, request.outcome, accepted, reason))

    def set_estop(self, engage: bool) -> None:
        self._estop_pub.publish(Bool(data=bool(engage)))
        level = self._node.get_logger().warning if engage else self._node.get_logger().info
        level("operator " + ("ENGAGED the e-stop" if engage else "cleared the e-stop"))

    def close(self) -> None:
        """Stop callbacks reaching Qt and remove this panel's entities from the (possibly shared) node."""
        self._closed = True
        for _, future, timer in self._pending.values():
            timer.stop()
            self._label_client.remove_pending_request(future)
        self._pending.clear()
        self._node.destroy_subscription(self._status_sub)
        self._node.destroy_subscription(self._estop_sub)
        self._node.destroy_publisher(self._estop_pub)
        self._node.destroy_client(self._label_client)
