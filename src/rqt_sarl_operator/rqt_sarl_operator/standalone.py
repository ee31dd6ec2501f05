"""Standalone operator window, for machines without rqt: ``ros2 run rqt_sarl_operator operator``.

Qt owns the main thread (it must); rclpy spins the node in a background thread. rclpy's own
signal handlers are turned off and SIGINT / SIGTERM just quit the Qt loop, so Ctrl-C, a
launcher's SIGTERM and closing the window all take the same path out: save settings, remove
the panel's entities, stop the executor, shut rclpy down, exit 0.

Settings (operator name, candidate table shown) persist between runs through QSettings
(``~/.config/sarl/rqt_sarl_operator.conf`` on Linux), the standalone counterpart of an rqt
perspective.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from rclpy.utilities import remove_ros_args

from .panel import OperatorPanel
from .qt import QtCore, QtWidgets, run_event_loop

NODE_NAME = "sarl_operator"


class QSettingsStore:
    """``set_value`` / ``value`` over QSettings: the interface of qt_gui's Settings that the widget uses."""

    def __init__(self, settings: QtCore.QSettings) -> None:
        self._settings = settings

    def set_value(self, key: str, value: Any) -> None:
        self._settings.setValue(key, value)

    def value(self, key: str, default_value: Any = None) -> Any:
        return self._settings.value(key, default_value)

    def sync(self) -> None:
        self._settings.sync()


def _spin(executor: SingleThreadedExecutor) -> None:
    try:
        executor.spin()
    except ExternalShutdownException:
        pass


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    # First of all: a signal must never meet the default (killing) handler. It asks the Qt
    # loop to quit, queued because app.quit() is a no-op before the loop has started.
    quit_requested = threading.Event()

    def request_quit(*_: Any) -> None:
        quit_requested.set()
        if QtWidgets.QApplication.instance() is not None:
            QtCore.QTimer.singleShot(0, QtWidgets.QApplication.instance().quit)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_quit)

    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(remove_ros_args(args))
    # Python runs signal handlers only when it holds control; a short timer hands it control
    # from inside the Qt loop, so a signal is seen within 200 ms.
    wake = QtCore.QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)

    node = Node(NODE_NAME)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    spinner = threading.Thread(target=_spin, args=(executor,), name="rclpy-spin", daemon=True)
    spinner.start()

    panel = OperatorPanel(node)
    settings = QSettingsStore(QtCore.QSettings("sarl", "rqt_sarl_operator"))
    panel.widget.restore_settings(settings)
    panel.widget.resize(1100, 760)
    panel.widget.show()

    node.get_logger().info("operator window open")
    code = 0 if quit_requested.is_set() else run_event_loop(app)

    wake.stop()
    panel.widget.save_settings(settings)
    settings.sync()
    panel.close()
    executor.shutdown(timeout_sec=2.0)
    spinner.join(timeout=5.0)
    node.destroy_node()
    rclpy.try_shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
