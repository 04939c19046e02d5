"""`bankdesk lambda serve`: the Lambda Invoke API on loopback, running each function in
sandboxes of its own (see sandbox.py), so boto3 and the seeds' client code work unchanged
with `endpoint_url` pointed here.

Served, as AWS serves them:
- `POST /2015-03-31/functions/{name}/invocations`: RequestResponse, Event and DryRun; a
  failed function answers 200 with `X-Amz-Function-Error: Unhandled`; an unknown name 404
  ResourceNotFoundException; a payload over 6 MB 413 RequestEntityTooLargeException; a body
  that is not JSON 400 InvalidRequestContentException; past a function's concurrency 429
  TooManyRequestsException.
- `GET /2015-03-31/functions/`, `GET|PUT /2015-03-31/functions/{name}/configuration`
  (Environment and Timeout: a new configuration retires the warm sandboxes), and
  `PUT|DELETE /2017-10-31/functions/{name}/concurrency` (reserved concurrency; 0 throttles).
"""

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bankdesk.runtime.catalog import CATALOG, FunctionSpec
from bankdesk.runtime.executor import MAX_PAYLOAD_BYTES, ROUTER
from bankdesk.runtime.sandbox import Answer, Sandbox

log = logging.getLogger(__name__)
API = "/2015-03-31/functions"
DEFAULT_CONCURRENCY = 10  # sandboxes per function when no reserved concurrency is set
QUEUED_GRACE_SECONDS = 5.0


@dataclass(slots=True)
class FunctionPool:
    """A function's configuration and its sandboxes, warm (idle) and busy. A sandbox's
    environment is the endpoint's own (as a Lambda runtime's variables are AWS's) with the
    function's variables over it."""

    spec: FunctionSpec
    environment: dict[str, str]
    generation: int = 0
    idle: list[Sandbox] = field(default_factory=list)
    busy: set[Sandbox] = field(default_factory=set)

    @property
    def limit(self) -> int:
        """How many invocations may run at once."""
        reserved = self.spec.reserved_concurrency
        return DEFAULT_CONCURRENCY if reserved is None else reserved

    def acquire(self) -> Sandbox | None:
        """A warm sandbox, a new (cold) one, or None when the function is at its limit."""
        if len(self.busy) >= self.limit:
            return None
        while self.idle:
            sandbox = self.idle.pop()
            if sandbox.alive:
                self.busy.add(sandbox)
                return sandbox
        sandbox = Sandbox(self.spec, {**self.environment, **self.spec.environment}, self.generation)
        self.busy.add(sandbox)
        return sandbox

    async def release(self, sandbox: Sandbox) -> None:
        """Back to the warm pool, or stopped when it died or its configuration is old."""
        self.busy.discard(sandbox)
        if sandbox.alive and sandbox.generation == self.generation:
            self.idle.append(sandbox)
        else:
            await sandbox.stop()

    async def reconfigure(self, spec: FunctionSpec) -> None:
        """A new configuration: warm sandboxes stop, busy ones stop when they finish."""
        self.spec, self.generation = spec, self.generation + 1
        retired, self.idle = self.idle, []
        await asyncio.gather(*(sandbox.stop() for sandbox in retired))

    async def close(self) -> None:
        """Stop every sandbox."""
        await asyncio.gather(*(sandbox.stop() for sandbox in [*self.idle, *self.busy]))
        self.idle, self.busy = [], set()


class LocalLambda:
    """The functions of the catalog (or the given ones), invoked as Lambda invokes them."""

    def __init__(
        self, specs: Mapping[str, FunctionSpec] = CATALOG, *, environment: Mapping[str, str]
    ) -> None:
        self.pools = {name: FunctionPool(spec, dict(environment)) for name, spec in specs.items()}
        self._queued: set[asyncio.Task[Answer | None]] = set()

    def invoke_later(self, name: str, payload: bytes) -> None:
        """An `Event` invocation: run in the background; a failure is only logged."""
        task = asyncio.ensure_future(self.invoke(name, payload))
        self._queued.add(task)
        task.add_done_callback(partial(self._finished, name))

    def _finished(self, name: str, task: "asyncio.Task[Answer | None]") -> None:
        self._queued.discard(task)
        answer = None if task.cancelled() or task.exception() else task.result()
        if answer is None or answer.error_type is not None:
            kind = "throttled or cancelled" if answer is None else answer.error_type
            log.warning("queued invocation failed", extra={"function": name, "error": kind})

    async def invoke(self, name: str, payload: bytes) -> Answer | None:
        """The function's answer, or None when it is throttled."""
        pool = self.pools[name]
        sandbox = pool.acquire()
        if sandbox is None:
            return None
        try:
            if not sandbox.alive:
                await sandbox.start()
            answer = await sandbox.invoke(payload)
        finally:
            await pool.release(sandbox)
        if answer.error_type is None and len(answer.payload) > MAX_PAYLOAD_BYTES:
            return Answer.failure(
                "Function.ResponseSizeTooLarge",
                "Response payload size exceeded maximum allowed payload size "
                f"({MAX_PAYLOAD_BYTES} bytes).",
            )
        return answer

    async def close(self) -> None:
        """Let queued invocations finish (a few seconds at most), then stop every sandbox."""
        if self._queued:
            await asyncio.wait(set(self._queued), timeout=QUEUED_GRACE_SECONDS)
        await asyncio.gather(*(pool.close() for pool in self.pools.values()))


def as_deployed(specs: Mapping[str, FunctionSpec], url: str) -> dict[str, FunctionSpec]:
    """The functions wired as the SAM template wires them: the router fans out to the others
    through this endpoint; every other function does its work in its own process."""
    fan_out = {"BANKDESK_EXECUTOR": "lambda", "BANKDESK_LAMBDA_ENDPOINT_URL": url}
    return {
        name: replace(
            spec, environment=fan_out if name == ROUTER else {"BANKDESK_EXECUTOR": "local"}
        )
        for name, spec in specs.items()
    }


def create_endpoint(functions: LocalLambda) -> Starlette:
    """The Invoke API over the functions."""

    async def invocations(request: Request) -> Response:
        name = _function_name(request.path_params["name"])
        if name not in functions.pools:
            return _not_found(name)
        payload = await request.body()
        if len(payload) > MAX_PAYLOAD_BYTES:
            return _error(
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the InvokeFunction "
                "operation",
            )
        try:
            json.loads(payload or b"{}")
        except ValueError:
            return _error(
                400, "InvalidRequestContentException", "Could not parse request body into json"
            )
        kind = request.headers.get("x-amz-invocation-type", "RequestResponse")
        if kind == "DryRun":
            return Response(status_code=204)
        if kind == "Event":
            functions.invoke_later(name, payload or b"{}")
            return Response(status_code=202, headers=_request_headers())
        answer = await functions.invoke(name, payload or b"{}")
        if answer is None:
            return _error(
                429,
                "TooManyRequestsException",
                "Rate Exceeded.",
                extra={"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"},
            )
        headers = _request_headers() | {"X-Amz-Executed-Version": "$LATEST"}
        if answer.error_type is not None:
            headers["X-Amz-Function-Error"] = "Unhandled"
            log.info("function failed", extra={"function": name, "error": answer.error_type})
        return Response(answer.payload, headers=headers, media_type="application/json")

    async def listing(request: Request) -> Response:
        return JSONResponse(
            {"Functions": [_configuration(pool) for pool in functions.pools.values()]}
        )

    async def configuration(request: Request) -> Response:
        name = _function_name(request.path_params["name"])
        pool = functions.pools.get(name)
        if pool is None:
            return _not_found(name)
        if request.method == "PUT":
            try:
                change = json.loads(await request.body() or b"{}")
                spec = _changed(pool.spec, change)
            except (ValueError, TypeError) as error:
                return _error(400, "InvalidParameterValueException", str(error))
            await pool.reconfigure(spec)
        return JSONResponse(_configuration(pool))

    async def concurrency(request: Request) -> Response:
        name = _function_name(request.path_params["name"])
        pool = functions.pools.get(name)
        if pool is None:
            return _not_found(name)
        if request.method == "DELETE":
            await pool.reconfigure(replace(pool.spec, reserved_concurrency=None))
            return Response(status_code=204)
        try:
            reserved = int(json.loads(await request.body())["ReservedConcurrentExecutions"])
        except (ValueError, TypeError, KeyError) as error:
            return _error(400, "InvalidParameterValueException", f"bad concurrency: {error}")
        if reserved < 0:
            return _error(400, "InvalidParameterValueException", "must be 0 or more")
        await pool.reconfigure(replace(pool.spec, reserved_concurrency=reserved))
        return JSONResponse({"ReservedConcurrentExecutions": reserved})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await functions.close()  # clean shutdown: no sandbox outlives the endpoint

    return Starlette(
        routes=[
            Route(f"{API}/{{name}}/invocations", invocations, methods=["POST"]),
            Route(f"{API}/", listing, methods=["GET"]),
            Route(f"{API}/{{name}}/configuration", configuration, methods=["GET", "PUT"]),
            Route(
                "/2017-10-31/functions/{name}/concurrency",
                concurrency,
                methods=["PUT", "DELETE"],
            ),
        ],
        lifespan=lifespan,
    )


def _function_name(given: str) -> str:
    """A name, a `name:qualifier`, or an ARN (`arn:aws:lambda:region:account:function:name`)."""
    parts = given.split(":")
    if given.startswith("arn:") and len(parts) >= 7:
        return parts[6]
    return parts[0]


def _changed(spec: FunctionSpec, change: dict[str, Any]) -> FunctionSpec:
    if "Timeout" in change:
        timeout = float(change["Timeout"])
        if not 1 <= timeout <= 900:
            raise ValueError("Timeout must be between 1 and 900 seconds")
        spec = replace(spec, timeout_seconds=timeout)
    if "Environment" in change:
        variables = (change["Environment"] or {}).get("Variables") or {}
        spec = replace(spec, environment={str(k): str(v) for k, v in variables.items()})
    return spec


def _configuration(pool: FunctionPool) -> dict[str, Any]:
    spec = pool.spec
    return {
        "FunctionName": spec.name,
        "FunctionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{spec.name}",
        "Runtime": "python3.12",
        "Handler": spec.handler,
        "Timeout": spec.timeout_seconds,
        "MemorySize": spec.memory_mb,
        "Environment": {"Variables": spec.environment},
        "State": "Active",
    }


def _request_headers() -> dict[str, str]:
    return {"X-Amzn-RequestId": str(uuid.uuid4())}


def _not_found(name: str) -> Response:
    return _error(
        404,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:000000000000:function:{name}",
    )


def _error(
    status: int, code: str, message: str, *, extra: dict[str, str] | None = None
) -> Response:
    body = {"Type": "User", "message": message, **(extra or {})}
    return JSONResponse(
        body, status_code=status, headers={"x-amzn-ErrorType": code} | _request_headers()
    )
