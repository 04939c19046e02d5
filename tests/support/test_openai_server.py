"""The scripted OpenAI server, exercised through the real ``openai`` SDK over real HTTP."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from pydantic import BaseModel

from tests.support.openai_server import OpenAIServer, Received, Reply, json_reply

SCRIPT = Path(__file__).with_name("openai_server.py")
MESSAGES = [
    {"role": "system", "content": "You extract loan applications."},
    {"role": "user", "content": "I want 5000 EUR."},
]


class Decision(BaseModel):
    outcome: str
    amount: int


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        yield running


@pytest.fixture
def client(server: OpenAIServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0) as sdk:
        yield sdk


def test_responses_create_returns_output_text_and_usage(server, client):
    server.script(json_reply({"outcome": "approve"}, input_tokens=11, output_tokens=7))

    response = client.responses.create(
        model="gpt-test", instructions="Be strict.", input="Decide on 5000 EUR."
    )

    assert json.loads(response.output_text) == {"outcome": "approve"}
    assert response.model == "gpt-test"
    assert response.status == "completed"
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (11, 7)
    assert response.usage.total_tokens == 18
    assert response.usage.input_tokens_details.cached_tokens == 0
    assert response.usage.output_tokens_details.reasoning_tokens == 0
    [received] = server.requests
    assert received.api == "responses"
    assert received.path == "/v1/responses"
    assert received.user_text == "Decide on 5000 EUR."
    assert received.system_text == "Be strict."
    assert received.headers["authorization"] == "Bearer test"


def test_chat_completions_create_returns_message_and_usage(server, client):
    server.script(json_reply({"outcome": "decline"}))

    completion = client.chat.completions.create(model="gpt-chat", messages=MESSAGES)

    choice = completion.choices[0]
    assert json.loads(choice.message.content or "") == {"outcome": "decline"}
    assert choice.message.refusal is None
    assert choice.finish_reason == "stop"
    assert completion.model == "gpt-chat"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (120, 40)
    assert completion.usage.total_tokens == 160
    [received] = server.requests
    assert received.api == "chat"
    assert received.user_text == "I want 5000 EUR."
    assert received.system_text == "You extract loan applications."


def test_with_raw_response_exposes_headers(server, client):
    server.script(Reply(content="hello", headers={"x-ratelimit-remaining-requests": "99"}))

    raw = client.responses.with_raw_response.create(model="gpt-test", input="hi")

    assert raw.status_code == 200
    assert raw.headers["x-request-id"].startswith("req_")
    assert raw.headers["x-ratelimit-remaining-requests"] == "99"
    assert raw.parse().output_text == "hello"


async def test_async_client_on_both_apis(server):
    server.script(Reply(content="one"), Reply(content="two"))
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0) as sdk:
        raw = await sdk.responses.with_raw_response.create(model="gpt-test", input="hi")
        chat = await sdk.chat.completions.with_raw_response.create(
            model="gpt-test", messages=MESSAGES
        )

    assert raw.headers["x-request-id"]
    assert raw.parse().output_text == "one"
    assert chat.headers["x-request-id"]
    assert chat.parse().choices[0].message.content == "two"
    assert [request.api for request in server.requests] == ["responses", "chat"]


def test_refusal_on_both_apis(server, client):
    server.script(Reply(refusal="I can't help with that."), Reply(refusal="No."))

    response = client.responses.create(model="gpt-test", input="hi")
    completion = client.chat.completions.create(model="gpt-test", messages=MESSAGES)

    [item] = response.output
    assert item.type == "message"
    [part] = item.content
    assert part.type == "refusal"
    assert part.refusal == "I can't help with that."
    assert response.output_text == ""  # output_text only joins output_text parts
    message = completion.choices[0].message
    assert message.refusal == "No."
    assert message.content is None


def test_parse_helpers_read_the_json_content(server, client):
    payload = {"outcome": "approve", "amount": 5000}
    server.script(json_reply(payload), json_reply(payload))

    parsed = client.responses.parse(model="gpt-test", input="hi", text_format=Decision)
    chat = client.chat.completions.parse(
        model="gpt-test", messages=MESSAGES, response_format=Decision
    )

    assert parsed.output_parsed == Decision(outcome="approve", amount=5000)
    assert chat.choices[0].message.parsed == Decision(outcome="approve", amount=5000)


def test_429_then_200_is_retried_and_both_attempts_are_recorded(server):
    # retry-after-ms makes the SDK retry at once; see the next test for retry-after: 0.
    server.script(Reply(status=429, headers={"retry-after-ms": "1"}), Reply(content="ok"))

    with openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=1) as sdk:
        response = sdk.responses.create(model="gpt-test", input="hi")

    assert response.output_text == "ok"
    assert len(server.requests) == 2
    assert server.requests[0].headers["x-stainless-retry-count"] == "0"
    assert server.requests[1].headers["x-stainless-retry-count"] == "1"


def test_retry_after_zero_falls_back_to_the_sdk_backoff(server):
    # The SDK only honours retry-after values > 0; "0" means its own ~0.375-0.5 s backoff.
    server.script(Reply(status=429, headers={"retry-after": "0"}), Reply(content="ok"))

    with openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=1) as sdk:
        started = time.perf_counter()
        sdk.chat.completions.create(model="gpt-test", messages=MESSAGES)
        elapsed = time.perf_counter() - started

    assert elapsed >= 0.3
    assert len(server.requests) == 2


def test_500_without_retries_raises_internal_server_error(server, client):
    server.script(Reply(status=500, content="model exploded"))

    with pytest.raises(openai.InternalServerError) as raised:
        client.responses.create(model="gpt-test", input="hi")

    assert raised.value.status_code == 500
    assert raised.value.message.endswith("model exploded")
    assert raised.value.type == "server_error"


def test_nothing_scripted_answers_500(server, client):
    with pytest.raises(openai.InternalServerError, match="no scripted reply"):
        client.chat.completions.create(model="gpt-test", messages=MESSAGES)


def test_queue_first_then_responder(server, client):
    server.responder = lambda request: Reply(content=f"echo: {request.user_text}")
    server.script(Reply(content="scripted"))

    first = client.responses.create(model="gpt-test", input="one")
    second = client.responses.create(
        model="gpt-test",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "two"}]}],
    )

    assert first.output_text == "scripted"
    assert second.output_text == "echo: two"


def test_delay_beyond_client_timeout_raises_timeout(server):
    server.script(Reply(content="too late", delay=1.0))

    with (
        openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=0.3) as sdk,
        pytest.raises(openai.APITimeoutError),
    ):
        sdk.responses.create(model="gpt-test", input="hi")


def test_stop_does_not_wait_for_a_delayed_handler():
    server = OpenAIServer().start()
    server.script(Reply(content="never sent", delay=30.0))
    with (
        openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=0.2) as sdk,
        pytest.raises(openai.APITimeoutError),
    ):
        sdk.responses.create(model="gpt-test", input="hi")

    started = time.perf_counter()
    server.stop()

    assert time.perf_counter() - started < 1.0


def test_malformed_200_body_raises_a_plain_json_error(server, client):
    # The SDK does not wrap this: a 200 with content-type application/json whose body is
    # not JSON surfaces as json.JSONDecodeError (a ValueError), not as an openai.APIError.
    server.script(Reply(body="{not json"), Reply(body="{not json"))

    with pytest.raises(json.JSONDecodeError) as raised:
        client.responses.create(model="gpt-test", input="hi")
    assert not isinstance(raised.value, openai.OpenAIError)
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="gpt-test", messages=MESSAGES)


def test_wrong_shaped_200_body_parses_into_an_empty_model(server, client):
    # Without strict validation the SDK builds a Response full of None from any JSON object;
    # the failure only shows when the result is used.
    server.script(Reply(body='{"unexpected": true}'))

    response = client.responses.create(model="gpt-test", input="hi")

    assert response.output is None
    with pytest.raises(TypeError):
        _ = response.output_text


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/v1/responses", b"{not json", "parse the JSON body"),
        ("/v1/responses", b"[]", "parse the JSON body"),
        ("/v1/responses", b'{"input": "hi"}', "'model'"),
        ("/v1/responses", b'{"model": "gpt-test"}', "'input'"),
        ("/v1/chat/completions", b'{"model": "gpt-test"}', "'messages'"),
    ],
)
def test_invalid_requests_get_400_without_consuming_a_reply(server, path, body, message):
    server.script(Reply(content="kept"))

    answer = httpx.post(
        server.base_url.removesuffix("/v1") + path,
        content=body,
        headers={"content-type": "application/json"},
    )

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert message in error["message"]
    assert answer.headers["x-request-id"]
    assert len(server.requests) == 1
    assert server.requests[0].path == path


def test_unknown_path_gets_404(server):
    answer = httpx.post(f"{server.base_url}/embeddings", json={"model": "m", "input": "x"})

    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_requests_record_the_structured_output_settings(server, client):
    schema = {
        "type": "object",
        "properties": {"outcome": {"type": "string"}},
        "required": ["outcome"],
        "additionalProperties": False,
    }
    text = {"format": {"type": "json_schema", "name": "decision", "schema": schema, "strict": True}}
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "decision", "schema": schema, "strict": True},
    }
    server.script(json_reply({"outcome": "approve"}), json_reply({"outcome": "approve"}))

    response = client.responses.create(model="gpt-test", input="hi", text=text)
    client.chat.completions.create(
        model="gpt-test", messages=MESSAGES, response_format=response_format, temperature=0
    )

    responses_request, chat_request = server.requests
    assert responses_request.body["text"] == text
    assert responses_request.body["model"] == "gpt-test"
    assert response.text is not None
    assert response.text.format.type == "json_schema"
    assert chat_request.body["response_format"] == response_format
    assert chat_request.body["temperature"] == 0
    assert chat_request.body["messages"] == MESSAGES


def test_received_text_helpers():
    responses = Received(
        path="/v1/responses",
        body={
            "model": "m",
            "instructions": "Rules.",
            "input": [
                {"role": "developer", "content": "Dev note."},
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "A"}],
                },
                {"role": "assistant", "content": "ignored"},
                {"type": "function_call_output", "call_id": "c", "output": "ignored"},
                {"role": "user", "content": "B"},
            ],
        },
        headers={},
    )
    chat = Received(
        path="/v1/chat/completions",
        body={
            "model": "m",
            "messages": [
                {"role": "system", "content": [{"type": "text", "text": "Sys."}]},
                {"role": "user", "content": [{"type": "text", "text": "Q1"}]},
                {"role": "user", "content": "Q2"},
            ],
        },
        headers={},
    )

    assert responses.user_text == "A\nB"
    assert responses.system_text == "Rules.\nDev note."
    assert chat.api == "chat"
    assert chat.user_text == "Q1\nQ2"
    assert chat.system_text == "Sys."


def test_runs_as_a_script_serving_replies_from_a_file(tmp_path):
    replies = tmp_path / "replies.json"
    replies.write_text(
        json.dumps([{"json": {"outcome": "approve"}}, {"content": "last", "output_tokens": 3}])
    )
    with subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", "0", "--reply-file", str(replies)],
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            with openai.OpenAI(base_url=base_url, api_key="test", max_retries=0) as sdk:
                texts = [
                    sdk.responses.create(model="gpt-test", input="hi").output_text for _ in range(3)
                ]
            assert texts == ['{"outcome": "approve"}', "last", "last"]
        finally:
            process.terminate()
            returncode = process.wait(timeout=5)
    assert returncode == 0
