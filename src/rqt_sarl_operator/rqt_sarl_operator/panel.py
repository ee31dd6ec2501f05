"""The widget wired to a node: what the rqt plugin and the standalone window both create.

One place for the wiring, so rqt, the standalone window and the tests run the same panel.
"""

from __future__ import annotations

from rclpy.node import Node

from .operator_model import LabelRequest
from .operator_ros import OperatorRos
from .widget import OperatorWidget


class OperatorPanel:
    """Owns an :class:`OperatorWidget` and the :class:`OperatorRos` feeding it; create in the GUI thread."""

    def __init__(self, node: Node, label_timeout_s: float = 5.0) -> None:
        self.widget = OperatorWidget()
        self.ros = OperatorRos(node, label_timeout_s=label_timeout_s, parent=self.widget)
        self.ros.status_received.connect(self.widget.show_status)
        self.ros.reply_received.connect(self.widget.show_reply)
        self.ros.estop_received.connect(self.widget.show_estop)
        self.widget.label_requested.connect(self._send_label)
        self.widget.estop_requested.connect(self.ros.set_estop)

    def _send_label(self, request: LabelRequest) -> None:
        self.ros.request_label(request, self.widget.operator_name)

    def close(self) -> None:
        self.ros.close()
