"""ASGI middleware: request ids, the request log and metrics, and the body size limit."""

import logging
import re
import time
import uuid

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bankdesk.api.context import request_id
from bankdesk.api.metrics import Metrics

log = logging.getLogger("bankdesk.http")
_REQUEST_ID = b"x-request-id"
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestContext:
    """Give every request an id (or keep the caller's), log it once and count it."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The id is always ours: a caller's value could carry personal data or be forged, and
        # the id is written into the append-only audit chain. A caller's own id that looks
        # like one is logged beside it for correlation.
        rid = uuid.uuid4().hex
        incoming = dict(scope["headers"]).get(_REQUEST_ID, b"").decode("latin-1")
        client_id = incoming if _CLIENT_ID.fullmatch(incoming) else None
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((_REQUEST_ID, rid.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client_request_id": client_id,
                },
            )
            request_id.reset(token)


def _route(scope: Scope) -> str:
    """The route template ("/lending/applications/{application_id}"), never ids or values."""
    route = scope.get("route")
    return getattr(route, "path", "unmatched")


class BodyLimit:
    """Refuse request bodies over a size with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await _too_large(send, self.max_bytes)


class BodyTooLarge(HTTPException):
    """A streamed request body went over the limit (an HTTPException, so FastAPI's body
    reader passes it through as 413 instead of turning it into 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body is larger than {max_bytes} bytes")


async def _too_large(send: Send, max_bytes: int) -> None:
    body = f'{{"detail": "request body is larger than {max_bytes} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
