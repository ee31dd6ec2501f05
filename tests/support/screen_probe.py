"""Grab an X screen with Qt and say where given colours are: how tests find a widget in real rqt.

Run as a script by :mod:`support.rqt_host`, with the PyQt5 that rqt uses on ``PYTHONPATH``
and ``DISPLAY`` set, in its own process (one Qt per process: the test process may hold
PySide6). The operator panel paints its buttons in fixed, explicit colours
(``rqt_sarl_operator.style``), so an exact colour match finds each one without knowing the
layout. Prints one JSON object: for each ``NAME=#RRGGBB``, the pixel count, the centre of
the matching pixels' bounding box, the box, and ``bands`` (separate horizontal stripes that
contain the colour, e.g. one per table row with a probability bar).

    screen_probe.py [--save shot.png] [--crop X,Y,W,H] NAME=#RRGGBB ...
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from PyQt5 import QtGui, QtWidgets


def grab(crop: tuple[int, int, int, int] | None) -> QtGui.QImage:
    screen = QtWidgets.QApplication.primaryScreen()
    pixmap = screen.grabWindow(0) if crop is None else screen.grabWindow(0, *crop)
    return pixmap.toImage().convertToFormat(QtGui.QImage.Format_RGB32)


def as_rgb(image: QtGui.QImage) -> np.ndarray:
    bits = image.constBits()
    bits.setsize(image.height() * image.bytesPerLine())
    bgra = np.frombuffer(bits, np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return bgra[:, : image.width(), 2::-1]  # Format_RGB32 is B, G, R, A in memory


def locate(rgb: np.ndarray, colour: str) -> dict:
    wanted = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.uint8)
    mask = np.all(rgb == wanted, axis=2)
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return {"count": 0}
    rows = np.flatnonzero(mask.any(axis=1))
    bands = 1 + int(np.count_nonzero(np.diff(rows) > 1))
    box = [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]
    return {"count": len(xs), "x": (box[0] + box[2]) // 2, "y": (box[1] + box[3]) // 2, "box": box, "bands": bands}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", help="also write the grab to this PNG")
    parser.add_argument("--crop", help="X,Y,W,H of the screen to grab (default: all)")
    parser.add_argument("colours", nargs="*", help="NAME=#RRGGBB")
    args = parser.parse_args()
    app = QtWidgets.QApplication(sys.argv[:1])  # noqa: F841 - a screen grab needs the application
    crop = tuple(int(v) for v in args.crop.split(",")) if args.crop else None
    image = grab(crop)
    if args.save and not image.save(args.save):
        raise OSError(f"could not write {args.save}")
    rgb = as_rgb(image)
    found = {name: locate(rgb, colour) for name, colour in (c.split("=", 1) for c in args.colours)}
    print(json.dumps({"size": [image.width(), image.height()], **found}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
