"""The candidate prompts as a table whose probability column is an inline bar.

A bar reads faster than a number from a step away: the operator sees at a glance whether
the policy is sure (one long bar) or still exploring (several short ones). The row being
executed is tinted and marked, so the table and the big prompt line up.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import style
from .operator_model import CandidateRow
from .qt import Qt, QtCore, QtGui, QtWidgets

_VALUE_ROLE = Qt.ItemDataRole.UserRole
_CURRENT_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("id", "candidate prompt", "Q", "probability")
ROW_HEIGHT = 34
MIN_VISIBLE_ROWS = 4
"""The table never gets less height than this many rows: the operator compares the top few at a glance."""
PREFERRED_ROWS = 6


def _align_right(item: QtWidgets.QTableWidgetItem) -> None:
    flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    try:
        item.setTextAlignment(flags)  # Qt 6 bindings: the flags type
    except TypeError:
        item.setTextAlignment(int(flags))  # Qt 5 bindings: an int


class ProbabilityBarDelegate(QtWidgets.QStyledItemDelegate):
    """Paints a probability in [0, 1] as a filled bar with its percentage."""

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex) -> None:
        value = index.data(_VALUE_ROLE)
        current = bool(index.data(_CURRENT_ROLE))
        rect = option.rect.adjusted(6, 7, -6, -7)
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        if current:
            painter.fillRect(option.rect, QtGui.QColor(style.CURRENT_ROW))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(style.BAR_TRACK))
        painter.drawRoundedRect(QtCore.QRectF(rect), 4, 4)
        text = "—"
        if value is not None:
            fraction = min(max(float(value), 0.0), 1.0)
            filled = QtCore.QRectF(rect.x(), rect.y(), rect.width() * fraction, rect.height())
            painter.setBrush(QtGui.QColor(style.BAR_FILL_CURRENT if current else style.BAR_FILL))
            painter.drawRoundedRect(filled, 4, 4)
            text = f"{100.0 * fraction:.0f} %"
        font = QtGui.QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QtGui.QColor(style.INK))
        align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(rect.adjusted(0, 0, -6, 0), align, text)
        painter.restore()


class CandidateTable(QtWidgets.QTableWidget):
    """Read-only, focus-less table: keys belong to the label and e-stop shortcuts."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([c.upper() for c in COLUMNS])
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the prompt column elides instead
        self.setShowGrid(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(3, 230)
        self.setItemDelegateForColumn(3, ProbabilityBarDelegate(self))

    def _height_for_rows(self, rows: int) -> int:
        return self.horizontalHeader().sizeHint().height() + rows * ROW_HEIGHT + 2 * self.frameWidth()

    def minimumSizeHint(self) -> QtCore.QSize:
        """At least :data:`MIN_VISIBLE_ROWS` rows high, so no default window size hides them behind a scrollbar."""
        hint = super().minimumSizeHint()
        return QtCore.QSize(hint.width(), max(hint.height(), self._height_for_rows(MIN_VISIBLE_ROWS)))

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(super().sizeHint().width(), self._height_for_rows(PREFERRED_ROWS))

    def set_rows(self, rows: Sequence[CandidateRow]) -> None:
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            q_text = "—" if row.q is None else f"{row.q:+.2f}"
            prompt = f"▶  {row.prompt}" if row.is_current else row.prompt
            cells = (str(row.prompt_id), prompt, q_text, "")
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if c in (0, 2):
                    _align_right(item)
                if row.is_current:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(QtGui.QColor(style.CURRENT_ROW))
                item.setData(_CURRENT_ROLE, row.is_current)
                if c == 3:
                    item.setData(_VALUE_ROLE, row.probability)
                self.setItem(r, c, item)

    def row_texts(self) -> list[tuple[str, str, str]]:
        """(id, prompt, Q) per row as displayed; lets tests read the table like a person would."""
        return [tuple(self.item(r, c).text() for c in range(3)) for r in range(self.rowCount())]
