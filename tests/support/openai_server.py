"""A scripted, OpenAI-compatible HTTP server for tests (stdlib only, loopback only).

The real ``openai`` SDK talks to it over real HTTP::

    with OpenAIServer() as server:
        server.script(json_reply({"decision": "approve"}))
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        client.responses.create(model="gpt-test", input="hi").output_text

It implements ``POST /v1/responses`` (Responses API) and ``POST /v1/chat/completions``
(Chat Completions), non-streaming. Each request is answered by the next queued
:class:`Reply` (see :meth:`OpenAIServer.script`), else by the ``responder``, else with a
500 "no scripted reply". The SDK retries 408/409/429/5xx answers and each retry consumes
the next queued reply, so script one reply per attempt. Note that the SDK ignores
``retry-after: 0`` (only delays > 0 count) and falls back to its ~0.4-0.5 s backoff; send
``retry-after-ms: 1`` for an immediate retry.

Run as a script for manual or CLI acceptance tests::

    python tests/support/openai_server.py --port 8765 --reply-file replies.json

where ``replies.json`` holds a JSON list of :class:`Reply` field dicts (``"json": value``
is shorthand for ``"content": json.dumps(value)``) served in order, the last one repeated
forever. The base URL is printed on stdout; the server runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

HOST = "127.0.0.1"
RESPONSES_PATH = "/v1/responses"
CHAT_PATH = "/v1/chat/completions"

_ERROR_KINDS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Forbidden."),
    404: ("invalid_request_error", "not_found", "Not found."),
    408: ("server_error", "timeout", "Request timed out."),
    409: ("invalid_request_error", "conflict", "Conflict."),
    422: ("invalid_request_error", None, "Unprocessable entity."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", "service_unavailable", "The engine is currently overloaded."),
}


@dataclass
class Reply:
    """What the server answers to one request.

    On an error ``status`` (not 200), ``content`` (if set) becomes the error message.
    """

    content: str | None = None
    status: int = 200
    delay: float = 0.0
    refusal: str | None = None
    input_tokens: int = 120
    output_tokens: int = 40
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(payload: Any, **kwargs: Any) -> Reply:
    """A reply whose output text is ``payload`` serialised as JSON."""
    return Reply(content=json.dumps(payload), **kwargs)


def _text_of(content: Any) -> str:
    """The text of a message's content: a string, or a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


@dataclass(frozen=True)
class Received:
    """One request the server received (``body`` is ``{}`` when it was not a JSON object)."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def api(self) -> str:
        """``"responses"`` or ``"chat"`` (``"unknown"`` for any other path)."""
        if self.path == RESPONSES_PATH:
            return "responses"
        if self.path == CHAT_PATH:
            return "chat"
        return "unknown"

    def _messages(self) -> list[dict[str, Any]]:
        items: Any = self.body.get("messages" if self.api == "chat" else "input")
        if isinstance(items, str):
            return [{"role": "user", "content": items}]
        if not isinstance(items, list):
            return []
        return [item for item in items if isinstance(item, dict)]

    def _text_for(self, roles: tuple[str, ...]) -> list[str]:
        return [
            _text_of(message.get("content"))
            for message in self._messages()
            if message.get("role") in roles
        ]

    @property
    def user_text(self) -> str:
        """The text of all user messages, joined by newlines."""
        return "\n".join(self._text_for(("user",)))

    @property
    def system_text(self) -> str:
        """The Responses ``instructions`` and all system/developer messages, joined."""
        texts = self._text_for(("system", "developer"))
        instructions = self.body.get("instructions") if self.api == "responses" else None
        if isinstance(instructions, str):
            texts.insert(0, instructions)
        return "\n".join(texts)


Responder = Callable[[Received], Reply]


def _error_body(status: int, message: str | None = None) -> dict[str, Any]:
    kind, code, default = _ERROR_KINDS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None, "Error.")
    )
    return {"error": {"message": message or default, "type": kind, "param": None, "code": code}}


def _responses_body(request: Received, reply: Reply) -> dict[str, Any]:
    body = request.body
    now = int(time.time())
    if reply.refusal is not None:
        part: dict[str, Any] = {"type": "refusal", "refusal": reply.refusal}
    else:
        part = {"type": "output_text", "text": reply.content or "", "annotations": []}
    return {
        "id": f"resp_{uuid.uuid4().hex}",
        "object": "response",
        "created_at": now,
        "completed_at": now,
        "status": "completed",
        "model": body["model"],
        "output": [
            {
                "type": "message",
                "id": f"msg_{uuid.uuid4().hex}",
                "role": "assistant",
                "status": "completed",
                "content": [part],
            }
        ],
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "metadata": body.get("metadata") or {},
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "temperature": body.get("temperature", 1.0),
        "top_p": body.get("top_p", 1.0),
        "max_output_tokens": body.get("max_output_tokens"),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "store": body.get("store", True),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "truncation": body.get("truncation", "disabled"),
        "service_tier": "default",
        "user": body.get("user"),
        "usage": {
            "input_tokens": reply.input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": reply.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": reply.input_tokens + reply.output_tokens,
        },
    }


def _chat_body(request: Received, reply: Reply) -> dict[str, Any]:
    refused = reply.refusal is not None
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.body["model"],
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None if refused else (reply.content or ""),
                    "refusal": reply.refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.output_tokens,
            "total_tokens": reply.input_tokens + reply.output_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": None,
    }


def _invalid(request: Received, parsed: Any) -> str | None:
    """Why OpenAI would reject this request with a 400, or None when it is acceptable."""
    if not isinstance(parsed, dict):
        return "We could not parse the JSON body of your request."
    if "model" not in request.body:
        return "Missing required parameter: 'model'."
    required = "input" if request.api == "responses" else "messages"
    if required not in request.body:
        return f"Missing required parameter: '{required}'."
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: OpenAIServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away is no news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server
    timeout = 60  # close idle keep-alive connections eventually

    def setup(self) -> None:
        super().setup()
        self.server.owner._connections_add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._connections_discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, text: str, headers: dict[str, str]) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _handle(self) -> None:
        raw = self._read_body()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        path = self.path.split("?", 1)[0]
        request = Received(
            path=path,
            body=parsed if isinstance(parsed, dict) else {},
            headers={name.lower(): value for name, value in self.headers.items()},
        )
        owner = self.server.owner
        owner._record(request)
        if self.command != "POST" or request.api == "unknown":
            message = f"Invalid URL ({self.command} {path})"
            self._send(404, json.dumps(_error_body(404, message)), {})
            return
        problem = _invalid(request, parsed)
        if problem is not None:
            self._send(400, json.dumps(_error_body(400, problem)), {})
            return
        try:
            reply = owner._next_reply(request)
        except Exception as exc:  # a broken responder: answer like a server bug would
            traceback.print_exc()
            self._send(500, json.dumps(_error_body(500, f"responder raised {exc!r}")), {})
            return
        if reply.delay > 0 and owner._stopping.wait(reply.delay):
            self.close_connection = True
            return
        self._send(reply.status, self._render(request, reply), reply.headers)

    @staticmethod
    def _render(request: Received, reply: Reply) -> str:
        if reply.body is not None:
            return reply.body
        if reply.status != 200:
            return json.dumps(_error_body(reply.status, reply.content))
        if request.api == "responses":
            return json.dumps(_responses_body(request, reply))
        return json.dumps(_chat_body(request, reply))

    def do_POST(self) -> None:
        """Answer a POST."""
        self._handle()

    def do_GET(self) -> None:
        """Answer a GET (always a 404: nothing is retrievable)."""
        self._handle()


class OpenAIServer:
    """A scripted OpenAI-compatible server on 127.0.0.1 (context manager; port 0 = any free port).

    Replies queued with :meth:`script` are used first, in order; then ``responder``; with
    neither, the answer is 500 "no scripted reply". Requests with a body that is not JSON,
    or without ``model`` and ``input`` (Responses) / ``messages`` (Chat), get a 400 without
    consuming a reply; unknown paths get a 404. Every request is recorded in ``requests``.
    The SDK retries 408/409/429/5xx, and each retry consumes the next queued reply.
    """

    def __init__(self, *, responder: Responder | None = None, port: int = 0) -> None:
        self.responder = responder
        self.port = port
        self.requests: list[Received] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``; available once started."""
        if self._server is None:
            raise RuntimeError("OpenAIServer is not started")
        return f"http://{HOST}:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order before the responder is consulted."""
        with self._lock:
            self._queue.extend(replies)

    def start(self) -> OpenAIServer:
        """Bind 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((HOST, self.port), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and wake handlers that are delaying."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, request: Received) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_reply(self, request: Received) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply(status=500, content="no scripted reply")

    def _connections_add(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _connections_discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)


def _reply_from_dict(fields: dict[str, Any]) -> Reply:
    fields = dict(fields)
    if "json" in fields:
        fields["content"] = json.dumps(fields.pop("json"))
    return Reply(**fields)


def _replaying(replies: list[Reply]) -> Responder:
    """A responder serving ``replies`` in order, then the last one forever."""
    lock = threading.Lock()
    served = 0

    def respond(_request: Received) -> Reply:
        nonlocal served
        with lock:
            reply = replies[min(served, len(replies) - 1)]
            served += 1
        return reply

    return respond


def main(argv: list[str] | None = None) -> int:
    """Serve scripted replies from a file until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description="A scripted OpenAI-compatible test server.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--reply-file", type=Path, help="JSON list of Reply field dicts")
    args = parser.parse_args(argv)

    responder: Responder | None = None
    if args.reply_file is not None:
        items = json.loads(args.reply_file.read_text(encoding="utf-8"))
        if not isinstance(items, list) or not items:
            parser.error("--reply-file must hold a non-empty JSON list of reply objects")
        responder = _replaying([_reply_from_dict(item) for item in items])

    done = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with OpenAIServer(responder=responder, port=args.port) as server:
        print(server.base_url, flush=True)
        while not done.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
