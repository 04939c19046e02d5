"""The Lambda executor: functions invoked with boto3, off the event loop.

`RequestResponse` invocations; events over 6 MB are refused before sending; a FunctionError
is a failure; throttling (429) is retried with exponential backoff and jitter, since a
throttled invocation never ran. Nothing else is retried: an invocation that timed out may
have run, and running an agent twice must be the caller's decision, not the SDK's.
"""

import asyncio
import json
import logging
import random
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.config import Config

from bankdesk.runtime.executor import (
    Event,
    FunctionFailed,
    FunctionUnavailable,
    PayloadTooLarge,
    encoded,
)
from bankdesk.settings import Settings

log = logging.getLogger(__name__)
MAX_CONCURRENT_INVOCATIONS = 32
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class FunctionNames:
    """Seed names to deployed names: a stage prefix, and explicit names or ARNs beside it."""

    prefix: str = ""
    explicit: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, name: str) -> str:
        """The deployed name (or ARN) of the function the seeds call `name`."""
        return self.explicit.get(name) or f"{self.prefix}{name}"


class LambdaExecutor:
    """Invokes AWS Lambda functions (or `bankdesk lambda serve`) with boto3."""

    def __init__(
        self,
        client: Any,
        *,
        names: FunctionNames,
        max_attempts: int = 5,
    ) -> None:
        self._client = client
        self._names = names
        self._max_attempts = max_attempts
        self._pool = ThreadPoolExecutor(MAX_CONCURRENT_INVOCATIONS, thread_name_prefix="lambda")

    @classmethod
    def from_settings(cls, settings: Settings) -> "LambdaExecutor":
        """A client for the configured region and endpoint, with the configured names."""
        session = boto3.session.Session()
        unsigned = settings.lambda_endpoint_url is not None and session.get_credentials() is None
        config = Config(
            connect_timeout=5,
            read_timeout=settings.lambda_timeout_seconds,
            # Retries are ours (throttling only); the SDK must not re-run an invocation.
            retries={"total_max_attempts": 1},
            max_pool_connections=MAX_CONCURRENT_INVOCATIONS,
            # A local endpoint checks no signature; without credentials, send none.
            signature_version=UNSIGNED if unsigned else None,
        )
        client = session.client(
            "lambda",
            region_name=settings.lambda_region or "us-east-1",
            endpoint_url=settings.lambda_endpoint_url,
            config=config,
        )
        names = FunctionNames(settings.lambda_function_prefix, settings.lambda_functions)
        return cls(client, names=names, max_attempts=settings.lambda_max_attempts)

    async def invoke(self, name: str, event: Event) -> dict[str, Any]:
        """Invoke the function synchronously in a worker thread and decode its answer. A
        caller that stops waiting (a time limit) stops the retries too."""
        payload = encoded(name, event, what="the event")
        loop = asyncio.get_running_loop()
        given_up = threading.Event()
        try:
            return await loop.run_in_executor(self._pool, self._invoke, name, payload, given_up)
        except asyncio.CancelledError:
            given_up.set()
            raise

    async def close(self) -> None:
        """Drop the queued invocations and close the client's connections; one in flight
        ends at its read timeout."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _invoke(self, name: str, payload: bytes, given_up: threading.Event) -> dict[str, Any]:
        response = self._call(name, payload, given_up)
        body = response["Payload"].read()
        if response.get("FunctionError"):
            error = _error_of(body)
            raise FunctionFailed(name, error.get("errorType", "Unhandled"), _message(error))
        try:
            answer = json.loads(body)
        except ValueError:
            raise FunctionFailed(name, "MalformedResponse", "the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise FunctionFailed(name, "MalformedResponse", "the answer is not a JSON object")
        return answer

    def _call(self, name: str, payload: bytes, given_up: threading.Event) -> dict[str, Any]:
        function = self._names(name)
        for attempt in range(1, self._max_attempts + 1):
            if given_up.is_set():
                raise FunctionUnavailable(name, "the caller stopped waiting")
            try:
                return self._client.invoke(
                    FunctionName=function, InvocationType="RequestResponse", Payload=payload
                )
            except botocore.exceptions.ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "TooManyRequestsException" and attempt < self._max_attempts:
                    log.info("function throttled", extra={"function": name, "attempt": attempt})
                    given_up.wait(_backoff(attempt))
                    continue
                raise _translated(name, code, error) from None
            except botocore.exceptions.ReadTimeoutError:
                raise FunctionFailed(name, "Timeout", "no answer within the read timeout") from None
            except botocore.exceptions.BotoCoreError as error:
                raise FunctionUnavailable(name, f"{type(error).__name__}: {error}") from None
        raise AssertionError("unreachable: the last attempt returns or raises")


def _backoff(attempt: int) -> float:
    """Full jitter: a random wait up to an exponentially growing cap."""
    return random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))


def _translated(name: str, code: str, error: botocore.exceptions.ClientError) -> Exception:
    message = error.response.get("Error", {}).get("Message", str(error))
    if code == "RequestEntityTooLargeException":
        return PayloadTooLarge(name, message)
    if code == "TooManyRequestsException":
        return FunctionUnavailable(name, f"throttled on every attempt ({message})")
    return FunctionUnavailable(name, f"{code or 'error'}: {message}")


def _error_of(body: bytes) -> dict[str, Any]:
    try:
        error = json.loads(body)
    except ValueError:
        return {"errorMessage": body[:500].decode(errors="replace")}
    return error if isinstance(error, dict) else {"errorMessage": str(error)}


def _message(error: dict[str, Any]) -> str:
    return str(error.get("errorMessage", "the function failed"))[:1000]
