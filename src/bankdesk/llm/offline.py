"""The offline provider: bankdesk's own readers behind the provider interface, no network.

Each schema it can fill has a reader registered for it (the lending extractor fills
LoanFacts); a schema without one is a configuration error, not a silent empty answer.
"""

import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

from pydantic import BaseModel

from bankdesk.llm.protocol import (
    CallStatus,
    Completion,
    ModelCall,
    ProviderInfo,
    StructuredRequest,
    T,
)

OFFLINE_MODEL = "bankdesk-offline"
OfflineReader = Callable[[str], BaseModel]


class OfflineProvider:
    """Fills schemas with deterministic offline readers; costs nothing, never fails remotely."""

    def __init__(self, readers: Mapping[type[BaseModel], OfflineReader]) -> None:
        self._readers = dict(readers)

    @property
    def info(self) -> ProviderInfo:
        """Name, model and kind of the provider."""
        return ProviderInfo(name="offline", model=OFFLINE_MODEL, remote=False)

    async def complete(self, request: StructuredRequest[T]) -> Completion[T]:
        """The registered reader's answer for the request's schema."""
        reader = self._readers.get(request.schema)
        if reader is None:
            raise LookupError(f"no offline reader fills {request.schema.__name__}")
        started = time.perf_counter()
        value = cast(T, reader(request.text))
        parsed: dict[str, Any] = value.model_dump(mode="json")
        call = ModelCall(
            provider="offline",
            model=OFFLINE_MODEL,
            agent=request.agent,
            prompt_id=request.prompt.id,
            prompt_version=request.prompt.version,
            attempt=1,
            status=CallStatus.OK,
            request={"text_chars": len(request.text)},
            raw_response=value.model_dump_json(),
            parsed=parsed,
            latency_ms=round((time.perf_counter() - started) * 1000),
            cost=Decimal(0),
        )
        return Completion("offline", OFFLINE_MODEL, value, (call,))
