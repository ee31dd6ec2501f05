"""Colours and the style sheet of the operator panel, kept apart so the look changes in one place.

The panel is read from a step away, often in peripheral vision: every phase has its own
colour, green and red are reserved for Success / Failure, and the e-stop is the classic
red-on-yellow. Colours are set explicitly (not taken from the desktop palette) so the panel
looks the same in a light or dark rqt theme.
"""

from __future__ import annotations

from .operator_model import Phase

# (background, text) per phase; "awaiting label" is the one that asks for the operator.
PHASE_COLOURS = {
    Phase.IDLE: ("#78909C", "#FFFFFF"),
    Phase.CHOOSING: ("#0277BD", "#FFFFFF"),
    Phase.EXECUTING: ("#EF6C00", "#FFFFFF"),
    Phase.RESETTING: ("#6A1B9A", "#FFFFFF"),
    Phase.AWAITING_LABEL: ("#FFD600", "#212121"),
    Phase.LEARNING: ("#00897B", "#FFFFFF"),
    Phase.DONE: ("#37474F", "#FFFFFF"),
}
NO_PHASE_COLOURS = ("#B0BEC5", "#263238")

NOTICE_COLOURS = {"ok": ("#E8F5E9", "#1B5E20"), "error": ("#FFEBEE", "#B71C1C"), "info": ("#E3F2FD", "#0D47A1")}

BAR_TRACK = "#ECEFF1"
BAR_FILL = "#1E88E5"
BAR_FILL_CURRENT = "#FB8C00"
CURRENT_ROW = "#FFF8E1"

SUCCESS_BG = "#2E7D32"
FAILURE_BG = "#C62828"
ABORT_BG = "#FFB300"
ESTOP_BG = "#D50000"
ESTOP_ENGAGED_BG = "#B71C1C"
CLEAR_BG = "#1565C0"
OPERATOR_FIELD_BG = "#F1F8E9"
"""The operator's name field is tinted: it is who every label is sent as, not a search box."""

NOTICE_FONT_PX = 17

PANEL_BG = "#FAFAFA"
INK = "#212121"
MUTED = "#607D8B"


def phase_colours(phase: int | None) -> tuple[str, str]:
    try:
        return PHASE_COLOURS[Phase(phase)]
    except (TypeError, ValueError):
        return NO_PHASE_COLOURS


STYLE_SHEET = f"""
#SarlOperatorWidget {{ background: {PANEL_BG}; }}
#SarlOperatorWidget QLabel {{ color: {INK}; }}
QLabel#caption {{ color: {MUTED}; font-size: 12px; font-weight: bold; letter-spacing: 1px; }}
QLabel#task {{ font-size: 19px; }}
QLabel#episode {{ font-size: 22px; font-weight: bold; }}
QLabel#phase {{ font-size: 22px; font-weight: bold; border-radius: 8px; padding: 6px 18px; }}
QLabel#successRate {{ font-size: 22px; font-weight: bold; }}
QLabel#prompt {{ font-size: 34px; font-weight: bold; color: #0D47A1; }}
QLabel#detail {{ color: {MUTED}; font-size: 13px; }}
QLabel#notice {{ font-size: {NOTICE_FONT_PX}px; font-weight: bold; border-radius: 6px; padding: 8px 12px; }}
QFrame#card {{ background: #FFFFFF; border: 1px solid #CFD8DC; border-radius: 10px; }}
QFrame#card QLabel {{ background: transparent; }}
QTableWidget {{ background: #FFFFFF; border: none; font-size: 15px; color: {INK}; }}
QHeaderView::section {{ background: #FFFFFF; color: {MUTED}; border: none;
    border-bottom: 1px solid #CFD8DC; font-size: 12px; font-weight: bold; padding: 4px; }}
QPushButton#labelButton {{ font-size: 23px; font-weight: bold; border-radius: 12px;
    min-height: 86px; padding: 6px 8px; border: 3px solid transparent; }}
QPushButton#labelButton[kind="success"] {{ background: {SUCCESS_BG}; color: #FFFFFF; }}
QPushButton#labelButton[kind="failure"] {{ background: {FAILURE_BG}; color: #FFFFFF; }}
QPushButton#labelButton[kind="abort"] {{ background: {ABORT_BG}; color: #212121; }}
QPushButton#labelButton:disabled {{ background: #E0E0E0; color: #9E9E9E; border: 3px dashed #BDBDBD; }}
QPushButton#labelButton:pressed {{ border: 3px solid #212121; }}
QPushButton#estop {{ font-size: 25px; font-weight: 900; border-radius: 14px; min-height: 86px;
    min-width: 220px; padding: 6px 8px; background: {ESTOP_BG}; color: #FFFFFF; border: 7px solid #FFD600; }}
QPushButton#estop[estop="engaged"] {{ font-size: 21px; background: {ESTOP_ENGAGED_BG}; color: #FFEB3B;
    border: 7px solid #212121; }}
QPushButton#estop[estop="unknown"] {{ font-size: 21px; border: 7px solid #9E9E9E; color: #ECEFF1; }}
QPushButton#estop:pressed {{ background: #8E0000; }}
QLineEdit {{ font-size: 14px; padding: 3px 6px; border: 1px solid #CFD8DC; border-radius: 4px;
    background: #FFFFFF; color: {INK}; }}
QPushButton#clearEstop {{ font-size: 14px; font-weight: bold; padding: 6px 14px; border-radius: 6px;
    background: {CLEAR_BG}; color: #FFFFFF; border: none; }}
QPushButton#clearEstop:disabled {{ background: #E0E0E0; color: #9E9E9E; }}
QLineEdit#operatorName {{ background: {OPERATOR_FIELD_BG}; }}
QLineEdit:disabled {{ background: #F5F5F5; color: #9E9E9E; }}
QCheckBox, QLabel#footer {{ font-size: 13px; color: {MUTED}; }}
"""
