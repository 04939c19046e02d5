"""Where functions run: one protocol, in this process or as AWS Lambda functions.

A function takes a JSON event and answers the seeds' `{"statusCode": ..., "body": "<json>"}`.
The orchestrators (the lending flow's policy step, the banking agents' fan-out) call
`invoke(executor, name, event)` and never know which executor runs it. Both executors hold
functions to Lambda's limits and report failures alike, so a test that passes with one
passes with the other.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bankdesk.bootstrap import Bankdesk

log = logging.getLogger(__name__)

LENDING_DECISION = "lending-decision-function"
ROUTER = "retail-banking-router"
# Lambda's limit for a synchronous invocation's request and its response, in bytes.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024

Event = dict[str, Any]
Function = Callable[["Bankdesk", Event], Awaitable[dict[str, Any]]]


class ExecutionError(Exception):
    """A function could not be run or did not answer; nothing it returned is usable."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(f"{function}: {message}")
        self.function = function


class PayloadTooLarge(ExecutionError):
    """An event or an answer is larger than Lambda carries (6 MB)."""


class FunctionFailed(ExecutionError):
    """The function raised (Lambda's FunctionError), timed out or was killed."""

    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(function, f"{error_type}: {message}")
        self.error_type = error_type


class FunctionUnavailable(ExecutionError):
    """The function does not exist, is throttled past the retries, or cannot be reached."""


class FunctionRefused(ExecutionError):
    """The function answered with a status other than 200 (the event was refused)."""

    def __init__(self, function: str, status: int, body: dict[str, Any]) -> None:
        super().__init__(function, f"status {status}: {body.get('error', body)}")
        self.status = status
        self.body = body


class Executor(Protocol):
    """Runs a function by name on a JSON event and returns its response payload."""

    async def invoke(self, name: str, event: Event) -> dict[str, Any]:
        """The function's response (`{"statusCode", "body"}`), or an ExecutionError."""
        ...

    async def close(self) -> None:
        """Release what the executor holds (threads, connections)."""
        ...


async def invoke(executor: Executor, name: str, event: Event) -> dict[str, Any]:
    """Run a function and return its decoded body; a non-200 status is FunctionRefused."""
    response = await executor.invoke(name, event)
    try:
        status = int(response["statusCode"])
        body = response["body"]
        decoded = json.loads(body) if isinstance(body, str | bytes) else body
    except (KeyError, TypeError, ValueError) as error:
        raise FunctionFailed(name, "MalformedResponse", f"not a seed response ({error})") from None
    if not isinstance(decoded, dict):
        raise FunctionFailed(name, "MalformedResponse", "the body is not a JSON object")
    if status != 200:
        raise FunctionRefused(name, status, decoded)
    return decoded


def encoded(name: str, payload: object, *, what: str) -> bytes:
    """A payload as Lambda carries it (JSON), refused when larger than Lambda allows."""
    data = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(
            name, f"{what} is {len(data):,} bytes; Lambda carries at most {MAX_PAYLOAD_BYTES:,}"
        )
    return data


class LocalExecutor:
    """Runs the functions in this process, concurrently on its event loop.

    Events and answers go through JSON and the payload limit exactly as they would through
    Lambda, so a function cannot come to depend on running in-process."""

    def __init__(self, functions: Mapping[str, Function]) -> None:
        self._functions = dict(functions)
        self._app: Bankdesk | None = None

    def attach(self, app: "Bankdesk") -> None:
        """Give the functions the application they run on (bootstrap builds it after this)."""
        self._app = app

    async def invoke(self, name: str, event: Event) -> dict[str, Any]:
        """Run the named function on a copy of the event decoded from JSON."""
        function = self._functions.get(name)
        if function is None:
            raise FunctionUnavailable(name, "no such function")
        if self._app is None:
            raise FunctionUnavailable(name, "the executor is not attached to an application")
        copy = json.loads(encoded(name, event, what="the event"))
        try:
            response = await function(self._app, copy)
        except Exception as error:  # Lambda reports an unhandled exception as FunctionError
            kind = type(error).__name__
            log.warning("function failed", extra={"function": name, "error": kind})
            # As the Lambda handlers do: the type, never the message (it can quote a customer).
            raise FunctionFailed(name, kind, f"{kind} in {name}") from error
        return json.loads(encoded(name, response, what="the response"))

    async def close(self) -> None:
        """Nothing to release."""
