"""One transaction and the repositories that work inside it; the caller commits."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bankdesk.store.applications import ApplicationRepository
from bankdesk.store.audit import AuditLog
from bankdesk.store.cases import CaseRepository
from bankdesk.store.console_sessions import ConsoleSessionRepository
from bankdesk.store.customers import CustomerRepository
from bankdesk.store.idempotency import IdempotencyRepository
from bankdesk.store.keys import ApiKeyRepository
from bankdesk.store.model_calls import ModelCallRepository
from bankdesk.store.reviews import ReviewRepository


class UnitOfWork:
    """A session with its repositories; leaving without commit() rolls everything back."""

    session: AsyncSession
    applications: ApplicationRepository
    keys: ApiKeyRepository
    console_sessions: ConsoleSessionRepository
    idempotency: IdempotencyRepository
    model_calls: ModelCallRepository
    customers: CustomerRepository
    cases: CaseRepository
    reviews: ReviewRepository
    audit: AuditLog

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        actor: str = "system",
        request_id: str | None = None,
    ) -> None:
        self._sessions = sessions
        self.actor = actor
        self.request_id = request_id

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.applications = ApplicationRepository(self.session)
        self.keys = ApiKeyRepository(self.session)
        self.console_sessions = ConsoleSessionRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.model_calls = ModelCallRepository(self.session)
        self.customers = CustomerRepository(self.session)
        self.cases = CaseRepository(self.session, actor=self.actor)
        self.reviews = ReviewRepository(self.session)
        self.audit = AuditLog(self.session, actor=self.actor, request_id=self.request_id)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects with
        # their values (a rollback would expire them, so nothing read could be used after).
        await self.session.close()

    def act_as(self, actor: str) -> None:
        """Record who is acting from now on (once the caller is authenticated)."""
        self.actor = actor
        self.audit.actor = actor
        self.cases.actor = actor

    async def commit(self) -> None:
        """Chain the unit's audit events, then make everything done in it permanent."""
        await self.audit.write()
        await self.session.commit()

    async def rollback(self) -> None:
        """Undo everything done in this unit since the last commit."""
        await self.session.rollback()
