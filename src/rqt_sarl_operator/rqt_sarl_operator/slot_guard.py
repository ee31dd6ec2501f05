"""Qt slots that never let an exception escape.

Why: under PyQt5 (the binding rqt uses) an exception escaping a Qt slot aborts the whole
process (SIGABRT) and takes every other rqt plugin with it; under PySide6 it is only
printed, so tests there cannot see the difference. Every method Qt calls (signal
handlers, timer slots, shortcut and button handlers) is wrapped with :func:`guarded`:
the exception is handed to the object's ``report_slot_error(where, text, trace)``, which shows it
in the panel and logs it, and the slot returns ``None``.

A guarded wrapper takes ``*args``, so the binding passes every argument of the signal (a
button's ``checked``): a slot connected to such a signal accepts and ignores them (``*_``).
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def guarded(method: F) -> F:
    """Wrap a slot method: an exception goes to ``self.report_slot_error`` instead of into Qt."""

    @functools.wraps(method)
    def slot(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            report(self, method.__qualname__, error)
            return None

    return slot  # type: ignore[return-value]


def report(owner: Any, where: str, error: BaseException) -> None:
    """Hand ``error`` to ``owner.report_slot_error``; if that fails too, print both to stderr (never raise)."""
    text = f"{type(error).__name__}: {error}"
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        owner.report_slot_error(where, text, trace)
    except Exception:
        print(f"[rqt_sarl_operator] error in {where}: {trace}", file=sys.stderr)
        traceback.print_exc()
