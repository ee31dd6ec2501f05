"""A local stand-in for the Gemini REST endpoint, so the real google-genai client runs offline in tests.

It answers ``POST .../models/{model}:generateContent`` in one of five modes
(``valid`` structured output, ``garbage``, HTTP ``500``, an HTTP ``error`` with
``error_status``, or a ``hang`` past the client's timeout) and records every
request for the test to inspect. Used by the proposer's and the doctor's tests.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_SECONDS = 10.0
"""[s] How long ``hang`` mode holds a request (unless released): far past any timeout a test gives the client."""


class FakeGemini:
    """State shared with the handler threads: what to answer, and what was asked."""

    def __init__(self) -> None:
        self.mode = "valid"
        self.error_status = 403
        """HTTP status of the ``error`` mode (e.g. a rejected key)."""
        self.prompts: list[str] = ["Pick up the banana.", "put it in the pot", "reset to home"]
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if fake.mode == "hang":
                    fake.release.wait(HANG_SECONDS)
                    return
                status, payload = fake.answer()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def answer(self) -> tuple[int, bytes]:
        if self.mode == "valid":
            text = json.dumps(self.prompts)
            response = {
                "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}]
            }
            return 200, json.dumps(response).encode()
        if self.mode == "garbage":
            return 200, b"\x00<html>definitely not a generateContent response"
        if self.mode == "500":
            error = {"error": {"code": 500, "message": "backend exploded", "status": "INTERNAL"}}
            return 500, json.dumps(error).encode()
        if self.mode == "error":
            error = {"error": {"code": self.error_status, "message": "API key not valid", "status": "DENIED"}}
            return self.error_status, json.dumps(error).encode()
        raise AssertionError(f"unknown mode {self.mode}")


@contextmanager
def running_fake_gemini() -> Iterator[FakeGemini]:
    """A FakeGemini serving on a loopback port until the block ends."""
    fake = FakeGemini()
    thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        fake.server.shutdown()
        fake.server.server_close()
