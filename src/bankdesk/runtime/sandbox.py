"""One Lambda execution environment on this machine: a process running AWS's Runtime
Interface Client (`awslambdaric`) on a function's handler, and the Lambda Runtime API it
polls, served on a loopback port of its own.

The process asks the Runtime API for the next invocation, runs the handler and posts the
answer or the error back, exactly as in AWS. Processes are forked from a server that has
imported bankdesk already, so a cold start costs milliseconds rather than seconds of imports;
`awslambdaric` itself is imported after the fork, once the sandbox's environment is set.
"""

import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import time
import uuid
from dataclasses import dataclass
from functools import cache
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess

import h11

from bankdesk.runtime.catalog import HANDLERS_MODULE, FunctionSpec

RUNTIME = "/2018-06-01/runtime"
INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit for a function's start-up
ROUTE = re.compile(rf"^{RUNTIME}/invocation/(?P<id>[^/]+)/(?P<what>response|error)$")


@dataclass(frozen=True, slots=True)
class Answer:
    """What an invocation produced: the payload, and Lambda's error type when it failed."""

    payload: bytes
    error_type: str | None = None

    @classmethod
    def failure(cls, error_type: str, message: str) -> "Answer":
        """An error as Lambda reports it in the payload of a failed invocation."""
        body = {"errorType": error_type, "errorMessage": message}
        return cls(json.dumps(body).encode(), error_type)


@dataclass(frozen=True, slots=True)
class _Invocation:
    request_id: str
    payload: bytes


@cache
def _forkserver() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([HANDLERS_MODULE])
    return context


def _run_runtime(handler: str, environment: dict[str, str]) -> None:
    """The sandbox process: its own environment, then the Runtime Interface Client's loop."""
    os.environ.clear()
    os.environ.update(environment)
    from awslambdaric.__main__ import main

    main(["awslambdaric", handler])


class Sandbox:
    """One execution environment of a function; it runs one invocation at a time."""

    def __init__(self, spec: FunctionSpec, environment: dict[str, str], generation: int) -> None:
        self.spec = spec
        self.generation = generation
        self._environment = environment
        self._inbox: asyncio.Queue[_Invocation] = asyncio.Queue(maxsize=1)
        self._picked: dict[str, asyncio.Future[None]] = {}
        self._answers: dict[str, asyncio.Future[Answer]] = {}
        self._exited = asyncio.Event()
        self._init_error: Answer | None = None
        self._server: asyncio.Server | None = None
        self._process: BaseProcess | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._stopping: asyncio.Future[None] | None = None

    @property
    def alive(self) -> bool:
        """Whether the process runs and may take an invocation."""
        return self._process is not None and self._stopping is None and not self._exited.is_set()

    async def start(self) -> None:
        """Open the Runtime API and start the process (it initialises in the background)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        environment = {
            **self._environment,
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
            "AWS_LAMBDA_FUNCTION_NAME": self.spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(round(self.spec.timeout_seconds)),
            "_HANDLER": self.spec.handler,
        }
        process = _forkserver().Process(
            target=_run_runtime, args=(self.spec.handler, environment), daemon=True
        )
        await asyncio.to_thread(process.start)
        self._process = process
        asyncio.get_running_loop().add_reader(process.sentinel, self._on_exit)
        if self._stopping is not None:  # stopped while it was starting
            await self.stop()

    async def invoke(self, payload: bytes) -> Answer:
        """Hand the payload to the handler and wait for its answer, its error, its death or
        its time limit (after which the sandbox is killed, as Lambda does)."""
        loop = asyncio.get_running_loop()
        request_id = str(uuid.uuid4())
        picked, answer = loop.create_future(), loop.create_future()
        self._picked[request_id], self._answers[request_id] = picked, answer
        await self._inbox.put(_Invocation(request_id, payload))
        exited = asyncio.ensure_future(self._exited.wait())
        try:
            await asyncio.wait(
                {picked, exited}, timeout=INIT_TIMEOUT_SECONDS, return_when="FIRST_COMPLETED"
            )
            if not picked.done():
                return await self._lost(
                    request_id, "Runtime.InitTimeout", "the function did not start"
                )
            await asyncio.wait(
                {answer, exited}, timeout=self.spec.timeout_seconds, return_when="FIRST_COMPLETED"
            )
            if answer.done():
                return answer.result()
            return await self._lost(
                request_id,
                "Sandbox.Timedout",
                f"RequestId: {request_id} Error: Task timed out after "
                f"{self.spec.timeout_seconds:.2f} seconds",
            )
        finally:
            exited.cancel()
            self._picked.pop(request_id, None)
            self._answers.pop(request_id, None)
            if not answer.done() and self._stopping is None:
                # Abandoned (the caller went away): the handler may still be running it, so
                # the sandbox must not take another invocation.
                self._stopping = asyncio.ensure_future(self.stop())

    async def stop(self) -> None:
        """End the process (SIGTERM, then SIGKILL) and close the Runtime API."""
        if self._stopping is None:
            self._stopping = asyncio.get_running_loop().create_future()
            self._stopping.set_result(None)
        process = self._process
        if process is None:  # still starting: start() stops it once the process exists
            return
        if process is not None and process.is_alive():
            process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exited.wait(), 2)
            if process.is_alive():
                process.kill()
        if process is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(process.sentinel)
        if self._server is not None:
            self._server.close()
        for connection in self._connections:
            connection.cancel()
        self._exited.set()

    async def _lost(self, request_id: str, error_type: str, message: str) -> Answer:
        if self._exited.is_set():
            if self._init_error is not None:
                return self._init_error
            code = self._process.exitcode if self._process else None
            return Answer.failure("Runtime.ExitError", f"Runtime exited with exit status {code}")
        await self.stop()
        return Answer.failure(error_type, message)

    def _on_exit(self) -> None:
        if self._process is not None:
            asyncio.get_running_loop().remove_reader(self._process.sentinel)
        if self._server is not None:
            self._server.close()
        self._exited.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        connection = h11.Connection(h11.SERVER)
        try:
            while True:
                request, body = await _read_request(connection, reader)
                if request is None:
                    return
                status, headers, content = await self._route(request, body)
                headers = [*headers, ("Content-Length", str(len(content)))]
                writer.write(connection.send(h11.Response(status_code=status, headers=headers)))
                writer.write(connection.send(h11.Data(data=content)))
                writer.write(connection.send(h11.EndOfMessage()))
                await writer.drain()
                if connection.our_state is not h11.DONE:
                    return
                connection.start_next_cycle()
        except (h11.ProtocolError, ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()
            if task is not None:
                self._connections.discard(task)

    async def _route(
        self, request: h11.Request, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        target = request.target.decode()
        if request.method == b"GET" and target == f"{RUNTIME}/invocation/next":
            invocation = await self._inbox.get()
            if (picked := self._picked.get(invocation.request_id)) and not picked.done():
                picked.set_result(None)
            deadline_ms = int((time.time() + self.spec.timeout_seconds) * 1000)
            arn = f"arn:aws:lambda:us-east-1:000000000000:function:{self.spec.name}"
            headers = [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                ("Lambda-Runtime-Invoked-Function-Arn", arn),
                (
                    "Lambda-Runtime-Trace-Id",
                    f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
                ),
            ]
            return 200, headers, invocation.payload
        if request.method == b"POST" and target == f"{RUNTIME}/init/error":
            self._init_error = Answer(body, _error_type(request, body, "Runtime.InitError"))
            return 202, [], b'{"status":"OK"}'
        if request.method == b"POST" and (match := ROUTE.match(target)):
            answer = self._answers.get(match["id"])
            if answer is None or answer.done():
                return 400, [], b'{"errorType":"InvalidRequestID"}'
            if match["what"] == "response":
                answer.set_result(Answer(body))
            else:
                answer.set_result(Answer(body, _error_type(request, body, "Unhandled")))
            return 202, [], b'{"status":"OK"}'
        return 404, [], b'{"errorType":"NotFound"}'


async def _read_request(
    connection: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request | None, bytes]:
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            data = await reader.read(65536)
            connection.receive_data(data)
            if not data and request is None:
                return None, b""
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return request, bytes(body)
        elif isinstance(event, h11.ConnectionClosed):
            return None, b""


def _error_type(request: h11.Request, body: bytes, default: str) -> str:
    for name, value in request.headers:
        if name == b"lambda-runtime-function-error-type" and value:
            return value.decode()
    try:
        error = json.loads(body)
    except ValueError:
        return default
    return str(error.get("errorType", default)) if isinstance(error, dict) else default
