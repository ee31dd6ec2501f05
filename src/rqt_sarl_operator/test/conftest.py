"""Fixtures for the operator panel tests: one offscreen QApplication, a fake agent, the driver's e-stop contract.

The test body is the GUI thread: it pumps Qt events while waiting, because that is where
the panel's ROS results arrive (queued signals). Peers are real rclpy nodes, each with its
own context and executor thread (``SpunNode``), talking over real DDS.
"""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import EpisodeStatus as EpisodeStatusMsg
from sarl_interfaces.srv import LabelEpisode
from support.event_peer import EventPeer
from support.ros_node import SpunNode

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from rqt_sarl_operator.qt import QtCore, QtWidgets  # after the platform is chosen

PEERS = Path(__file__).resolve().parent / "peers"
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
AWAITING = EpisodeStatusMsg.PHASE_AWAITING_LABEL
RUNNING = (EpisodeStatusMsg.PHASE_CHOOSING, EpisodeStatusMsg.PHASE_EXECUTING)


@pytest.fixture(scope="session")
def qapp() -> Iterator[QtWidgets.QApplication]:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["rqt_sarl_operator-tests"])
    yield app
    # Every widget goes while Qt and rclpy are whole, not in the interpreter's final collection.
    for widget in QtWidgets.QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture(autouse=True)
def delete_closed_widgets() -> Iterator[None]:
    """Run the ``deleteLater`` of each test before the next one (``processEvents`` alone never does).

    Widgets left for interpreter exit are collected after rclpy and PySide6 have begun tearing down,
    where a finalizer crash ("none_dealloc") aborted a whole pytest run after every test had passed.
    """
    yield
    if QtWidgets.QApplication.instance() is not None:
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        gc.collect()


def pump_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Process Qt events until ``predicate`` holds; fail naming ``what`` after ``timeout`` s."""
    app = QtWidgets.QApplication.instance()
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


@pytest.fixture
def pump() -> Callable[[Callable[[], bool], float, str], None]:
    return pump_until


class FakeAgent:
    """Stand-in for the sarl agent node: publishes EpisodeStatus, serves label_episode by its rules.

    A label is accepted only for exactly the status's episode, while awaiting its label, or (SUCCESS only,
    as the real agent's LabelGate) while it runs; otherwise it is refused with the reason (already
    labelled, wrong episode, not awaiting a label).
    ``advance_on_label=False`` keeps publishing "awaiting" after an accepted label, so a test
    can show the panel itself prevents a second label. ``reply_delay_s`` makes the agent slow.
    """

    def __init__(self, spun: SpunNode, advance_on_label: bool = True, reply_delay_s: float = 0.0) -> None:
        self._lock = threading.Lock()
        self.advance_on_label = advance_on_label
        self.reply_delay_s = reply_delay_s
        self.status = EpisodeStatusMsg()
        self.labelled: set[int] = set()
        self.accepted: list[tuple[int, int, str]] = []
        self.calls = 0
        self._pub = spun.node.create_publisher(EpisodeStatusMsg, "sarl/episode_status", LATCHED)
        self._srv = spun.node.create_service(LabelEpisode, "label_episode", self._label_callback)

    def set(self, publish: bool = True, candidates: tuple[tuple[int, str, float, float], ...] | None = None,
            **fields: Any) -> None:
        with self._lock:
            for key, value in fields.items():
                setattr(self.status, key, value)
            if candidates is not None:
                self.status.candidates.ids = [c[0] for c in candidates]
                self.status.candidates.prompts = [c[1] for c in candidates]
                self.status.q_values = [c[2] for c in candidates]
                self.status.probabilities = [c[3] for c in candidates]
            if publish:
                self._pub.publish(self.status)

    def _label_callback(self, request: LabelEpisode.Request, response: LabelEpisode.Response) -> Any:
        time.sleep(self.reply_delay_s)
        with self._lock:
            self.calls += 1
            status = self.status
            if request.episode in self.labelled:
                response.accepted, response.reason = False, f"episode {request.episode} already labelled"
            elif request.episode != status.episode:
                response.accepted = False
                response.reason = f"wrong episode: label for {request.episode}, agent is on {status.episode}"
            elif status.phase in RUNNING and request.outcome != LabelEpisode.Request.SUCCESS:
                response.accepted = False
                response.reason = ("not awaiting a label (only SUCCESS ends a running episode early; "
                                   f"phase {status.phase})")
            elif status.phase not in (AWAITING, *RUNNING):
                response.accepted, response.reason = False, f"not awaiting a label (phase {status.phase})"
            else:
                response.accepted = True
                self.labelled.add(request.episode)
                self.accepted.append((request.episode, request.outcome, request.labeled_by))
                if self.advance_on_label:
                    status.phase = EpisodeStatusMsg.PHASE_LEARNING
                    status.last_outcome = request.outcome
                    if request.outcome != LabelEpisode.Request.ABORT:
                        status.episodes_done += 1
                        status.successes += int(request.outcome == LabelEpisode.Request.SUCCESS)
                    self._pub.publish(status)
        return response


@pytest.fixture
def spun() -> Iterator[Callable[[str], SpunNode]]:
    """Factory of SpunNodes closed after the test (the operator's node, the agent's, the driver's)."""
    nodes: list[SpunNode] = []

    def make(name: str) -> SpunNode:
        nodes.append(SpunNode(name))
        return nodes[-1]

    yield make
    for node in reversed(nodes):
        node.close()


class FakeSettings:
    """The ``set_value`` / ``value`` interface of qt_gui's Settings, over a dict."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values = dict(values or {})

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def value(self, key: str, default_value: Any = None) -> Any:
        return self.values.get(key, default_value)


@pytest.fixture
def fake_settings() -> type[FakeSettings]:
    return FakeSettings


@pytest.fixture
def agent(spun: Callable[[str], SpunNode]) -> Callable[..., FakeAgent]:
    """Factory: a FakeAgent on its own node (``agent(advance_on_label=False, reply_delay_s=2.0)``)."""
    return lambda **kwargs: FakeAgent(spun("fake_sarl_agent"), **kwargs)


@pytest.fixture
def driver(tmp_path: Any) -> Iterator[Any]:
    """The driver's e-stop contract (``peers/driver_estop_peer.py``) as a real process; its exit code is checked."""
    peer = EventPeer(PEERS / "driver_estop_peer.py", tmp_path, "--rate-hz", "20")
    peer.wait_ready(30.0)
    yield peer
    assert peer.stop() == 0, peer.process.log_text()


@pytest.fixture
def panel(qapp: QtWidgets.QApplication, spun: Callable[[str], SpunNode]) -> Iterator[Callable[..., Any]]:
    """Factory: an OperatorPanel on a node spun in the background (as rqt does), shown offscreen."""
    from rqt_sarl_operator.panel import OperatorPanel

    made: list[OperatorPanel] = []

    def make(label_timeout_s: float = 5.0, clear_timeout_s: float = 5.0) -> OperatorPanel:
        made.append(OperatorPanel(spun("sarl_operator_under_test").node, label_timeout_s=label_timeout_s,
                                  clear_timeout_s=clear_timeout_s))  # fmt: skip
        widget = made[-1].widget
        widget.resize(1100, 760)
        widget.show()
        widget.activateWindow()
        pump_until(widget.hasFocus, 5.0, "the panel to take keyboard focus")
        return made[-1]

    yield make
    for p in made:
        p.close()
        p.widget.close()
        p.widget.deleteLater()
    qapp.processEvents()
