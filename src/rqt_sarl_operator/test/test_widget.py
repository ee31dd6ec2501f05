"""The Qt view offscreen, without ROS: keys, buttons, what is drawn, settings, the screenshot script."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from rqt_sarl_operator import screenshot
from rqt_sarl_operator.operator_model import EstopState, LabelReply, Outcome, Phase
from rqt_sarl_operator.qt import BINDING, Qt, QtCore, QtGui, QtWidgets
from rqt_sarl_operator.widget import ESTOP_TEXT, OperatorWidget

QTest = pytest.importorskip("PySide6.QtTest").QTest if BINDING == "PySide6" else None


@pytest.fixture
def widget(qapp: QtWidgets.QApplication) -> Any:
    w = OperatorWidget()
    w.resize(1100, 760)
    w.show()
    assert QTest.qWaitForWindowExposed(w)
    w.activateWindow()
    assert QTest.qWaitForWindowActive(w)
    sent: dict[str, list[Any]] = {"labels": [], "estop": [], "clear": [], "shown": []}
    w.label_requested.connect(sent["labels"].append)
    w.estop_requested.connect(lambda: sent["estop"].append("engage"))
    w.clear_requested.connect(sent["clear"].append)
    w.estop_display_changed.connect(sent["shown"].append)
    w.sent = sent
    yield w
    w.close()
    w.deleteLater()


def key(w: QtWidgets.QWidget, k: Qt.Key) -> None:
    QTest.keyClick(w, k)
    QtWidgets.QApplication.processEvents()


def test_shows_the_status(widget: Any) -> None:
    widget.show_status(screenshot.demo_status())
    assert widget.prompt_label.text() == "put the banana in the pot"
    assert widget.phase_label.text() == "AWAITING LABEL"
    assert widget.episode_label.text().startswith("Episode 37")
    assert widget.success_label.text() == "24 / 36  (67 %)"
    rows = widget.candidate_table.row_texts()
    assert len(rows) == 6 and rows[0] == ("3", "▶  put the banana in the pot", "+0.71")
    prompt_px = QtGui.QFontInfo(widget.prompt_label.font()).pixelSize()
    task_px = QtGui.QFontInfo(widget.task_label.font()).pixelSize()
    assert prompt_px >= 30 and prompt_px > 1.5 * task_px, "the prompt must be readable from a step away"


def test_keyboard_labels_the_shown_episode_only_while_awaiting(widget: Any) -> None:
    assert widget.hasFocus(), "keys must work without clicking the panel first"
    widget.show_status(dataclasses.replace(screenshot.demo_status(), phase=Phase.RESETTING))
    for k in (Qt.Key.Key_S, Qt.Key.Key_F, Qt.Key.Key_A):
        key(widget, k)
    assert widget.sent["labels"] == []
    assert not any(b.isEnabled() for b in widget.buttons.values())
    widget.show_status(dataclasses.replace(screenshot.demo_status(), phase=Phase.EXECUTING))
    for k in (Qt.Key.Key_F, Qt.Key.Key_A):
        key(widget, k)
    assert widget.sent["labels"] == [], "FAILURE and ABORT wait for the end of the episode"

    widget.show_status(screenshot.demo_status())
    assert all(b.isEnabled() for b in widget.buttons.values())
    key(widget, Qt.Key.Key_F)
    key(widget, Qt.Key.Key_S)  # ignored: the first label is still in flight
    assert [(r.episode, r.outcome) for r in widget.sent["labels"]] == [(37, Outcome.FAILURE)]
    assert not widget.buttons[Outcome.SUCCESS].isEnabled()


def test_reply_is_shown(widget: Any) -> None:
    widget.show_status(screenshot.demo_status())
    widget.buttons[Outcome.ABORT].click()
    widget.show_reply(LabelReply(37, Outcome.ABORT, accepted=False, reason="wrong episode"))
    assert widget.notice_label.text() == "Episode 37: ABORT refused: wrong episode"
    widget.buttons[Outcome.SUCCESS].click()
    widget.show_reply(LabelReply(37, Outcome.SUCCESS, accepted=True))
    assert widget.notice_label.text() == "Episode 37: SUCCESS accepted"
    assert not widget.buttons[Outcome.SUCCESS].isEnabled()


def test_estop_keys_and_button_only_engage_and_the_display_is_the_drivers(widget: Any) -> None:
    assert widget.estop_button.isEnabled(), "e-stop is available with no agent at all"
    assert widget.estop_button.text() == ESTOP_TEXT[EstopState.UNKNOWN]
    key(widget, Qt.Key.Key_Space)
    key(widget, Qt.Key.Key_Escape)
    widget.estop_button.click()
    assert widget.sent["estop"] == ["engage"] * 3
    assert widget.estop_button.text() == ESTOP_TEXT[EstopState.UNKNOWN], "a press alone proves nothing"
    widget.show_driver_estop(True)
    assert widget.estop_button.text() == ESTOP_TEXT[EstopState.ENGAGED]
    widget.estop_button.click()
    assert widget.sent["estop"][-1] == "engage", "clicking an engaged e-stop never clears it"
    widget.show_driver_estop(False)
    assert widget.estop_button.text() == ESTOP_TEXT[EstopState.CLEARED]
    assert widget.sent["shown"] == ["engaged", "cleared"]


def test_the_three_estop_states_look_different(widget: Any) -> None:
    looks = {}
    for state, show in ((EstopState.UNKNOWN, None), (EstopState.ENGAGED, True), (EstopState.CLEARED, False)):
        if show is not None:
            widget.show_driver_estop(show)
        QtWidgets.QApplication.processEvents()
        assert widget.estop_button.property("estop") == state.name.lower()
        image = widget.estop_button.grab().toImage()
        looks[state] = (widget.estop_button.text(), image.pixelColor(4, image.height() // 2).name())
    assert len({text for text, _ in looks.values()}) == 3
    assert len({border for _, border in looks.values()}) == 3, looks


def test_a_silent_driver_turns_the_display_unknown(widget: Any) -> None:
    widget.model._stale_after_s = 0.2
    widget.show_driver_estop(True)
    deadline = time.monotonic() + 5.0
    while widget.model.estop is not EstopState.UNKNOWN and time.monotonic() < deadline:
        QTest.qWait(50)
    assert widget.estop_button.text() == ESTOP_TEXT[EstopState.UNKNOWN]
    assert widget.sent["shown"] == ["engaged", "unknown"]


class PaintCounter(QtCore.QObject):
    """Counts paint events of one widget and its descendants (an application-wide event filter)."""

    def __init__(self, root: QtWidgets.QWidget) -> None:
        super().__init__()
        self.root = root
        self.count = 0

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if (
            event.type() == QtCore.QEvent.Type.Paint
            and isinstance(watched, QtWidgets.QWidget)
            and (watched is self.root or self.root.isAncestorOf(watched))
        ):
            self.count += 1
        return False


def test_the_same_driver_state_again_repaints_nothing(qapp: QtWidgets.QApplication, widget: Any) -> None:
    """The driver reports its state at up to 50 Hz and the panel takes it every 100 ms: an unchanged state must
    not restyle or repaint anything (it did, 60 paint events here). In rqt each paint pass is also where rqt's
    Ctrl-C handler can run and crash rqt (README, REPAINT_RACE)."""
    widget.show_status(screenshot.demo_status())
    widget.show_driver_estop(False)
    QTest.qWait(100)
    counter = PaintCounter(widget)
    qapp.installEventFilter(counter)
    try:
        for _ in range(10):
            widget.show_driver_estop(False)
            widget.show_status(screenshot.demo_status())
            QTest.qWait(20)
        assert counter.count == 0, f"{counter.count} paint events for an unchanged state"
        widget.show_driver_estop(True)  # the filter does see paints: a real change repaints
        QTest.qWait(100)
        assert counter.count > 0
    finally:
        qapp.removeEventFilter(counter)


def test_clear_asks_for_a_reason_then_sends_it(widget: Any) -> None:
    assert not widget.clear_button.isEnabled(), "nothing to clear while the driver state is unknown"
    widget.show_driver_estop(True)
    assert widget.clear_button.isEnabled()
    widget.clear_button.click()
    assert widget.sent["clear"] == []
    assert widget.reason_edit.hasFocus(), "the reason field takes the keys"
    QTest.keyClicks(widget.reason_edit, "sfa gripper checked")
    assert widget.sent["labels"] == [] and widget.sent["estop"] == [], "typing a reason presses nothing"
    key(widget.reason_edit, Qt.Key.Key_Return)
    assert widget.sent["clear"] == ["sfa gripper checked"]
    assert widget.reason_edit.text() == "" and widget.hasFocus(), "keys belong to the panel again"
    assert not widget.clear_button.isEnabled(), "one clear request in flight"
    widget.show_clear_reply(False, "not signed with this robot's run secret")
    assert widget.notice_label.text() == "E-stop NOT cleared: not signed with this robot's run secret"
    assert widget.estop_button.text() == ESTOP_TEXT[EstopState.ENGAGED]


def test_space_never_clicks_a_label_button(widget: Any) -> None:
    widget.show_status(screenshot.demo_status())
    QTest.mouseClick(widget.buttons[Outcome.SUCCESS], Qt.MouseButton.LeftButton)
    widget.show_reply(LabelReply(37, Outcome.SUCCESS, accepted=False, reason="try again"))
    key(widget, Qt.Key.Key_Space)
    assert len(widget.sent["labels"]) == 1 and widget.sent["estop"] == ["engage"]


def test_an_error_in_a_slot_is_shown_and_logged_never_raised(widget: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[str] = []
    widget.log_error = logged.append

    def broken(status: Any) -> None:
        raise ValueError("Logger severity cannot be changed between calls.")

    monkeypatch.setattr(widget.model, "apply_status", broken)
    assert widget.show_status(screenshot.demo_status()) is None
    assert widget.notice_label.text() == "Internal error: ValueError: Logger severity cannot be changed between calls."
    assert len(logged) == 1 and "Traceback" in logged[0] and "show_status" in logged[0]
    key(widget, Qt.Key.Key_Space)
    assert widget.sent["estop"] == ["engage"], "the panel keeps working"


def test_smallest_size_shows_four_candidate_rows_and_no_stretched_notice(widget: Any) -> None:
    """rqt -s opens the panel at its minimum size; a two-line notice must not squeeze the table."""
    widget.show_status(screenshot.demo_status())
    widget.show_clear_reply(True, "cleared by a-rather-long-operator-name: gripper and workspace checked twice")
    widget.resize(widget.minimumSizeHint())
    QtWidgets.QApplication.processEvents()
    table = widget.candidate_table
    assert table.viewport().height() >= 4 * table.verticalHeader().defaultSectionSize(), table.viewport().height()
    widget.show_candidates_box.setChecked(False)
    widget.resize(1100, 900)
    QtWidgets.QApplication.processEvents()
    notice = widget.notice_label
    assert notice.height() <= notice.heightForWidth(notice.width()) + 2, "the notice bar must not stretch"


def test_typing_the_operator_name_does_not_trigger_shortcuts(widget: Any) -> None:
    widget.show_status(screenshot.demo_status())
    widget.operator_edit.setFocus()
    QTest.keyClicks(widget.operator_edit, "sam fa")
    assert widget.operator_edit.text() == "sam fa"
    assert widget.sent["labels"] == [] and widget.sent["estop"] == []
    assert widget.operator_name == "sam fa"


@pytest.mark.parametrize("show_candidates", [True, False, "true", "false"])
def test_settings_round_trip(qapp: QtWidgets.QApplication, fake_settings: Any, show_candidates: Any) -> None:
    first, second = OperatorWidget(), OperatorWidget()
    first.operator_edit.setText("alice")
    first.show_candidates_box.setChecked(show_candidates in (True, "true"))
    settings = fake_settings()
    first.save_settings(settings)
    if isinstance(show_candidates, str):  # what a QSettings ini file hands back
        settings.values["show_candidates"] = show_candidates
    second.restore_settings(settings)
    assert second.operator_edit.text() == "alice"
    assert second.show_candidates_box.isChecked() is (show_candidates in (True, "true"))
    assert second.candidates_card.isVisibleTo(second) is (show_candidates in (True, "true"))


def test_restore_from_empty_settings_keeps_defaults(qapp: QtWidgets.QApplication, fake_settings: Any) -> None:
    w = OperatorWidget()
    w.restore_settings(fake_settings())
    assert w.operator_edit.text() == "" and w.show_candidates_box.isChecked()


def test_screenshot_script_writes_the_png(qapp: QtWidgets.QApplication, tmp_path: Path) -> None:
    out = tmp_path / "operator.png"
    assert screenshot.main([str(out), "--width", "1000", "--height", "700"]) == 0
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)
