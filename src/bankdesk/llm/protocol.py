"""The one interface every model provider offers: an instance of a schema from a text.

A provider never raises for what a model does wrong (timeouts, refusals, malformed or
invalid output): it returns a completion without a value, the reason, and every call it
made, so the caller can fall back or refer the case to a person, and store the calls.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from bankdesk.llm.prompts import Prompt

T = TypeVar("T", bound=BaseModel)


class CallStatus(StrEnum):
    """How one request to a model ended."""

    OK = "ok"  # a usable answer that matched the schema
    INVALID = "invalid"  # an answer that was not JSON or did not match the schema
    REFUSED = "refused"  # the model refused to answer
    EMPTY = "empty"  # the model answered nothing
    ERROR = "error"  # no answer: timeout, connection, rate limit or server error


@dataclass(frozen=True, slots=True)
class StructuredRequest(Generic[T]):
    """Ask for an instance of `schema`, following `prompt`, about `text` (which is data,
    fenced in <`tag`> ... </`tag`> as the prompt says)."""

    schema: type[T]
    prompt: Prompt
    text: str
    agent: str
    tag: str = "application"


@dataclass(frozen=True, slots=True)
class ModelCall:
    """One request to a model and what came back, as stored in the model-call table."""

    provider: str
    model: str
    agent: str
    prompt_id: str
    prompt_version: str
    attempt: int
    status: CallStatus
    request: dict[str, Any]
    raw_response: str | None = None
    parsed: dict[str, Any] | None = None
    errors: tuple[str, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int = 0
    cost: Decimal | None = None  # None when the model is not in the price table
    retries: int = 0  # retries the SDK made (with backoff) inside this attempt


@dataclass(frozen=True, slots=True)
class Completion(Generic[T]):
    """A provider's answer: the parsed value, or why there is none, and every call made."""

    provider: str
    model: str
    value: T | None
    calls: tuple[ModelCall, ...] = ()
    failure: str | None = None

    @property
    def raw(self) -> str | None:
        """The last raw output the model gave."""
        return self.calls[-1].raw_response if self.calls else None

    @property
    def tokens_in(self) -> int:
        """Input tokens over every call."""
        return sum(call.tokens_in for call in self.calls)

    @property
    def tokens_out(self) -> int:
        """Output tokens over every call."""
        return sum(call.tokens_out for call in self.calls)

    @property
    def latency_ms(self) -> int:
        """Time spent waiting for the model over every call."""
        return sum(call.latency_ms for call in self.calls)

    @property
    def cost(self) -> Decimal | None:
        """Estimated cost over every call; None when any call's price is unknown."""
        costs = [call.cost for call in self.calls]
        if any(cost is None for cost in costs):
            return None
        return sum((cost for cost in costs if cost is not None), Decimal(0))


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    """Who a provider is: its name, model, and whether it reaches a model over the network."""

    name: str
    model: str
    remote: bool
    settings: dict[str, str] = field(default_factory=dict)


class Provider(Protocol):
    """Anything that can fill a Pydantic schema from instructions and a text."""

    @property
    def info(self) -> ProviderInfo:
        """Name, model and kind of the provider."""
        ...

    async def complete(self, request: StructuredRequest[T]) -> Completion[T]:
        """An instance of the request's schema, or a completion that says why there is none."""
        ...
