"""The Qt view offscreen, without ROS: keys, buttons, what is drawn, settings, the screenshot script."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from rqt_sarl_operator import screenshot
from rqt_sarl_operator.operator_model import LabelReply, Outcome, Phase
from rqt_sarl_operator.qt import BINDING, Qt, QtGui, QtWidgets
from rqt_sarl_operator.widget import OperatorWidget

QTest = pytest.importorskip("PySide6.QtTest").QTest if BINDING == "PySide6" else None


@pytest.fixture
def widget(qapp: QtWidgets.QApplication) -> Any:
    w = OperatorWidget()
    w.resize(1100, 760)
    w.show()
    assert QTest.qWaitForWindowExposed(w)
    w.activateWindow()
    assert QTest.qWaitForWindowActive(w)
    sent: dict[str, list[Any]] = {"labels": [], "estop": []}
    w.label_requested.connect(sent["labels"].append)
    w.estop_requested.connect(sent["estop"].append)
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
    widget.show_status(dataclasses.replace(screenshot.demo_status(), phase=Phase.EXECUTING))
    for k in (Qt.Key.Key_S, Qt.Key.Key_F, Qt.Key.Key_A):
        key(widget, k)
    assert widget.sent["labels"] == []
    assert not any(b.isEnabled() for b in widget.buttons.values())

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


def test_estop_keys_engage_and_a_click_toggles(widget: Any) -> None:
    assert widget.estop_button.isEnabled(), "e-stop is available with no agent at all"
    key(widget, Qt.Key.Key_Space)
    key(widget, Qt.Key.Key_Escape)
    assert widget.sent["estop"] == [True, True]
    assert widget.estop_button.text().startswith("E-STOP ENGAGED")
    widget.estop_button.click()
    assert widget.sent["estop"] == [True, True, False]
    widget.show_estop(True)  # someone else engaged it
    widget.estop_button.click()
    assert widget.sent["estop"][-1] is False


def test_space_never_clicks_a_label_button(widget: Any) -> None:
    widget.show_status(screenshot.demo_status())
    QTest.mouseClick(widget.buttons[Outcome.SUCCESS], Qt.MouseButton.LeftButton)
    widget.show_reply(LabelReply(37, Outcome.SUCCESS, accepted=False, reason="try again"))
    key(widget, Qt.Key.Key_Space)
    assert len(widget.sent["labels"]) == 1 and widget.sent["estop"] == [True]


def test_typing_the_operator_name_does_not_trigger_shortcuts(widget: Any) -> None:
    widget.show_status(screenshot.demo_status())
    widget.operator_edit.setFocus()
    QTest.keyClicks(widget.operator_edit, "sam fa")
    assert widget.operator_edit.text() == "sam fa"
    assert widget.sent == {"labels": [], "estop": []}
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
