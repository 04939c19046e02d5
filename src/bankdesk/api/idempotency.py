"""Idempotency-Key handling: a retry gets the first response and creates nothing new."""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, HTTPException, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from bankdesk.store.models import IdempotencyRecord
from bankdesk.store.unit_of_work import UnitOfWork

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200

Produce = Callable[[], Awaitable[tuple[int, BaseModel]]]


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Makes retries safe: the same key and body return the first response "
        "(marked Idempotent-Replayed: true) and create nothing; another body is 409.",
    ),
]


async def respond_once(
    request: Request, uow: UnitOfWork, *, key: str | None, owner: str, produce: Produce
) -> Response:
    """Run `produce` unless this caller already sent this key; then replay its response."""
    if key is None:
        code, model = await produce()
        return _json(code, model.model_dump_json())
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters",
        )
    fingerprint = await _fingerprint(request)
    record = await uow.idempotency.find(owner=owner, key=key)
    if record is None:
        try:
            async with uow.session.begin_nested():
                record = await uow.idempotency.claim(owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            # A concurrent request with this key committed first: answer as it did.
            return _replay(await uow.idempotency.find(owner=owner, key=key), fingerprint)
        code, model = await produce()
        body = model.model_dump_json()
        await uow.idempotency.complete(record, status=code, body=body)
        return _json(code, body)
    return _replay(record, fingerprint)


async def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return digest.hexdigest()


def _replay(record: IdempotencyRecord | None, fingerprint: str) -> Response:
    if record is None or record.status_code is None or record.response_body is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"a request with this {HEADER} is still being processed"
        )
    if record.fingerprint != fingerprint:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"this {HEADER} was used with a different request; use a new key",
        )
    response = _json(record.status_code, record.response_body)
    response.headers[REPLAYED] = "true"
    return response


def _json(code: int, body: str) -> Response:
    return Response(content=body, status_code=code, media_type="application/json")
