"""The operator panel: a QWidget that renders :class:`OperatorModel` and turns presses into requests.

It knows nothing of ROS: statuses, replies and the driver's e-stop state come in through
the ``show_*`` slots, and presses go out through the ``label_requested`` /
``estop_requested`` / ``clear_requested`` signals, so the same widget serves rqt, the
standalone window, the tests and the screenshot script. Every slot is :func:`guarded`: an
error is shown in the notice bar and logged, and never escapes into Qt (PyQt5 would abort
rqt).

The E-STOP button shows the driver's state, drawn three ways: *cleared* (red on yellow,
ready), *engaged* (dark, "E-STOP ENGAGED") and *unknown* (grey border, "state unknown":
no ``arm_state`` yet or none for 2 s). Each change of what it shows is also
announced through ``estop_display_changed`` (the panel logs it).

Keyboard (active while the panel or one of its children has focus):

====================  =================================================
``S``                 label the shown episode SUCCESS
``F``                 label the shown episode FAILURE
``A``                 abort the shown episode (not learned from)
``Space`` or ``Esc``  engage the e-stop (nothing but "Clear e-stop…" clears it)
``Enter``             in the reason field: ask the driver to clear the e-stop
====================  =================================================

Buttons never take keyboard focus, so ``Space`` cannot "click" a focused Success button.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from . import style
from .candidate_table import CandidateTable
from .operator_model import (
    EpisodeStatus,
    EstopState,
    LabelReply,
    LabelRequest,
    Notice,
    OperatorModel,
    OperatorView,
    Outcome,
)
from .qt import QShortcut, Qt, QtCore, QtGui, QtWidgets, Signal
from .slot_guard import guarded

LABEL_KEYS = {Outcome.SUCCESS: "S", Outcome.FAILURE: "F", Outcome.ABORT: "A"}
ESTOP_KEYS = ("Space", "Esc")
_LABEL_TEXT = {Outcome.SUCCESS: "✔  SUCCESS", Outcome.FAILURE: "✖  FAILURE", Outcome.ABORT: "ABORT EPISODE"}
_KIND = {Outcome.SUCCESS: "success", Outcome.FAILURE: "failure", Outcome.ABORT: "abort"}
_AWAITED = "Enabled when the agent awaits a label for the episode shown"
_DISABLED_WHY = {
    Outcome.SUCCESS: "Enabled while an episode runs (ends it early) and when the agent awaits its label",
    Outcome.FAILURE: _AWAITED,
    Outcome.ABORT: _AWAITED,
}
ESTOP_TEXT = {
    EstopState.CLEARED: "E-STOP\n[Space / Esc]",
    EstopState.ENGAGED: "E-STOP ENGAGED\narm held",
    EstopState.UNKNOWN: "E-STOP\nstate unknown",
}
NOTICE_PADDING_PX = 20
"""Vertical padding of the notice bar in the style sheet (8 px top and bottom) plus a margin."""
STALE_CHECK_MS = 250
"""How often the widget checks whether the driver's arm_state went stale."""


def _caption(text: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text.upper())
    label.setObjectName("caption")
    return label


def _label(name: str, wrap: bool = False) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def _card() -> QtWidgets.QFrame:
    frame = QtWidgets.QFrame()
    frame.setObjectName("card")
    return frame


def _as_bool(value: Any, default: bool) -> bool:
    """Settings stores may hand a bool back as a string (QSettings ini): accept both."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


class OperatorWidget(QtWidgets.QWidget):
    """The panel. Public child widgets (``buttons``, ``estop_button``, labels) are for tests and screenshots."""

    label_requested = Signal(object)  # LabelRequest
    estop_requested = Signal()  # engage (the only thing the button and keys do)
    clear_requested = Signal(str)  # the operator's reason for clearing the e-stop
    estop_display_changed = Signal(str)  # "engaged", "cleared" or "unknown": what the button now shows

    def __init__(self, model: OperatorModel | None = None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model or OperatorModel()
        self.log_error: Callable[[str], None] = logging.getLogger(__name__).error
        """Where slot errors are logged (the panel points it at the node's logger)."""
        self._estop_shown: EstopState | None = None
        self._view_shown: OperatorView | None = None
        self.setObjectName("SarlOperatorWidget")
        self.setWindowTitle("SARL Operator")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(style.STYLE_SHEET)
        self._phase_style = ""
        self._build()
        self._add_shortcuts()
        self._stale_timer = QtCore.QTimer(self)
        self._stale_timer.timeout.connect(self.check_driver_stale)
        self._stale_timer.start(STALE_CHECK_MS)
        self.render()

    # --- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        root = QtWidgets.QVBoxLayout(self)
        root.setContentsMargins(12, 12, 12, 10)
        root.setSpacing(12)
        root.addWidget(self._build_header())
        root.addWidget(self._build_prompt())
        self.candidates_card = self._build_candidates()
        root.addWidget(self.candidates_card, 1)
        # Takes the spare height only while the candidates are hidden (then nothing else has a stretch),
        # so the notice bar never stretches.
        root.addItem(QtWidgets.QSpacerItem(0, 0, QtWidgets.QSizePolicy.Policy.Minimum,
                                           QtWidgets.QSizePolicy.Policy.Expanding))  # fmt: skip
        root.addLayout(self._build_buttons())
        root.addLayout(self._build_notice_row())
        root.addLayout(self._build_footer())

    def _build_header(self) -> QtWidgets.QFrame:
        card = _card()
        grid = QtWidgets.QGridLayout(card)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(16)
        self.task_label = _label("task", wrap=True)
        self.episode_label = _label("episode")
        self.phase_label = _label("phase")
        self.success_label = _label("successRate")
        grid.addWidget(_caption("task"), 0, 0, 1, 3)
        grid.addWidget(self.task_label, 1, 0, 1, 3)
        grid.addWidget(self.episode_label, 2, 0)
        grid.addWidget(self.phase_label, 2, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(2, 1)
        grid.addWidget(_caption("success rate"), 0, 3, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.success_label, 1, 3, 2, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return card

    def _build_prompt(self) -> QtWidgets.QFrame:
        card = _card()
        box = QtWidgets.QVBoxLayout(card)
        box.setContentsMargins(16, 10, 16, 12)
        self.prompt_label = _label("prompt", wrap=True)
        box.addWidget(_caption("current prompt"))
        box.addWidget(self.prompt_label)
        return card

    def _build_candidates(self) -> QtWidgets.QFrame:
        card = _card()
        box = QtWidgets.QVBoxLayout(card)
        box.setContentsMargins(16, 10, 16, 10)
        self.candidate_table = CandidateTable()
        box.addWidget(_caption("candidates  ·  sorted by policy probability"))
        box.addWidget(self.candidate_table)
        return card

    def _build_buttons(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(12)
        self.buttons: dict[Outcome, QtWidgets.QPushButton] = {}
        for outcome, text in _LABEL_TEXT.items():
            button = QtWidgets.QPushButton(f"{text}\n[{LABEL_KEYS[outcome]}]")
            button.setObjectName("labelButton")
            button.setProperty("kind", _KIND[outcome])
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, o=outcome: self.press_label(o))  # drops `checked` (slot_guard)
            self.buttons[outcome] = button
            row.addWidget(button, 1)
        row.addSpacing(10)
        self.estop_button = QtWidgets.QPushButton()
        self.estop_button.setObjectName("estop")
        self.estop_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.estop_button.clicked.connect(self.press_estop)
        row.addWidget(self.estop_button, 1)
        return row

    def _build_notice_row(self) -> QtWidgets.QHBoxLayout:
        """The notice bar, then the e-stop clearing: a reason (required by the driver) and the button."""
        row = QtWidgets.QHBoxLayout()
        row.setSpacing(8)
        self.notice_label = _label("notice", wrap=True)
        self.notice_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                                        QtWidgets.QSizePolicy.Policy.Maximum)  # fmt: skip
        # Room for two lines from the start: a longer reply must not squeeze the candidate table.
        font = QtGui.QFont(self.font())
        font.setPixelSize(style.NOTICE_FONT_PX)
        font.setBold(True)
        self.notice_label.setMinimumHeight(2 * QtGui.QFontMetrics(font).lineSpacing() + NOTICE_PADDING_PX)
        self.reason_edit = QtWidgets.QLineEdit()
        self.reason_edit.setObjectName("reason")
        self.reason_edit.setPlaceholderText("why it is safe to move again")
        self.reason_edit.setMinimumWidth(200)
        self.reason_edit.setMaximumWidth(300)
        self.reason_edit.setToolTip("Required to clear the e-stop; the driver logs it with your name")
        self.reason_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.reason_edit.returnPressed.connect(self.press_clear)
        self.clear_button = QtWidgets.QPushButton("Clear e-stop…")
        self.clear_button.setObjectName("clearEstop")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.press_clear)
        row.addWidget(self.notice_label, 1)
        row.addWidget(self.reason_edit)
        row.addWidget(self.clear_button)
        return row

    def _build_footer(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.detail_label = _label("detail")
        self.operator_edit = QtWidgets.QLineEdit()
        self.operator_edit.setObjectName("operatorName")
        self.operator_edit.setPlaceholderText("operator name")
        self.operator_edit.setMaximumWidth(180)
        self.operator_edit.setToolTip("Sent as labeled_by with every label")
        self.operator_edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # keys go to the shortcuts unless clicked
        self.operator_edit.editingFinished.connect(self.setFocus)
        self.show_candidates_box = QtWidgets.QCheckBox("show candidates")
        self.show_candidates_box.setChecked(True)
        self.show_candidates_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.show_candidates_box.toggled.connect(self.candidates_card.setVisible)
        row.addWidget(self.detail_label, 1)
        by = QtWidgets.QLabel("labelled by")
        by.setObjectName("footer")
        row.addWidget(by)
        row.addWidget(self.operator_edit)
        row.addSpacing(12)
        row.addWidget(self.show_candidates_box)
        return row

    def _add_shortcuts(self) -> None:
        def shortcut(key: str, slot: Any) -> None:
            sc = QShortcut(QtGui.QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

        for outcome, key in LABEL_KEYS.items():
            shortcut(key, lambda o=outcome: self.press_label(o))  # lambdas: shortcuts pass nothing, slots take no extra
        for key in ESTOP_KEYS:
            shortcut(key, self.press_estop)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """Take keyboard focus when shown, so S / F / A / Space work without a click first."""
        super().showEvent(event)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- inputs ----------------------------------------------------------------------------

    @guarded
    def show_status(self, status: EpisodeStatus) -> None:
        self.model.apply_status(status)
        self.render()

    @guarded
    def show_reply(self, reply: LabelReply) -> None:
        self.model.apply_reply(reply)
        self.render()

    @guarded
    def show_driver_estop(self, active: bool) -> None:
        """``arm_state.estop_active`` from the driver: the only source of the e-stop display."""
        self.model.apply_driver_estop(active, time.monotonic())
        self.render()

    @guarded
    def check_driver_stale(self) -> None:
        if self.model.expire_driver_state(time.monotonic()):
            self.render()

    @guarded
    def show_clear_reply(self, accepted: bool, message: str) -> None:
        self.model.apply_clear_reply(accepted, message)
        self.render()

    @guarded
    def show_error(self, text: str) -> None:
        self.model.report_error(text)
        self.render()

    def report_slot_error(self, where: str, text: str, trace: str) -> None:
        """:func:`guarded`'s sink: the traceback to the log, the reason to the notice bar."""
        self.log_error(f"{where} failed: {trace}")
        self.model.report_error(text)
        self.render()

    # --- presses ---------------------------------------------------------------------------

    @guarded
    def press_label(self, outcome: Outcome) -> LabelRequest | None:
        request = self.model.press_label(outcome)
        if request is not None:
            self.render()
            self.label_requested.emit(request)
        return request

    @guarded
    def press_estop(self, *_: Any) -> None:
        """Button or key (``*_``: a button's ``checked``): engage.

        Emitted first, so nothing below can delay or stop the stop.
        """
        self.estop_requested.emit()
        self.model.press_estop()
        self.render()

    @guarded
    def press_clear(self, *_: Any) -> None:
        """"Clear e-stop…" (``*_``: its ``checked``) or Enter in the reason field.

        With a reason, ask the driver to clear; without one, ask the operator for it.
        """
        reason = self.model.press_clear(self.reason_edit.text())
        self.render()
        if reason is None:
            if self.model.clear_enabled:
                self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.reason_edit.clear()
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # back to the panel: S / F / A / Space work again
        self.clear_requested.emit(reason)

    @property
    def operator_name(self) -> str:
        return self.operator_edit.text().strip() or "operator"

    # --- output ----------------------------------------------------------------------------

    def render(self) -> None:
        """Draw the model. Called from guarded slots only, so an error here reaches the notice bar.

        Only a changed view is drawn: the driver's state arrives every 100 ms, and restyling and refilling the
        table each time repainted the panel ten times a second for nothing. In rqt every paint pass is also a
        place where rqt's Ctrl-C handler can run and crash rqt (README, "REPAINT_RACE").
        """
        view = self.model.view()
        if view == self._view_shown:
            return
        self.task_label.setText(view.task)
        self.episode_label.setText(view.episode_text)
        self.phase_label.setText(view.phase_text.upper())
        bg, fg = style.phase_colours(view.phase)
        phase_style = f"background: {bg}; color: {fg};"
        if phase_style != self._phase_style:
            self.phase_label.setStyleSheet(phase_style)
            self._phase_style = phase_style
        self.prompt_label.setText(view.prompt_text)
        self.candidate_table.set_rows(view.rows)
        self.success_label.setText(view.success_text)
        self.detail_label.setText(view.detail_text)
        for outcome, button in self.buttons.items():
            enabled = outcome in view.enabled_outcomes
            button.setEnabled(enabled)
            button.setToolTip("" if enabled else _DISABLED_WHY[outcome])
        self._render_estop(view.estop)
        self.clear_button.setEnabled(view.clear_enabled)
        self.reason_edit.setEnabled(view.clear_enabled)
        why_not = "Enabled while the driver reports the e-stop engaged"
        self.clear_button.setToolTip("" if view.clear_enabled else why_not)
        self._render_notice(view.notice)
        self._view_shown = view  # last: a view that failed to draw is drawn again next time

    def _render_estop(self, state: EstopState) -> None:
        if state is self._estop_shown:
            return
        self._estop_shown = state
        self.estop_button.setText(ESTOP_TEXT[state])
        self.estop_button.setProperty("estop", state.name.lower())
        self.estop_button.style().unpolish(self.estop_button)
        self.estop_button.style().polish(self.estop_button)
        self.estop_display_changed.emit(state.name.lower())

    def _render_notice(self, notice: Notice | None) -> None:
        """Always laid out (empty when there is nothing to say) so the buttons never jump."""
        bg, fg = style.NOTICE_COLOURS.get(notice.tone, style.NOTICE_COLOURS["info"]) if notice else ("transparent", "")
        self.notice_label.setStyleSheet(f"background: {bg}; color: {fg};")
        self.notice_label.setText(notice.text if notice else " ")

    # --- settings (qt_gui Settings or anything with set_value / value) ---------------------

    @guarded
    def save_settings(self, settings: Any) -> None:
        settings.set_value("operator_name", self.operator_edit.text())
        settings.set_value("show_candidates", self.show_candidates_box.isChecked())

    @guarded
    def restore_settings(self, settings: Any) -> None:
        self.operator_edit.setText(str(settings.value("operator_name", "") or ""))
        self.show_candidates_box.setChecked(_as_bool(settings.value("show_candidates", True), True))
