"""The rqt plugin class, run under a stand-in for rqt_gui_py (rqt has no wheels here), and its packaging.

The stand-in gives what rqt gives a Python plugin: a ``Plugin`` QObject base, and a context
with ``node``, ``serial_number()`` and ``add_widget()``. On a full ROS 2 install the same
class is loaded by rqt through plugin.xml, which the last test checks is installed and
points at this class.
"""

from __future__ import annotations

import importlib
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from ament_index_python.packages import get_package_share_directory
from sarl_interfaces.msg import EpisodeStatus as Msg

from rqt_sarl_operator.qt import QtCore, QtWidgets


class FakeContext:
    def __init__(self, node: Any, serial: int = 1) -> None:
        self.node = node
        self.widgets: list[QtWidgets.QWidget] = []
        self._serial = serial

    def serial_number(self) -> int:
        return self._serial

    def add_widget(self, widget: QtWidgets.QWidget) -> None:
        self.widgets.append(widget)


@pytest.fixture
def plugin_cls(monkeypatch: pytest.MonkeyPatch) -> Any:
    class Plugin(QtCore.QObject):  # qt_gui.plugin.Plugin is a QObject constructed with the context
        def __init__(self, context: Any) -> None:
            super().__init__()

    fake = types.ModuleType("rqt_gui_py.plugin")
    fake.Plugin = Plugin
    monkeypatch.setitem(sys.modules, "rqt_gui_py", types.ModuleType("rqt_gui_py"))
    monkeypatch.setitem(sys.modules, "rqt_gui_py.plugin", fake)
    monkeypatch.delitem(sys.modules, "rqt_sarl_operator.plugin", raising=False)
    yield importlib.import_module("rqt_sarl_operator.plugin").OperatorPlugin
    sys.modules.pop("rqt_sarl_operator.plugin", None)


def test_plugin_shows_the_agent_status_on_the_node_rqt_gives(
    qapp: QtWidgets.QApplication, plugin_cls: Any, spun: Any, agent: Any, pump: Any
) -> None:
    context = FakeContext(spun("rqt_gui_py_node").node, serial=2)
    plugin = plugin_cls(context)
    (widget,) = context.widgets
    assert widget.windowTitle() == "SARL Operator (2)"
    agent().set(phase=Msg.PHASE_LEARNING, task="stack the cups", episode=4)
    pump(lambda: widget.phase_label.text() == "LEARNING", 10.0, "the status in the plugin's widget")
    plugin.shutdown_plugin()


def test_shutdown_removes_the_plugins_entities_from_the_shared_node(
    qapp: QtWidgets.QApplication, plugin_cls: Any, spun: Any
) -> None:
    node = spun("rqt_gui_py_node").node
    before = (len(list(node.subscriptions)), len(list(node.publishers)), len(list(node.clients)))
    plugin = plugin_cls(FakeContext(node))
    assert len(list(node.subscriptions)) == before[0] + 2
    plugin.shutdown_plugin()
    assert (len(list(node.subscriptions)), len(list(node.publishers)), len(list(node.clients))) == before


def test_save_and_restore_settings_round_trip(
    qapp: QtWidgets.QApplication, plugin_cls: Any, spun: Any, fake_settings: Any
) -> None:
    node = spun("rqt_gui_py_node").node
    first = plugin_cls(FakeContext(node))
    widget = first._panel.widget
    widget.operator_edit.setText("maria")
    widget.show_candidates_box.setChecked(False)
    plugin_settings, instance_settings = fake_settings(), fake_settings()
    first.save_settings(plugin_settings, instance_settings)
    first.shutdown_plugin()
    assert instance_settings.values == {"operator_name": "maria", "show_candidates": False}

    second = plugin_cls(FakeContext(node))
    second.restore_settings(plugin_settings, instance_settings)
    restored = second._panel.widget
    assert restored.operator_name == "maria"
    assert not restored.show_candidates_box.isChecked()
    second.shutdown_plugin()


def test_plugin_xml_is_installed_and_names_the_plugin_class() -> None:
    share = Path(get_package_share_directory("rqt_sarl_operator"))
    package = ET.parse(share / "package.xml").getroot()
    assert package.find("export/rqt_gui").get("plugin") == "${prefix}/plugin.xml"
    (cls,) = ET.parse(share / "plugin.xml").getroot().iter("class")
    assert cls.get("base_class_type") == "rqt_gui_py::Plugin"
    module, _, name = cls.get("type").rpartition(".")
    assert (module, name) == ("rqt_sarl_operator.plugin", "OperatorPlugin")
    source = Path(importlib.util.find_spec(module).origin).read_text()
    assert f"class {name}(Plugin)" in source
