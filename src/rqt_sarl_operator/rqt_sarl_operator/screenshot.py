"""Render the operator panel offscreen to a PNG, for the README and for reviewing the look.

Usage: ``python -m rqt_sarl_operator.screenshot docs/images/operator_widget.png``
(optionally ``--width`` / ``--height``). No ROS and no display needed: the widget is fed a
realistic status of a run waiting for the operator's label, the driver's e-stop cleared.
The README's picture is the real rqt instead (``test_real_rqt.py`` with ``SARL_RQT_SCREENSHOT``).
"""

from __future__ import annotations

import argparse
import os
import sys

from .operator_model import EpisodeStatus, Outcome, Phase

DEMO_CANDIDATES = (  # (prompt-cache id, prompt, Q, probability)
    (3, "put the banana in the pot", 0.71, 0.46),
    (7, "pick up the sushi", 0.58, 0.21),
    (5, "put the sushi in the bowl", 0.49, 0.13),
    (2, "pick up the banana", 0.37, 0.09),
    (0, "reset to home", 0.22, 0.07),
    (11, "push the pot to the right", 0.05, 0.04),
)


def demo_status() -> EpisodeStatus:
    """Episode 37 of a run, over and awaiting the operator's label (24 of 36 labelled a success)."""
    return EpisodeStatus(
        phase=Phase.AWAITING_LABEL,
        run_id="demo",
        task="move the banana to the pot on the right and the sushi to the bowl",
        episode=37,
        step=4,
        max_steps=8,
        current_prompt="put the banana in the pot",
        candidate_ids=tuple(c[0] for c in DEMO_CANDIDATES),
        candidate_prompts=tuple(c[1] for c in DEMO_CANDIDATES),
        q_values=tuple(c[2] for c in DEMO_CANDIDATES),
        probabilities=tuple(c[3] for c in DEMO_CANDIDATES),
        last_outcome=Outcome.SUCCESS,
        episodes_done=36,
        successes=24,
        message="episode 37 ended after 4 of 8 steps: label it",
    )


def render(path: str, width: int = 1100, height: int = 740) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .qt import QtWidgets
    from .widget import OperatorWidget

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    widget = OperatorWidget()
    widget.operator_edit.setText("alice")
    widget.show_status(demo_status())
    widget.show_driver_estop(False)  # as if the driver reported the e-stop cleared
    widget.resize(width, height)
    widget.show()
    app.processEvents()
    if not widget.grab().save(path):
        raise OSError(f"could not write the screenshot to {path}")
    widget.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="PNG file to write")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=740)
    args = parser.parse_args(argv)
    render(args.output, args.width, args.height)
    return 0


if __name__ == "__main__":
    sys.exit(main())
