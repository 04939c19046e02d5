"""Per-request context: the request id every log line and audit event carries."""

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
