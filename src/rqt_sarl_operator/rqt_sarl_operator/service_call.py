"""One asynchronous service call with a deadline, answered in the Qt GUI thread.

Why: the panel must never block the GUI thread on a service (rqt freezes, an e-stop key
goes unheard), and rclpy completes futures on whatever thread spins the node. So a call is
``call_async``; its done callback only emits a queued Qt signal; the deadline is a Qt
timer in the GUI thread; and exactly one answer reaches ``on_done`` — the response, or
``None`` with the reason (transport error, no reply in time).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .qt import QtCore, Signal
from .slot_guard import guarded

Answer = Callable[[Any, str], None]
"""``on_done(response, error)``: ``response`` is None exactly when ``error`` says why."""


class ServiceCalls(QtCore.QObject):
    """Calls on one rclpy client; create and use in the GUI thread."""

    _answered = Signal(int, object, str)  # token, response or None, error text

    def __init__(self, client: Any, peer: str, timeout_s: float, report_error: Callable[[str, str, str], None],
                 parent: QtCore.QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._client = client
        self._peer = peer
        self._timeout_ms = int(timeout_s * 1000)
        self._tokens = itertools.count(1)
        self._pending: dict[int, tuple[Any, QtCore.QTimer, Answer]] = {}
        self._closed = False
        self.report_slot_error = report_error
        self._answered.connect(self._finish)

    @property
    def timeout_s(self) -> float:
        return self._timeout_ms / 1000

    def call(self, request: Any, on_done: Answer) -> None:
        """Send ``request``; ``on_done`` runs once, later, in the GUI thread."""
        future = self._client.call_async(request)
        token = next(self._tokens)
        timer = QtCore.QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda t=token: self._expire(t))
        self._pending[token] = (future, timer, on_done)  # before the callback: it may run at once
        timer.start(self._timeout_ms)
        future.add_done_callback(lambda f, t=token: self._done_callback(t, f))

    def _done_callback(self, token: int, future: Any) -> None:
        """Spinner thread: take the result and hand it over; never raise into the executor."""
        try:
            response, error = future.result(), ""
        except Exception as exc:
            response, error = None, f"{type(exc).__name__}: {exc}"
        if not self._closed:
            self._answered.emit(token, response, error)

    @guarded
    def _finish(self, token: int, response: Any, error: str) -> None:
        entry = self._pending.pop(token, None)
        if entry is None:  # already expired
            return
        _, timer, on_done = entry
        timer.stop()
        on_done(response, error if response is None else "")

    @guarded
    def _expire(self, token: int) -> None:
        entry = self._pending.pop(token, None)
        if entry is None:
            return
        future, _, on_done = entry
        self._client.remove_pending_request(future)
        future.cancel()
        on_done(None, f"no reply from the {self._peer} within {self.timeout_s:g} s")

    def close(self) -> None:
        """Forget every call in flight (no ``on_done`` runs after this)."""
        self._closed = True
        for future, timer, _ in self._pending.values():
            timer.stop()
            self._client.remove_pending_request(future)
        self._pending.clear()
