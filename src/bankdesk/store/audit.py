"""The append-only, hash-linked audit log: append in the caller's transaction, verify later."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.domain.audit import GENESIS_HASH, chain_hash
from bankdesk.store.models import AuditEvent, utcnow

# Any constant works; it names the lock every appender takes on PostgreSQL.
_AUDIT_LOCK_KEY = 7_302_451_118


def _exact(value: Any, where: str) -> Any:
    """A payload as stored: JSON values whose text survives the database unchanged.

    Floats are refused: PostgreSQL's JSONB rewrites numbers such as 1e20, and a hash over a
    rewritten number would no longer verify. Amounts go in as strings.
    """
    if isinstance(value, float):
        raise TypeError(f"audit payload {where} is a float; record amounts as strings")
    if isinstance(value, Mapping):
        return {str(key): _exact(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_exact(item, f"{where}[{index}]") for index, item in enumerate(value)]
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"audit payload {where} is a {type(value).__name__}; use JSON values")


def _content(event: AuditEvent) -> dict[str, Any]:
    return {
        "actor": event.actor,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
    }


class AuditLog:
    """Queues a transaction's audit events and chains them just before it commits.

    The chain needs appenders to take turns (each links to the previous hash), so the
    events are written together at the end: one lock, held only from there to COMMIT,
    instead of from a request's first change to its last.
    """

    def __init__(self, session: AsyncSession, *, actor: str, request_id: str | None) -> None:
        self._session = session
        self.actor = actor
        self._request_id = request_id
        self._pending: list[AuditEvent] = []

    async def record(
        self,
        action: str,
        *,
        entity_type: str,
        entity_id: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue one state change, stamped now, to be chained and written with the commit."""
        self._pending.append(
            AuditEvent(
                occurred_at=utcnow(),
                actor=self.actor,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                before=_exact(before, "before") if before is not None else None,
                after=_exact(after, "after") if after is not None else None,
                request_id=self._request_id,
            )
        )

    def mark(self) -> int:
        """A point to come back to when a savepoint is rolled back."""
        return len(self._pending)

    def discard_since(self, mark: int) -> None:
        """Forget the events queued since a mark (their changes were rolled back)."""
        del self._pending[mark:]

    async def write(self) -> None:
        """Chain the queued events to the last one stored and add them to the transaction."""
        if not self._pending:
            return
        await self._lock()
        previous = await self._session.scalar(
            select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
        previous = previous or GENESIS_HASH
        for event in self._pending:
            event.prev_hash = previous
            event.hash = chain_hash(previous, event.occurred_at, _content(event))
            previous = event.hash
        self._session.add_all(self._pending)
        await self._session.flush()
        self._pending.clear()

    async def trail(self, entity_type: str, entity_id: str) -> list[AuditEvent]:
        """Every event about one entity, oldest first."""
        rows = await self._session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.seq)
        )
        return list(rows)

    async def _lock(self) -> None:
        # Appenders take turns, so two transactions never link to the same previous event.
        # SQLite transactions already hold the write lock (BEGIN IMMEDIATE).
        if self._session.bind.dialect.name == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY}
            )


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chain: how many events held, and the first broken link."""

    checked: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        """Whether every link held."""
        return self.broken_at is None


async def verify_chain(session: AsyncSession, *, batch: int = 1000) -> ChainReport:
    """Walk every event in order; report the first whose hash or link does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    result = await session.stream_scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    )
    async for event in result:
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, "links to a different previous event")
        if chain_hash(event.prev_hash, event.occurred_at, _content(event)) != event.hash:
            return ChainReport(checked, event.seq, "its content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked)
