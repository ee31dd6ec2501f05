"""The rqt plugin: hands everything to :class:`OperatorPanel` on the node rqt gives.

Listed in plugin.xml (exported from package.xml), so ``rqt`` shows it under Plugins ▸ Robot
Tools ▸ SARL Operator, or ``rqt --standalone rqt_sarl_operator``. rqt spins
``context.node`` with a MultiThreadedExecutor in its own QThread and shares it between
plugins; the panel only adds entities to it and removes them again in
:meth:`shutdown_plugin`. The operator name and the candidate table's visibility are saved
per plugin instance in the rqt perspective.
"""

from __future__ import annotations

from typing import Any

from rqt_gui_py.plugin import Plugin

from .panel import OperatorPanel


class OperatorPlugin(Plugin):
    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.setObjectName("SarlOperator")
        self._panel = OperatorPanel(context.node)
        widget = self._panel.widget
        if context.serial_number() > 1:
            widget.setWindowTitle(f"{widget.windowTitle()} ({context.serial_number()})")
        context.add_widget(widget)

    def shutdown_plugin(self) -> None:
        self._panel.close()

    def save_settings(self, plugin_settings: Any, instance_settings: Any) -> None:
        self._panel.widget.save_settings(instance_settings)

    def restore_settings(self, plugin_settings: Any, instance_settings: Any) -> None:
        self._panel.widget.restore_settings(instance_settings)
