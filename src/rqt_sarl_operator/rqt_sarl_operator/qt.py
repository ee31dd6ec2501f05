"""The one place that chooses a Qt binding; every other module imports Qt from here.

Inside rqt the plugin must use the binding rqt itself loaded, which ``python_qt_binding``
hands out (PyQt5 or PySide2 on a full ROS 2 install), or two Qt libraries would fight in one
process. Where ``python_qt_binding`` is absent (the wheel-based workspace, CI), PySide6 is
used. The rest of the package sticks to API common to Qt 5 and Qt 6: scoped enums
(``Qt.AlignmentFlag.AlignLeft``), ``Signal``/``Slot`` names, and the two symbols that moved
between modules (``QShortcut``, ``QAction``) re-exported below.
"""

from __future__ import annotations

try:
    from python_qt_binding import QtCore, QtGui, QtWidgets

    BINDING = "python_qt_binding"
except ImportError:
    from PySide6 import QtCore, QtGui, QtWidgets

    BINDING = "PySide6"

Qt = QtCore.Qt
Signal = QtCore.Signal
Slot = QtCore.Slot
QShortcut = getattr(QtGui, "QShortcut", None) or QtWidgets.QShortcut


def run_event_loop(app: QtWidgets.QApplication) -> int:
    """``exec()`` under its Qt 6 name, ``exec_()`` where only the Qt 5 name exists."""
    run = getattr(app, "exec", None) or app.exec_
    return int(run())


__all__ = ["BINDING", "QShortcut", "Qt", "QtCore", "QtGui", "QtWidgets", "Signal", "Slot", "run_event_loop"]
