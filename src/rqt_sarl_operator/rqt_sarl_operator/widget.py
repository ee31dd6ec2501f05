"""The operator panel: a QWidget that renders :class:`OperatorModel` and turns presses into requests.

It knows nothing of ROS: statuses, replies and e-stop states come in through the ``show_*``
slots, and presses go out through the ``label_requested`` / ``estop_requested`` signals, so
the same widget serves rqt, the standalone window, the tests and the screenshot script.

Keyboard (active while the panel or one of its children has focus):

====================  =================================================
``S``                 label the shown episode SUCCESS
``F``                 label the shown episode FAILURE
``A``                 abort the shown episode (not learned from)
``Space`` or ``Esc``  engage the e-stop (never clears it; clearing is a click)
====================  =================================================

Buttons never take keyboard focus, so ``Space`` cannot "click" a focused Success button.
"""

from __future__ import annotations

from typing import Any

from . import style
from .candidate_table import CandidateTable
from .operator_model import EpisodeStatus, LabelReply, LabelRequest, Notice, OperatorModel, Outcome
from .qt import QShortcut, Qt, QtGui, QtWidgets, Signal

LABEL_KEYS = {Outcome.SUCCESS: "S", Outcome.FAILURE: "F", Outcome.ABORT: "A"}
ESTOP_KEYS = ("Space", "Esc")
_LABEL_TEXT = {Outcome.SUCCESS: "✔  SUCCESS", Outcome.FAILURE: "✖  FAILURE", Outcome.ABORT: "ABORT EPISODE"}
_KIND = {Outcome.SUCCESS: "success", Outcome.FAILURE: "failure", Outcome.ABORT: "abort"}


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
    estop_requested = Signal(bool)  # True = engage, False = clear

    def __init__(self, model: OperatorModel | None = None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model or OperatorModel()
        self.setObjectName("SarlOperatorWidget")
        self.setWindowTitle("SARL Operator")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(style.STYLE_SHEET)
        self._phase_style = ""
        self._build()
        self._add_shortcuts()
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
        root.addLayout(self._build_buttons())
        self.notice_label = _label("notice", wrap=True)
        root.addWidget(self.notice_label)
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
            button.clicked.connect(lambda _=False, o=outcome: self.press_label(o))
            self.buttons[outcome] = button
            row.addWidget(button, 1)
        row.addSpacing(10)
        self.estop_button = QtWidgets.QPushButton()
        self.estop_button.setObjectName("estop")
        self.estop_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.estop_button.clicked.connect(self.click_estop)
        row.addWidget(self.estop_button, 1)
        return row

    def _build_footer(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.detail_label = _label("detail")
        self.operator_edit = QtWidgets.QLineEdit()
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
            shortcut(key, lambda o=outcome: self.press_label(o))
        for key in ESTOP_KEYS:
            shortcut(key, self.key_estop)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """Take keyboard focus when shown, so S / F / A / Space work without a click first."""
        super().showEvent(event)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- inputs ----------------------------------------------------------------------------

    def show_status(self, status: EpisodeStatus) -> None:
        self.model.apply_status(status)
        self.render()

    def show_reply(self, reply: LabelReply) -> None:
        self.model.apply_reply(reply)
        self.render()

    def show_estop(self, engaged: bool) -> None:
        self.model.apply_estop(engaged)
        self.render()

    # --- presses ---------------------------------------------------------------------------

    def press_label(self, outcome: Outcome) -> LabelRequest | None:
        request = self.model.press_label(outcome)
        if request is not None:
            self.render()
            self.label_requested.emit(request)
        return request

    def click_estop(self) -> None:
        self._send_estop(self.model.click_estop())

    def key_estop(self) -> None:
        self._send_estop(self.model.key_estop())

    def _send_estop(self, engage: bool) -> None:
        self.render()
        self.estop_requested.emit(engage)

    @property
    def operator_name(self) -> str:
        return self.operator_edit.text().strip() or "operator"

    # --- output ----------------------------------------------------------------------------

    def render(self) -> None:
        view = self.model.view()
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
        why = "" if view.label_enabled else "Enabled when the agent awaits a label for the episode shown"
        for button in self.buttons.values():
            button.setEnabled(view.label_enabled)
            button.setToolTip(why)
        self._render_estop(view.estop_engaged)
        self._render_notice(view.notice)

    def _render_estop(self, engaged: bool | None) -> None:
        text = "E-STOP ENGAGED\nclick to clear" if engaged else "E-STOP\n[Space / Esc]"
        self.estop_button.setText(text)
        if self.estop_button.property("engaged") != bool(engaged):
            self.estop_button.setProperty("engaged", bool(engaged))
            self.estop_button.style().unpolish(self.estop_button)
            self.estop_button.style().polish(self.estop_button)

    def _render_notice(self, notice: Notice | None) -> None:
        """Always laid out (empty when there is nothing to say) so the buttons never jump."""
        bg, fg = style.NOTICE_COLOURS.get(notice.tone, style.NOTICE_COLOURS["info"]) if notice else ("transparent", "")
        self.notice_label.setStyleSheet(f"background: {bg}; color: {fg};")
        self.notice_label.setText(notice.text if notice else " ")

    # --- settings (qt_gui Settings or anything with set_value / value) ---------------------

    def save_settings(self, settings: Any) -> None:
        settings.set_value("operator_name", self.operator_edit.text())
        settings.set_value("show_candidates", self.show_candidates_box.isChecked())

    def restore_settings(self, settings: Any) -> None:
        self.operator_edit.setText(str(settings.value("operator_name", "") or ""))
        self.show_candidates_box.setChecked(_as_bool(settings.value("show_candidates", True), True))
