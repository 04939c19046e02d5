"""The local Lambda endpoint's sandboxes: real processes running AWS's Runtime Interface
Client on a handler, with Lambda's time limit, error reports and payload limit."""

import json
import os

import httpx
import pytest

from bankdesk.runtime.catalog import FunctionSpec
from bankdesk.runtime.endpoint import LocalLambda, create_endpoint

HANDLERS = "tests.support.lambda_handlers"


def _spec(name: str, **options) -> FunctionSpec:
    return FunctionSpec(name, timeout_seconds=options.pop("timeout", 5), memory_mb=128,
                        module=HANDLERS, **options)  # fmt: skip


@pytest.fixture
async def functions():
    specs = {name: _spec(name) for name in ("echo", "crashing", "huge")} | {
        "sleepy": _spec("sleepy", timeout=1),
        "closed": _spec("echo", reserved_concurrency=0),
    }
    local = LocalLambda(specs, environment=dict(os.environ))
    yield local
    await local.close()


async def test_a_handler_gets_the_event_and_its_context_through_the_runtime_client(functions):
    answer = await functions.invoke("echo", b'{"message": "hello"}')

    assert answer is not None and answer.error_type is None
    body = json.loads(answer.payload)
    assert body["event"] == {"message": "hello"}
    assert body["function"] == "echo"


async def test_a_warm_sandbox_is_reused(functions):
    await functions.invoke("echo", b"{}")
    pool = functions.pools["echo"]
    warm = list(pool.idle)

    await functions.invoke("echo", b"{}")

    assert pool.idle == warm and len(warm) == 1


async def test_an_exception_is_reported_as_a_function_error(functions):
    answer = await functions.invoke("crashing", b"{}")

    assert answer is not None and answer.error_type is not None
    error = json.loads(answer.payload)
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "the handler crashed"


async def test_a_function_past_its_time_limit_is_killed_and_the_next_call_starts_afresh(functions):
    answer = await functions.invoke("sleepy", b'{"seconds": 30}')

    assert answer is not None and answer.error_type == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in json.loads(answer.payload)["errorMessage"]
    assert functions.pools["sleepy"].idle == []  # the sandbox did not go back to the pool
    again = await functions.invoke("sleepy", b'{"seconds": 0}')
    assert again is not None and again.error_type is None


async def test_an_answer_larger_than_lambda_carries_is_an_error(functions):
    answer = await functions.invoke("huge", b"{}")

    assert answer is not None and answer.error_type == "Function.ResponseSizeTooLarge"


async def test_a_function_with_no_concurrency_is_throttled(functions):
    assert await functions.invoke("closed", b"{}") is None


async def test_the_invoke_api_reports_a_timeout_as_lambda_does(functions):
    transport = httpx.ASGITransport(app=create_endpoint(functions))
    async with httpx.AsyncClient(transport=transport, base_url="http://lambda.test") as http:
        response = await http.post(
            "/2015-03-31/functions/sleepy/invocations", content=b'{"seconds": 30}'
        )

    assert response.status_code == 200
    assert response.headers["X-Amz-Function-Error"] == "Unhandled"
    assert "Task timed out" in response.json()["errorMessage"]


async def test_event_and_dry_run_invocations(functions):
    transport = httpx.ASGITransport(app=create_endpoint(functions))
    async with httpx.AsyncClient(transport=transport, base_url="http://lambda.test") as http:
        dry = await http.post(
            "/2015-03-31/functions/echo/invocations",
            headers={"X-Amz-Invocation-Type": "DryRun"},
            content=b"{}",
        )
        queued = await http.post(
            "/2015-03-31/functions/echo/invocations",
            headers={"X-Amz-Invocation-Type": "Event"},
            content=b"{}",
        )

    assert dry.status_code == 204
    assert queued.status_code == 202
