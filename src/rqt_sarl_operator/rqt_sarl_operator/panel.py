"""The widget wired to a node: what the rqt plugin and the standalone window both create.

One place for the wiring, so rqt, the standalone window and the tests run the same panel.
What the E-STOP button shows is logged through the node's logger on every change ("e-stop
display: engaged"), so the operator's log (rqt's console) records what the operator saw.
"""

from __future__ import annotations

from rclpy.node import Node

from .operator_model import LabelRequest
from .operator_ros import OperatorRos
from .slot_guard import guarded
from .widget import OperatorWidget


class OperatorPanel:
    """Owns an :class:`OperatorWidget` and the :class:`OperatorRos` feeding it; create in the GUI thread."""

    def __init__(self, node: Node, label_timeout_s: float = 5.0, clear_timeout_s: float = 5.0) -> None:
        self._logger = node.get_logger()
        self.widget = OperatorWidget()
        self.widget.log_error = self._log_error
        self.ros = OperatorRos(node, label_timeout_s=label_timeout_s, clear_timeout_s=clear_timeout_s,
                               parent=self.widget)  # fmt: skip
        self.ros.status_received.connect(self.widget.show_status)
        self.ros.reply_received.connect(self.widget.show_reply)
        self.ros.driver_estop_received.connect(self.widget.show_driver_estop)
        self.ros.clear_replied.connect(self.widget.show_clear_reply)
        self.ros.error_reported.connect(self.widget.show_error)
        # Bound methods, not lambdas: a lambda connection keeps its captures alive as long as the sender.
        self.widget.label_requested.connect(self._send_label)
        self.widget.estop_requested.connect(self.ros.engage_estop)
        self.widget.clear_requested.connect(self._send_clear)
        self.widget.estop_display_changed.connect(self._log_display)
        self._log_display(self.widget.model.estop.name.lower())

    @guarded
    def _send_label(self, request: LabelRequest) -> None:
        self.ros.request_label(request, self.widget.operator_name)

    @guarded
    def _send_clear(self, reason: str) -> None:
        self.ros.request_clear(self.widget.operator_name, reason)

    @guarded
    def _log_display(self, shown: str) -> None:
        self._logger.info(f"e-stop display: {shown}")

    def _log_error(self, text: str) -> None:
        self._logger.error(text)

    def report_slot_error(self, where: str, text: str, trace: str) -> None:
        self.widget.report_slot_error(where, text, trace)

    def close(self) -> None:
        self.ros.close()
