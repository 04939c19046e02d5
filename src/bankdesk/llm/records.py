"""Model calls as stored rows, each with its audit event, for whatever they were made for."""

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from bankdesk.llm.protocol import ModelCall as Call
from bankdesk.store.models import ModelCall
from bankdesk.store.unit_of_work import UnitOfWork


def call_row(call: Call, **columns: Any) -> ModelCall:
    """The row for one call, with the columns the caller adds (what it was for).

    A model (or a server) may answer with NUL characters, which PostgreSQL's text and JSONB
    columns refuse; they become U+FFFD."""
    values = {**asdict(call), **columns}
    return ModelCall(**{name: _without_nul(value) for name, value in values.items()})


async def store_calls(
    uow: UnitOfWork, rows: Sequence[ModelCall], *, entity_type: str, entity_id: str | None
) -> None:
    """Store model-call rows, each with a `model.called` audit event on its entity (a call
    made for nothing stored is audited as itself)."""
    if not rows:
        return
    await uow.model_calls.add(list(rows))
    for row in rows:
        digest = hashlib.sha256((row.raw_response or "").encode("utf-8")).hexdigest()
        await uow.audit.record(
            "model.called",
            entity_type=entity_type if entity_id else "model_call",
            entity_id=entity_id or row.id,
            after={
                "model_call_id": row.id,
                "agent": row.agent,
                "provider": row.provider,
                "model": row.model,
                "prompt_id": row.prompt_id,
                "prompt_version": row.prompt_version,
                "attempt": row.attempt,
                "status": row.status,
                "tokens_in": row.tokens_in,
                "tokens_out": row.tokens_out,
                "cost": None if row.cost is None else str(row.cost),
                "response_sha256": digest,
                "fallback_used": row.fallback_used,
            },
        )


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value
