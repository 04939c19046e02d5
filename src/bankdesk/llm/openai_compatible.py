"""The openai provider: OpenAI or any server that speaks its Responses or Chat Completions API.

Every request goes through the official SDK, which retries timeouts, 429 and 5xx with
backoff. An answer that is not JSON or does not match the schema is asked for once more,
with the validation errors; then the provider gives up and says why.
"""

import asyncio
import json
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

import openai
from pydantic import ValidationError

from bankdesk.llm.pricing import estimate_cost
from bankdesk.llm.protocol import (
    CallStatus,
    Completion,
    ModelCall,
    ProviderInfo,
    StructuredRequest,
    T,
)
from bankdesk.llm.schema import schema_name, strict_schema
from bankdesk.settings import ModelPrice

ATTEMPTS = 2  # the first answer and one re-ask with the validation errors
MAX_TOKENS = 100_000_000  # no single call uses more; a larger count is a broken server
_MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class OpenAIConfig:
    """How to reach the model and what to ask it for."""

    model: str
    api: Literal["responses", "chat"]
    output: Literal["json_schema", "json_object"]
    api_key: str
    base_url: str | None
    timeout_seconds: float
    max_retries: int
    max_output_tokens: int
    temperature: float | None
    prices: dict[str, ModelPrice]


@dataclass(frozen=True, slots=True)
class _Answer:
    text: str
    refusal: str | None
    tokens_in: int
    tokens_out: int
    retries: int


class OpenAIProvider:
    """Structured output from an OpenAI-compatible model, through the openai SDK."""

    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config
        self._client: openai.AsyncOpenAI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def info(self) -> ProviderInfo:
        """Name, model and settings of this provider."""
        return ProviderInfo(
            name="openai",
            model=self.config.model,
            remote=True,
            settings={
                "api": self.config.api,
                "output": self.config.output,
                "base_url": self.config.base_url or "https://api.openai.com/v1",
            },
        )

    async def complete(self, request: StructuredRequest[T]) -> Completion[T]:
        """Ask the model for an instance of the schema; re-ask once if the answer is invalid."""
        messages = [{"role": "user", "content": _as_data(request.text, request.tag)}]
        calls: list[ModelCall] = []
        for attempt in range(1, ATTEMPTS + 1):
            call, value = await self._attempt(request, messages, attempt)
            calls.append(call)
            if value is not None:
                return Completion("openai", self.config.model, value, tuple(calls))
            if call.status is not CallStatus.INVALID:
                break
            messages = [
                *messages,
                {"role": "assistant", "content": call.raw_response or ""},
                {"role": "user", "content": _correction(call.errors)},
            ]
        return Completion(
            "openai", self.config.model, None, tuple(calls), failure=_failure(calls[-1])
        )

    async def _attempt(
        self, request: StructuredRequest[T], messages: list[dict[str, str]], attempt: int
    ) -> tuple[ModelCall, T | None]:
        params = self._params(request, messages)
        record = {"api": self.config.api, **params}
        started = time.perf_counter()
        try:
            answer = await self._send(params)
        except Exception as error:  # any failure on the remote side is recorded, never raised
            return self._call(request, attempt, record, started, error=error), None
        call = self._call(request, attempt, record, started, answer=answer)
        if call.status is not CallStatus.OK:
            return call, None
        try:
            value = request.schema.model_validate_json(answer.text)
        except ValidationError as invalid:
            errors = tuple(_describe(item) for item in invalid.errors(include_url=False))
            return replace(call, status=CallStatus.INVALID, errors=errors), None
        return replace(call, parsed=value.model_dump(mode="json")), value

    def _params(
        self, request: StructuredRequest[T], messages: list[dict[str, str]]
    ) -> dict[str, Any]:
        schema = strict_schema(request.schema)
        instructions = request.prompt.text
        if self.config.output == "json_object":
            instructions += "\n\nAnswer with JSON only, matching this JSON schema:\n"
            instructions += json.dumps(schema)
        params: dict[str, Any] = {"model": self.config.model}
        if self.config.temperature is not None:
            params["temperature"] = self.config.temperature
        name = schema_name(request.schema)
        if self.config.api == "responses":
            text_format: dict[str, Any] = {"type": "json_object"}
            if self.config.output == "json_schema":
                text_format = {
                    "type": "json_schema",
                    "name": name,
                    "schema": schema,
                    "strict": True,
                }
            return params | {
                "instructions": instructions,
                "input": messages,
                "text": {"format": text_format},
                "max_output_tokens": self.config.max_output_tokens,
            }
        if self.config.output == "json_schema":
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            }
        else:  # llama.cpp's server reads a schema given beside json_object
            response_format = {"type": "json_object", "schema": schema}
        return params | {
            "messages": [{"role": "system", "content": instructions}, *messages],
            "response_format": response_format,
            "max_tokens": self.config.max_output_tokens,
        }

    async def _send(self, params: dict[str, Any]) -> _Answer:
        client = self._client_for_this_loop()
        if self.config.api == "responses":
            raw = await client.responses.with_raw_response.create(**params)
            response = raw.parse()
            refusal = next(
                (
                    part.refusal
                    for item in response.output
                    if item.type == "message"
                    for part in item.content
                    if part.type == "refusal"
                ),
                None,
            )
            usage = response.usage
            return _Answer(
                text=response.output_text,
                refusal=refusal,
                tokens_in=_count(usage.input_tokens if usage else 0),
                tokens_out=_count(usage.output_tokens if usage else 0),
                retries=raw.retries_taken,
            )
        raw_chat = await client.chat.completions.with_raw_response.create(**params)
        completion = raw_chat.parse()
        message = completion.choices[0].message if completion.choices else None
        usage_chat = completion.usage
        return _Answer(
            text=(message.content or "") if message else "",
            refusal=message.refusal if message else None,
            tokens_in=_count(usage_chat.prompt_tokens if usage_chat else 0),
            tokens_out=_count(usage_chat.completion_tokens if usage_chat else 0),
            retries=raw_chat.retries_taken,
        )

    def _client_for_this_loop(self) -> openai.AsyncOpenAI:
        # An SDK client's connection pool belongs to the event loop that opened it.
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = openai.AsyncOpenAI(
                api_key=self.config.api_key,
                base_url=self.config.base_url,
                timeout=self.config.timeout_seconds,
                max_retries=self.config.max_retries,
            )
            self._loop = loop
        return self._client

    def _call(
        self,
        request: StructuredRequest[T],
        attempt: int,
        record: dict[str, Any],
        started: float,
        *,
        answer: _Answer | None = None,
        error: Exception | None = None,
    ) -> ModelCall:
        call = ModelCall(
            provider="openai",
            model=self.config.model,
            agent=request.agent,
            prompt_id=request.prompt.id,
            prompt_version=request.prompt.version,
            attempt=attempt,
            status=CallStatus.ERROR,
            request=record,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )
        if answer is None:
            return replace(call, errors=(_error_text(error),))
        status: CallStatus = CallStatus.OK
        errors: tuple[str, ...] = ()
        if answer.refusal:
            status, errors = CallStatus.REFUSED, (f"the model refused: {answer.refusal}",)
        elif not answer.text.strip():
            status, errors = CallStatus.EMPTY, ("the model returned no output",)
        return replace(
            call,
            status=status,
            errors=errors,
            raw_response=answer.refusal or answer.text,
            tokens_in=answer.tokens_in,
            tokens_out=answer.tokens_out,
            cost=estimate_cost(
                self.config.prices,
                self.config.model,
                tokens_in=answer.tokens_in,
                tokens_out=answer.tokens_out,
            ),
            retries=answer.retries,
        )


def _count(tokens: object) -> int:
    """A token count as the server reported it, or 0 when it is not a plausible count."""
    if isinstance(tokens, int) and not isinstance(tokens, bool) and 0 <= tokens < MAX_TOKENS:
        return tokens
    return 0


def _as_data(text: str, tag: str) -> str:
    # The customer's text is data: fenced, and unable to close the fence itself.
    fenced = text.replace(f"</{tag}>", f"</ {tag}>")
    return f"<{tag}>\n{fenced}\n</{tag}>"


def _correction(errors: tuple[str, ...]) -> str:
    return (
        "That answer cannot be used: "
        + "; ".join(errors)
        + ". Answer again with only one JSON object that matches the schema."
    )


def _describe(item: Any) -> str:
    if item["type"] == "json_invalid":
        return "the answer is not valid JSON"
    where = ".".join(str(part) for part in item["loc"]) or "answer"
    return f"{where}: {item['msg']}"


def _error_text(error: Exception | None) -> str:
    if isinstance(error, openai.APITimeoutError):
        return "the model did not answer in time"
    if isinstance(error, openai.APIStatusError):
        return f"HTTP {error.status_code} from the model server: {error.message}"[:_MAX_ERROR_CHARS]
    if isinstance(error, openai.APIConnectionError):
        return "could not connect to the model server"
    return f"{type(error).__name__}: {error}"[:_MAX_ERROR_CHARS]


def _failure(call: ModelCall) -> str:
    if call.status is CallStatus.INVALID:
        return f"the model's answer did not match the schema after {call.attempt} attempts"
    return call.errors[0] if call.errors else f"the model call ended {call.status}"
