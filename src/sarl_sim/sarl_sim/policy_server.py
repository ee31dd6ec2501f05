"""openpi-protocol websocket policy server for the stand-in VLA (or any policy).

Speaks the protocol of openpi's ``serving/websocket_policy_server.py``, so the
real ``openpi_client.websocket_client_policy.WebsocketClientPolicy`` (and so
the VLA bridge) cannot tell it from a pi0.5 server on a GPU box:

* on connect the server first sends a msgpack metadata dict;
* then, per request, it receives a msgpack-numpy observation dict, calls
  ``policy.infer(obs)`` and replies with the result dict plus
  ``server_timing = {"infer_ms": ..., "prev_total_ms": ...}``;
* if inference raises, it sends the traceback as a *text* frame (the client
  raises it as ``RuntimeError``) and closes with code 1011 (internal error);
* ``GET /healthz`` answers ``200 OK`` for liveness probes.

Like openpi's server, inference runs on the event loop, one request at a time.
The server runs in a background thread (tests, in-process use) via
:meth:`PolicyServer.start` / :meth:`PolicyServer.stop`, or as a process::

    python -m sarl_sim.policy_server --host 127.0.0.1 --port 8000
"""

from __future__ import annotations

import argparse
import asyncio
import http
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import websockets
import websockets.asyncio.server as ws_server
from openpi_client import msgpack_numpy
from openpi_client.base_policy import BasePolicy
from websockets.frames import CloseCode

logger = logging.getLogger(__name__)
PARENT_AT_START = os.getppid()
"""Who started this server (``ros2 launch``, the local launcher); if it dies the server stops (see main)."""

HEALTH_PATH = "/healthz"


class _CallablePolicy(BasePolicy):
    """Adapts a plain ``obs -> dict`` callable to the BasePolicy interface."""

    def __init__(self, fn: Callable[[dict], dict]) -> None:
        self._fn = fn

    def infer(self, obs: dict) -> dict:
        return self._fn(obs)


def _health_check(connection: ws_server.ServerConnection, request: ws_server.Request):
    if request.path == HEALTH_PATH:
        return connection.respond(http.HTTPStatus.OK, "OK\n")
    return None


class PolicyServer:
    """Serves ``policy.infer`` over the openpi websocket protocol."""

    def __init__(
        self,
        policy: BasePolicy | Callable[[dict], dict],
        host: str = "127.0.0.1",
        port: int = 8000,
        metadata: dict | None = None,
    ) -> None:
        if hasattr(policy, "infer"):
            self._policy = policy
        elif callable(policy):
            self._policy = _CallablePolicy(policy)
        else:
            raise TypeError(f"policy must have infer(obs) or be callable, got {type(policy).__name__}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be in 0..65535 (0 = any free port), got {port}")
        self._host = host
        self._port = port
        if metadata is None:
            metadata = dict(getattr(policy, "metadata", {}) or {})
        self._metadata = metadata
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._startup_error: BaseException | None = None
        self._bound_port: int | None = None

    @property
    def port(self) -> int:
        """The port actually bound (differs from the requested one if that was 0)."""
        if self._bound_port is None:
            raise RuntimeError("server is not running")
        return self._bound_port

    @property
    def url(self) -> str:
        return f"ws://{self._host}:{self.port}"

    # ------------------------------------------------------------ run / stop
    async def run(self, on_ready: Callable[[int], None] | None = None) -> None:
        """Serve until :meth:`stop` is called; ``on_ready(port)`` runs once connections are accepted."""
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        async with ws_server.serve(
            self._handler,
            self._host,
            self._port,
            compression=None,
            max_size=None,
            process_request=_health_check,
        ) as server:
            self._bound_port = next(iter(server.sockets)).getsockname()[1]
            logger.info("policy server listening on %s", self.url)
            self._ready.set()
            if on_ready is not None:
                on_ready(self._bound_port)
            await self._stop_event.wait()
        self._bound_port = None

    def serve_forever(self) -> None:
        """Blocking: serve in this thread until :meth:`stop` (from another thread or a signal)."""
        asyncio.run(self.run())

    def start(self, timeout: float = 10.0) -> int:
        """Serve from a daemon thread; returns the bound port once it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._ready.clear()
        self._thread = threading.Thread(target=self._thread_main, name="policy-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"policy server did not start within {timeout} s")
        if self._startup_error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise RuntimeError(f"policy server failed to start: {self._startup_error}") from self._startup_error
        return self.port

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (closing open connections) and join the server thread if any."""
        loop, event = self._loop, self._stop_event
        if loop is not None and event is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # loop already finished
                pass
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"policy server thread did not stop within {timeout} s")
            self._thread = None

    def _thread_main(self) -> None:
        try:
            asyncio.run(self.run())
        except BaseException as error:  # reported to start()
            self._startup_error = error
            self._ready.set()

    # ------------------------------------------------------------- protocol
    async def _handler(self, websocket: ws_server.ServerConnection) -> None:
        logger.info("connection from %s opened", websocket.remote_address)
        packer = msgpack_numpy.Packer()
        await websocket.send(packer.pack(self._metadata))
        prev_total_ms: float | None = None
        while True:
            try:
                start = time.monotonic()
                obs = msgpack_numpy.unpackb(await websocket.recv())
                infer_start = time.monotonic()
                result = self._policy.infer(obs)
                infer_ms = (time.monotonic() - infer_start) * 1000.0
                if not isinstance(result, dict):
                    raise TypeError(f"policy.infer must return a dict, got {type(result).__name__}")
                result = dict(result)
                result["server_timing"] = {"infer_ms": infer_ms}
                if prev_total_ms is not None:
                    result["server_timing"]["prev_total_ms"] = prev_total_ms
                await websocket.send(packer.pack(result))
                prev_total_ms = (time.monotonic() - start) * 1000.0
            except websockets.ConnectionClosed:
                logger.info("connection from %s closed", websocket.remote_address)
                return
            except Exception:
                logger.exception("inference failed; sending the traceback to the client")
                await websocket.send(traceback.format_exc())
                await websocket.close(
                    code=CloseCode.INTERNAL_ERROR,
                    reason="Internal server error. Traceback included in previous frame.",
                )
                return


async def stop_when_orphaned(server: PolicyServer, period: float = 0.1) -> None:
    """Stop ``server`` once the process that started it is gone: SIGTERM or SIGKILL to ``ros2 launch`` ends
    launch alone (ros2/launch#666), and a leftover server would keep its port taken (same check as the nodes',
    sarl_node_runtime.parent_watch, which this ROS-free package cannot import)."""
    while os.getppid() == PARENT_AT_START:
        await asyncio.sleep(period)
    logger.warning("the process that started this server (pid %d) is gone: stopping", PARENT_AT_START)
    server.stop()


NO_MODEL_ENV = "SARL_SIM_POLICY_NO_MODEL"
"""=1: as ``--no-model``. Why an environment variable: the test suite starts some thirty simulated graphs
through launchers that do not pass server flags, and each sentence-model load costs about 9 s of CPU on a
two-core machine; the suite's graphs only send cached prompts, and an uncached one is refused by name."""


def main(argv: list[str] | None = None) -> None:
    """Serve the stand-in VLA until SIGINT/SIGTERM or until its launcher is gone."""
    parser = argparse.ArgumentParser(description="openpi-protocol policy server for the sarl stand-in VLA")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (0.0.0.0 for all interfaces)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (0 = any free port)")
    parser.add_argument("--weights", type=Path, default=None, help="policy weights .npz (default: shipped)")
    parser.add_argument("--embeddings", type=Path, default=None, help="prompt embedding cache .npz (default: shipped)")
    parser.add_argument("--no-model", action="store_true", default=os.environ.get(NO_MODEL_ENV) == "1",
                        help="serve cached prompts only (do not load the sentence model for uncached ones); "
                             f"default from {NO_MODEL_ENV}=1, which the test suite sets")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from sarl_sim.embedding import DEFAULT_CACHE_PATH, PromptEmbedder
    from sarl_sim.policy_net import DEFAULT_WEIGHTS_PATH, NumpyPolicyNet
    from sarl_sim.standin_vla import StandinVLA

    embedder = PromptEmbedder(args.embeddings or DEFAULT_CACHE_PATH, allow_model=not args.no_model)
    embedder.load_model_in_background()  # at start, never on a client's first uncached prompt
    policy = StandinVLA(NumpyPolicyNet.load(args.weights or DEFAULT_WEIGHTS_PATH), embedder)
    server = PolicyServer(policy, host=args.host, port=args.port)

    # Plain handlers, not the loop's: those are removed when asyncio.run ends, and a second SIGINT then
    # (a terminal's Ctrl-C reaches every process, and ros2 launch sends its own) would raise KeyboardInterrupt.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: server.stop())

    async def serve() -> None:
        watch = asyncio.create_task(stop_when_orphaned(server))
        await server.run(on_ready=lambda port: print(f"listening on ws://{args.host}:{port}", flush=True))
        watch.cancel()

    asyncio.run(serve())
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # stopped: Python's exit would reset its handlers and a late SIGINT kill us
    logger.info("policy server stopped")
    if "torch" in sys.modules:
        # Everything is closed; torch's native teardown alone then took 1-10 s on a loaded 2-core machine, past
        # a launcher's grace period (the graph then reports the server as killed). Leave without it.
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
