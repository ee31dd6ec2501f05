"""Deadline-bounded wrapper around openpi-client's ``WebsocketClientPolicy``.

Why a wrapper: the real client has no deadlines anywhere. Its constructor
connects (upstream versions retry *forever* while the port refuses) and then
blocks on the metadata frame; ``infer`` blocks on ``recv()`` with no timeout.
A robot bridge must never hang on a dead or slow server, so this class

* asks ``GET /healthz`` first (the openpi server answers it; any HTTP answer
  counts, so servers without the route still connect) and builds the real
  client only when something answers, in a worker thread, within
  ``connect_timeout``;
* runs every ``infer`` in the caller's thread, watched by one long-lived
  :class:`_Deadline` thread that aborts the connection through websockets'
  own ``close_socket()`` when ``inference_timeout`` passes, so the blocked
  ``recv`` (or ``send``) returns at once and the library's threads end with
  the connection (nothing leaks). No hand-off to a worker thread on the
  critical path: a query costs what the bare client costs;
* turns every failure into a :class:`PolicyError` with a ``kind`` and the
  reason (remote tracebacks kept), drops the connection, and reconnects on the
  next :meth:`PolicyClient.ensure_connected`.

No ROS here: the node and the benchmark share it.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from openpi_client.websocket_client_policy import WebsocketClientPolicy

ClientFactory = Callable[[str, int | None, str | None], Any]
"""Builds a connected policy client from (host, port, api_key); the real one is ``WebsocketClientPolicy``."""


class PolicyError(RuntimeError):
    """The policy server could not give an action chunk; ``kind`` says why in one word."""

    KINDS = ("unreachable", "connect_timeout", "timeout", "connection_lost", "remote_error", "bad_response")

    def __init__(self, kind: str, message: str) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"PolicyError kind must be one of {self.KINDS}, got {kind!r}")
        super().__init__(f"{kind}: {message}")
        self.kind = kind


@dataclass(frozen=True)
class PolicyEndpoint:
    """Where the openpi server is and how long to wait for it."""

    host: str
    """Host name or address, or a full ``ws://`` / ``wss://`` URI (as openpi-client accepts)."""
    port: int | None
    """TCP port; ``None`` when ``host`` is a URI that already names it."""
    connect_timeout: float
    """[s] health check + websocket handshake + metadata frame, all together."""
    inference_timeout: float
    """[s] one ``infer`` round trip (send observation, receive the action chunk)."""
    api_key: str | None = field(default=None, repr=False)
    """Sent as ``Authorization: Api-Key ...``; never printed (excluded from repr)."""

    @property
    def uri(self) -> str:
        """The websocket URI the real client builds from host and port."""
        base = self.host if self.host.startswith("ws") else f"ws://{self.host}"
        return f"{base}:{self.port}" if self.port is not None else base


class PolicyClient:
    """One connection to an openpi policy server, (re)built on demand, every call bounded in time."""

    def __init__(self, endpoint: PolicyEndpoint, client_factory: ClientFactory | None = None) -> None:
        self._endpoint = endpoint
        self._factory: ClientFactory = client_factory or (lambda h, p, k: WebsocketClientPolicy(h, p, k))
        self._lock = threading.Lock()
        self._client: Any = None
        self._metadata: dict = {}
        self._pending_connect: threading.Thread | None = None
        self._deadline = _Deadline()

    @property
    def endpoint(self) -> PolicyEndpoint:
        return self._endpoint

    @property
    def metadata(self) -> dict:
        """What the server announced on connect (empty before the first connection)."""
        return dict(self._metadata)

    @property
    def is_connected(self) -> bool:
        with self._lock:
            return self._client is not None and _connection_open(self._client)

    def ensure_connected(self) -> None:
        """Connect unless an open connection exists; raise :class:`PolicyError` within ``connect_timeout``."""
        with self._lock:
            if self._client is not None:
                if _connection_open(self._client):
                    return
                _shutdown(self._client)
                self._client = None
            if self._pending_connect is not None and self._pending_connect.is_alive():
                raise PolicyError(
                    "connect_timeout", f"an earlier connection attempt to {self._endpoint.uri} is still pending"
                )
            deadline = time.monotonic() + self._endpoint.connect_timeout
            self._check_health(deadline)
            self._client = self._connect_before(deadline)
            try:
                self._metadata = dict(self._client.get_server_metadata() or {})
            except (AttributeError, TypeError, ValueError):
                self._metadata = {}

    def infer(self, observation: Mapping[str, Any]) -> dict:
        """One round trip; the response dict (validated to hold ``actions``) or :class:`PolicyError`."""
        with self._lock:
            client = self._client
            if client is None:
                raise PolicyError("connection_lost", "not connected (call ensure_connected first)")
            self._deadline.arm(client, self._endpoint.inference_timeout)
            try:
                response = client.infer(dict(observation))
            except Exception as exc:
                fired = self._deadline.disarm()
                self._drop_locked()
                if fired:
                    raise PolicyError(
                        "timeout", f"no action chunk within inference_timeout={self._endpoint.inference_timeout} s"
                    ) from None
                raise _as_policy_error(exc) from exc
            if self._deadline.disarm():  # the answer and the abort crossed: the connection is gone
                self._drop_locked()
        if not isinstance(response, Mapping) or "actions" not in response:
            keys = sorted(response) if isinstance(response, Mapping) else type(response).__name__
            raise PolicyError("bad_response", f"response has no 'actions' (got {keys})")
        return dict(response)

    def close(self) -> None:
        """Close the connection (graceful, bounded) and the deadline thread."""
        with self._lock:
            client, self._client = self._client, None
            if client is not None:
                _close(client)
            self._deadline.stop()

    def _drop_locked(self) -> None:
        """Forget a connection that failed, aborting it (its library threads end with it)."""
        if self._client is not None:
            _shutdown(self._client)
            self._client = None

    def _check_health(self, deadline: float) -> None:
        """``GET /healthz`` so the real client (which may retry forever) is only built when a server answers."""
        parts = urlsplit(self._endpoint.uri)
        timeout = max(0.05, deadline - time.monotonic())
        conn_type = http.client.HTTPSConnection if parts.scheme == "wss" else http.client.HTTPConnection
        conn = conn_type(parts.hostname or "", parts.port, timeout=timeout)
        try:
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        except TimeoutError:
            raise PolicyError(
                "unreachable", f"{self._endpoint.uri} did not answer /healthz within {timeout:.2f} s"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise PolicyError("unreachable", f"{self._endpoint.uri}: {type(exc).__name__}: {exc}") from None
        finally:
            conn.close()

    def _connect_before(self, deadline: float) -> Any:
        """Build the real client in a worker thread; give up (and let it clean up after itself) at ``deadline``."""
        outcome: dict[str, Any] = {}
        handoff = threading.Lock()
        done = threading.Event()
        endpoint = self._endpoint

        def connect() -> None:
            try:
                client = self._factory(endpoint.host, endpoint.port, endpoint.api_key)
            except BaseException as exc:
                client, outcome["error"] = None, exc
            with handoff:
                late = outcome.get("abandoned", False)
                if client is not None and not late:
                    outcome["client"] = client
                done.set()
            if client is not None and late:
                _close(client)

        worker = threading.Thread(target=connect, name="openpi-connect", daemon=True)
        self._pending_connect = worker
        worker.start()
        done.wait(max(0.0, deadline - time.monotonic()))
        with handoff:
            if not done.is_set():
                outcome["abandoned"] = True
                raise PolicyError(
                    "connect_timeout",
                    f"no websocket handshake and metadata from {endpoint.uri} within "
                    f"connect_timeout={endpoint.connect_timeout} s",
                )
        if "error" in outcome:
            exc = outcome["error"]
            raise PolicyError("unreachable", f"{endpoint.uri}: {type(exc).__name__}: {exc}") from exc
        return outcome["client"]


class _Deadline:
    """One daemon thread that aborts a connection whose ``infer`` overran its deadline.

    ``arm`` before the call and ``disarm`` after it; the caller's thread does the
    round trip itself. When the deadline passes first, the thread aborts the
    connection (``_shutdown``), which makes the blocked ``recv``/``send`` raise,
    and ``disarm`` reports that it fired. Daemon: it never delays interpreter exit.

    Why it re-checks every ``IDLE_S`` instead of being notified on every ``arm``:
    a thread woken right as the query is packed and sent competes for the GIL
    and, on a loaded machine, can stall the caller for a scheduler slice; it is
    only notified when the new deadline comes before its next planned look.
    """

    IDLE_S = 0.25

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._armed: tuple[float, Any] | None = None
        self._fired = False
        self._stopped = False
        self._next_look = 0.0
        self._thread = threading.Thread(target=self._watch, name="openpi-deadline", daemon=True)
        self._thread.start()

    def arm(self, client: Any, seconds: float) -> None:
        with self._condition:
            deadline = time.monotonic() + seconds
            self._armed, self._fired = (deadline, client), False
            if deadline < self._next_look:
                self._condition.notify()

    def disarm(self) -> bool:
        """True if the deadline fired (the connection was aborted)."""
        with self._condition:
            self._armed = None
            return self._fired

    def stop(self) -> None:
        with self._condition:
            self._stopped, self._armed = True, None
            self._condition.notify()

    def _watch(self) -> None:
        with self._condition:
            while not self._stopped:
                now = time.monotonic()
                if self._armed is not None and self._armed[0] <= now:
                    client, self._armed, self._fired = self._armed[1], None, True
                    _shutdown(client)
                    continue
                self._next_look = min(now + self.IDLE_S, self._armed[0] if self._armed else float("inf"))
                self._condition.wait(self._next_look - now)


def _as_policy_error(exc: BaseException) -> PolicyError:
    """Classify what the real client raised (it raises RuntimeError with the server's traceback text)."""
    import websockets.exceptions

    if isinstance(exc, websockets.exceptions.ConnectionClosed):
        return PolicyError("connection_lost", f"server closed the connection ({exc})")
    if isinstance(exc, OSError):
        return PolicyError("connection_lost", f"{type(exc).__name__}: {exc}")
    if isinstance(exc, RuntimeError) and "Error in inference server" in str(exc):
        return PolicyError("remote_error", str(exc))
    return PolicyError("bad_response", f"{type(exc).__name__}: {exc}")


def _connection(client: Any) -> Any:
    """The client's websocket. openpi-client 0.1.2 exposes neither a close() nor its state, only ``_ws``."""
    return getattr(client, "_ws", None)


def _connection_open(client: Any) -> bool:
    from websockets.protocol import State

    ws = _connection(client)
    return ws is None or getattr(ws, "state", State.OPEN) is State.OPEN


def _shutdown(client: Any) -> None:
    """Abort without a closing handshake, through the library: a blocked ``recv`` returns at once.

    ``close_socket()`` is websockets' own abort (sync connection, 13+): it wakes its reader thread,
    closes the socket, marks the protocol CLOSED and fails a pending ``recv``. Closing the raw
    socket behind its back instead (the old way) leaves, with websockets 17, the reader thread in
    ``select`` on a dead descriptor, the keepalive thread on an OPEN protocol and the infer worker in
    ``recv`` — three threads blocked for ever, and an interpreter that hangs at exit joining the worker.
    """
    ws = _connection(client)
    if ws is None:
        return
    abort = getattr(ws, "close_socket", None)
    if callable(abort):
        abort()
        return
    try:  # a connection object without the library's abort (test doubles): best effort
        ws.socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _close(client: Any) -> None:
    """Polite close with a short bound; falls back to an abort."""
    ws = _connection(client)
    if ws is None:
        return
    try:
        ws.close_timeout = 1.0
        ws.close()
    except Exception:
        _shutdown(client)
