"""ROS glue of the operator panel: status and arm state in; label calls, e-stop and clear requests out.

Threads. ROS callbacks run on whatever thread spins the node (rqt's spinner, or the
standalone executor thread); Qt widgets may only be touched from the GUI thread. So every
callback here only converts the message to a plain value and emits a Qt signal; the signal
crosses to the GUI thread as a queued connection because this QObject lives there. Nothing
in this file blocks or spins: service calls go through :class:`ServiceCalls` (``call_async``,
a done callback, a Qt-timer deadline). ROS callbacks never raise into the executor (in rqt
that would stop every plugin's callbacks) and GUI-thread slots are :func:`guarded`.

E-stop contract with the driver: ``true`` on ``estop`` engages (open to every peer);
clearing is only through the ``clear_estop`` service, signed with the run secret
(``sarl_auth.estop_clear``); the driver reports its state in ``arm_state.estop_active``,
and that, not this panel's last request, is what the panel shows.

Entities are created on the node it is given and destroyed in :meth:`close`, because in rqt
that node is shared by every plugin and outlives this one.
"""

from __future__ import annotations

import threading
from typing import Any

from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_auth.estop_clear import signed_clear_request
from sarl_auth.secret import load_or_create_secret
from sarl_interfaces.msg import ArmState
from sarl_interfaces.msg import EpisodeStatus as EpisodeStatusMsg
from sarl_interfaces.srv import ClearEstop, LabelEpisode
from std_msgs.msg import Bool

from .operator_model import EpisodeStatus, LabelReply, LabelRequest
from .qt import QtCore, Signal
from .service_call import ServiceCalls
from .slot_guard import guarded

STATUS_TOPIC = "sarl/episode_status"
ESTOP_TOPIC = "estop"
ARM_STATE_TOPIC = "arm_state"
LABEL_SERVICE = "label_episode"
CLEAR_SERVICE = "clear_estop"
ARM_STATE_QOS = 10
"""Reliable, volatile: matches the driver's ``arm_state`` publisher (depth 10)."""
ARM_STATE_POLL_MS = 100
"""How often the GUI thread takes the newest ``estop_active``. The driver publishes at up to 50 Hz; one
queued Qt signal per message from the spinner thread is needless load, and with PySide6 it ended in an
interpreter crash at exit (a refcount error in final garbage collection)."""
LATCHED_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
"""The status and the e-stop request are latched (reliable, transient-local, depth 1): a panel
opened late still shows the latest status, and a driver started late still gets the stop."""


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
    """Subscriptions, publisher and clients of the panel; results arrive as Qt signals in the GUI thread."""

    status_received = Signal(object)  # EpisodeStatus
    reply_received = Signal(object)  # LabelReply
    driver_estop_received = Signal(bool)  # arm_state.estop_active, emitted in the GUI thread
    clear_replied = Signal(bool, str)  # accepted, the driver's message (or why no answer came)
    error_reported = Signal(str)  # an internal error the operator must see

    def __init__(self, node: Node, label_timeout_s: float = 5.0, clear_timeout_s: float = 5.0,
                 parent: QtCore.QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._node = node
        self._closed = False
        self._status_sub = node.create_subscription(
            EpisodeStatusMsg, STATUS_TOPIC, self._status_callback, LATCHED_QOS
        )
        self._arm_lock = threading.Lock()
        self._arm_latest: bool | None = None  # newest estop_active not yet handed to the GUI thread
        self._arm_state_sub = node.create_subscription(ArmState, ARM_STATE_TOPIC, self._arm_state_callback,
                                                       ARM_STATE_QOS)  # fmt: skip
        self._arm_poll = QtCore.QTimer(self)
        self._arm_poll.timeout.connect(self._hand_over_arm_state)
        self._arm_poll.start(ARM_STATE_POLL_MS)
        self._estop_pub = node.create_publisher(Bool, ESTOP_TOPIC, LATCHED_QOS)
        self._label_client = node.create_client(LabelEpisode, LABEL_SERVICE)
        self._clear_client = node.create_client(ClearEstop, CLEAR_SERVICE)
        self._label_calls = ServiceCalls(self._label_client, "agent", label_timeout_s, self.report_slot_error, self)
        self._clear_calls = ServiceCalls(self._clear_client, "driver", clear_timeout_s, self.report_slot_error, self)

    # --- ROS callbacks (spinner thread): convert and hand over, never raise ------------------

    def _status_callback(self, msg: EpisodeStatusMsg) -> None:
        try:
            if not self._closed:
                self.status_received.emit(status_from_msg(msg))
        except Exception as error:
            self._node.get_logger().error(f"could not show an episode status: {error}")

    def _arm_state_callback(self, msg: ArmState) -> None:
        with self._arm_lock:
            self._arm_latest = bool(msg.estop_active)

    # --- GUI thread ----------------------------------------------------------------------

    @guarded
    def _hand_over_arm_state(self) -> None:
        """Timer slot: the driver's newest e-stop state, if one arrived since the last tick."""
        with self._arm_lock:
            latest, self._arm_latest = self._arm_latest, None
        if latest is not None and not self._closed:
            self.driver_estop_received.emit(latest)

    @guarded
    def request_label(self, request: LabelRequest, labeled_by: str) -> None:
        """Send the label; exactly one ``reply_received`` follows (accepted, refused, or no answer)."""
        if not self._label_client.service_is_ready():
            self._reply(request, False, f"agent not reachable: no '{LABEL_SERVICE}' service")
            return
        try:
            call = LabelEpisode.Request(episode=request.episode, outcome=int(request.outcome), labeled_by=labeled_by)
            self._label_calls.call(call, lambda response, error: self._label_answered(request, response, error))
        except Exception as error:
            self._node.get_logger().error(f"could not send the label: {error}")
            self._reply(request, False, f"could not send the label: {error}")

    def _label_answered(self, request: LabelRequest, response: Any, error: str) -> None:
        if response is None:
            timed_out = error.startswith("no reply")
            self._reply(request, False, error if timed_out else f"{LABEL_SERVICE} call failed: {error}")
        else:
            self._reply(request, bool(response.accepted), response.reason)

    def _reply(self, request: LabelRequest, accepted: bool, reason: str) -> None:
        self.reply_received.emit(LabelReply(request.episode, request.outcome, accepted, reason))

    @guarded
    def engage_estop(self) -> None:
        """Publish ``true`` on ``estop`` (latched). The panel shows the driver's answer in ``arm_state``."""
        self._estop_pub.publish(Bool(data=True))
        self._node.get_logger().warning("operator ENGAGED the e-stop")

    @guarded
    def request_clear(self, operator_name: str, reason: str) -> None:
        """Ask the driver to clear its e-stop, signed with the run secret; exactly one ``clear_replied`` follows."""
        if not self._clear_client.service_is_ready():
            self.clear_replied.emit(False, f"driver not reachable: no '{CLEAR_SERVICE}' service")
            return
        try:  # the secret file may be missing or unreadable: say so, and still answer exactly once
            signed = signed_clear_request(load_or_create_secret(), operator_name, reason)
            call = ClearEstop.Request(operator_name=signed.operator_name, reason=signed.reason,
                                      stamp_ns=signed.stamp_ns, nonce=signed.nonce, mac=list(signed.mac))  # fmt: skip
            self._clear_calls.call(call, self._clear_answered)
        except Exception as error:
            self._node.get_logger().error(f"could not send the clear request: {error}")
            self.clear_replied.emit(False, f"could not send the clear request: {error}")
            return
        self._node.get_logger().info(f"operator {operator_name!r} asked to clear the e-stop: {reason}")

    def _clear_answered(self, response: Any, error: str) -> None:
        if response is None:
            timed_out = error.startswith("no reply")
            self.clear_replied.emit(False, error if timed_out else f"{CLEAR_SERVICE} call failed: {error}")
        else:
            self.clear_replied.emit(bool(response.accepted), response.message)

    def report_slot_error(self, where: str, text: str, trace: str) -> None:
        """:func:`guarded`'s sink: the log gets the traceback, the panel the one-line reason."""
        self._node.get_logger().error(f"{where} failed: {trace}")
        self.error_reported.emit(text)

    def close(self) -> None:
        """Stop callbacks reaching Qt and remove this panel's entities from the (possibly shared) node."""
        self._closed = True
        self._arm_poll.stop()
        self._label_calls.close()
        self._clear_calls.close()
        self._node.destroy_subscription(self._status_sub)
        self._node.destroy_subscription(self._arm_state_sub)
        self._node.destroy_publisher(self._estop_pub)
        self._node.destroy_client(self._label_client)
        self._node.destroy_client(self._clear_client)
