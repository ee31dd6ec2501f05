"""A local stand-in for the Gemini REST API (generativelanguage), answering as Google's service does.

Why: the real ``google-genai`` client runs offline in tests, so what is tested
is the request the SDK actually sends and the SDK's parsing of Google's real
answer shapes. Serves, under ``/v1`` and ``/v1beta`` (the SDK's versions):

* ``POST /{v}/models/{model}:generateContent`` — a success carries
  ``candidates[].content.parts`` (the text part with a ``thoughtSignature``,
  as Gemini 3.x sends it), ``finishReason``, ``index``, ``usageMetadata``,
  ``modelVersion`` and ``responseId``; a model not in :attr:`FakeGemini.models`
  gets Google's 404 NOT_FOUND;
* ``GET /{v}/models`` (``pageSize``/``pageToken`` paging, ``nextPageToken``)
  and ``GET /{v}/models/{model}``;
* the key (header ``x-goog-api-key``, or ``?key=``) is checked against
  :attr:`FakeGemini.keys`: none gets 403 PERMISSION_DENIED, a wrong one 400
  INVALID_ARGUMENT with ``google.rpc.ErrorInfo`` reason ``API_KEY_INVALID``.

What to answer is :attr:`FakeGemini.mode` (or the next of :attr:`FakeGemini.replies`):
``valid``, ``garbage`` (not JSON), ``hang`` (no answer until released),
``slow`` (a valid generateContent after :attr:`FakeGemini.delay` s), ``blocked`` (promptFeedback
blockReason SAFETY), ``finish:<REASON>`` (e.g. ``finish:RECITATION``), or an
error by Google's status name: ``API_KEY_INVALID``, ``PERMISSION_DENIED``,
``NOT_FOUND``, ``RESOURCE_EXHAUSTED`` (with ``RetryInfo`` :attr:`retry_delay`),
``UNAVAILABLE``, ``INTERNAL``. Every request is recorded with its arrival time.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

VERSIONS = ("v1", "v1beta")
GENERATION_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]


def model_entry(name: str, display: str) -> dict:
    """A ``models.list`` entry as Google lists a current Gemini model."""
    return {
        "name": f"models/{name}", "version": "001", "displayName": display,
        "description": f"{display}, a fast multimodal model", "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
        "supportedGenerationMethods": list(GENERATION_METHODS), "temperature": 1, "topP": 0.95, "topK": 64,
        "maxTemperature": 2, "thinking": True,
    }


DEFAULT_MODELS = {
    "gemini-3.8-flash": model_entry("gemini-3.8-flash", "Gemini 3.8 Flash"),
    "gemini-3.5-flash": model_entry("gemini-3.5-flash", "Gemini 3.5 Flash"),
    "gemini-3.5-flash-lite": model_entry("gemini-3.5-flash-lite", "Gemini 3.5 Flash-Lite"),
    "gemini-embedding-001": {**model_entry("gemini-embedding-001", "Gemini Embedding 001"),
                             "supportedGenerationMethods": ["embedContent", "countTextTokens"], "thinking": False},
}


def google_error(code: int, status: str, message: str, details: list | None = None) -> dict:
    error = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return {"error": error}


def _error_info(reason: str, metadata: dict) -> dict:
    return {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com", **metadata}}

HANG_SECONDS = 10.0
"""[s] How long ``hang`` mode holds a request (unless released): far past any timeout a test gives the client."""


class FakeGemini:
    """State shared with the handler threads: what to answer, and what was asked."""

    def __init__(self) -> None:
        self.mode = "valid"
        self.replies: deque[str] = deque()
        """Answers for the next requests, in order (then :attr:`mode`)."""
        self.prompts: object = ["Pick up the banana.", "put it in the pot", "reset to home"]
        self.keys: set[str] | None = None
        """Accepted API keys; None accepts any non-empty key."""
        self.models: dict[str, dict] = dict(DEFAULT_MODELS)
        self.retry_delay = "7s"
        self.delay = 0.0
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def generate_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith(":generateContent")]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._serve("GET", None)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    body = raw
                self._serve("POST", body)

            def _serve(self, method: str, body: object) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                record = {"method": method, "path": url.path, "query": query, "headers": dict(self.headers),
                          "body": body, "time": time.monotonic()}
                fake.requests.append(record)
                reply = fake.replies.popleft() if fake.replies else fake.mode
                if reply == "hang":
                    fake.release.wait(HANG_SECONDS)
                    return
                if reply == "slow" and url.path.endswith(":generateContent"):
                    time.sleep(fake.delay)
                status, payload = fake.answer(method, url.path, query, self.headers, reply)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def answer(self, method: str, path: str, query: dict, headers, reply: str) -> tuple[int, bytes]:
        status, body = self._route(method, path, query, headers, reply)
        return status, (body if isinstance(body, bytes) else json.dumps(body, indent=2).encode())

    def _route(self, method: str, path: str, query: dict, headers, reply: str) -> tuple[int, object]:
        segments = path.strip("/").split("/")
        if len(segments) < 2 or segments[0] not in VERSIONS or segments[1] != "models":
            return 404, b"<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title></html>"
        version = segments[0]
        key = headers.get("x-goog-api-key") or query.get("key")
        if not key:
            return 403, google_error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers "
                                     "without established identity). Please use API Key or other form of API "
                                     "consumer identity to call this API.")
        if reply == "API_KEY_INVALID" or (self.keys is not None and key not in self.keys):
            return 400, google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
                _error_info("API_KEY_INVALID", {}),
                {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
                 "message": "API key not valid. Please pass a valid API key."}])
        if reply in ("PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL"):
            return self._error(reply, segments)
        if method == "GET" and len(segments) == 2:
            return 200, self._list(query)
        name = "/".join(segments[2:])
        if method == "GET":
            found = self.models.get(name)
            return (200, found) if found else (404, self._missing(name, version, "get"))
        model, _, action = name.partition(":")
        if action != "generateContent":
            return 404, b"<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title></html>"
        if reply == "NOT_FOUND" or model not in self.models:
            return 404, self._missing(model, version, "generateContent")
        return self._generate(model, reply)

    def _error(self, reply: str, segments: list[str]) -> tuple[int, dict]:
        model = segments[2].partition(":")[0] if len(segments) > 2 else "gemini-3.8-flash"
        if reply == "PERMISSION_DENIED":
            method = "google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent"
            return 403, google_error(403, "PERMISSION_DENIED",
                                     f"Requests to this API generativelanguage.googleapis.com method {method} are "
                                     "blocked.", [_error_info("API_KEY_SERVICE_BLOCKED", {"methodName": method})])
        if reply == "RESOURCE_EXHAUSTED":
            return 429, google_error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your "
                                     "plan and billing details. For more information on this error, head to: "
                                     "https://ai.google.dev/gemini-api/docs/rate-limits.", [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    "quotaDimensions": {"location": "global", "model": model}, "quotaValue": "10"}]},
                {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": self.retry_delay}])
        if reply == "UNAVAILABLE":
            return 503, google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
        return 500, google_error(500, "INTERNAL", "An internal error has occurred. Please retry or report in "
                                 "https://developers.generativeai.google/guide/troubleshooting")

    @staticmethod
    def _missing(model: str, version: str, method: str) -> dict:
        return google_error(404, "NOT_FOUND", f"models/{model} is not found for API version {version}, or is not "
                            f"supported for {method}. Call ListModels to see the list of available models and their "
                            "supported methods.")

    def _list(self, query: dict) -> dict:
        size = max(1, min(int(query.get("pageSize", 50)), 1000))
        start = int(query.get("pageToken") or 0)
        names = sorted(self.models)
        page = {"models": [self.models[n] for n in names[start:start + size]]}
        if start + size < len(names):
            page["nextPageToken"] = str(start + size)
        return page

    def _generate(self, model: str, reply: str) -> tuple[int, object]:
        details = [{"modality": "TEXT", "tokenCount": 203}, {"modality": "IMAGE", "tokenCount": 1088}]
        usage = {"promptTokenCount": 1291, "totalTokenCount": 1291, "promptTokensDetails": details}
        common = {"usageMetadata": usage, "modelVersion": model, "responseId": uuid.uuid4().hex[:22]}
        if reply == "garbage":
            return 200, b"\x00<html>definitely not a generateContent response"
        if reply == "blocked":
            return 200, {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]}, **common}
        if reply.startswith("finish:"):
            return 200, {"candidates": [{"finishReason": reply.partition(":")[2], "index": 0}], **common}
        if reply not in ("valid", "slow"):
            raise AssertionError(f"unknown reply {reply!r}")
        text = json.dumps(self.prompts)
        signature = base64.b64encode(b"opaque thought signature " + uuid.uuid4().bytes).decode()
        usage.update(candidatesTokenCount=len(text) // 4, thoughtsTokenCount=96,
                     totalTokenCount=1291 + len(text) // 4 + 96)
        candidate = {"content": {"parts": [{"text": text, "thoughtSignature": signature}], "role": "model"},
                     "finishReason": "STOP", "index": 0}
        return 200, {"candidates": [candidate], **common}


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
