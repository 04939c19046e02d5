"""Loan applications with their decisions and notices."""

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.store.models import Applicant, Decision, LoanApplication, Notice, utcnow


class ApplicationRepository:
    """Add and read applications, decisions and outgoing notices."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, application: LoanApplication) -> LoanApplication:
        """Store an application and give it its id."""
        self._session.add(application)
        await self._session.flush()
        return application

    async def add_decision(self, decision: Decision, notice: Notice) -> None:
        """Store a decision with the notice it sends."""
        self._session.add_all([decision, notice])
        await self._session.flush()

    async def ensure_applicant(self, applicant_id: str) -> None:
        """Create the applicant on first sight; concurrent first sights do not collide."""
        dialect = self._session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self._session.execute(
            insert(Applicant).values(id=applicant_id, created_at=utcnow()).on_conflict_do_nothing()
        )

    async def get(self, application_id: str) -> LoanApplication | None:
        """One application by id."""
        return await self._session.get(LoanApplication, application_id)

    async def decision_for(self, application_id: str) -> Decision | None:
        """The decision on an application, if one was made."""
        return await self._session.scalar(
            select(Decision).where(Decision.application_id == application_id)
        )

    async def notices_for(self, application_id: str) -> list[Notice]:
        """Outgoing notices for an application, oldest first."""
        rows = await self._session.scalars(
            select(Notice)
            .where(Notice.application_id == application_id)
            .order_by(Notice.created_at)
        )
        return list(rows)

    async def history(
        self, applicant_id: str, *, channel: str | None = None, limit: int = 10
    ) -> list[tuple[LoanApplication, Decision]]:
        """An applicant's decided applications (on one channel, when given), newest first."""
        query = (
            select(LoanApplication, Decision)
            .join(Decision, Decision.application_id == LoanApplication.id)
            .where(LoanApplication.applicant_id == applicant_id)
        )
        if channel is not None:
            query = query.where(LoanApplication.channel == channel)
        rows = await self._session.execute(
            query.order_by(LoanApplication.created_at.desc(), LoanApplication.id.desc()).limit(
                limit
            )
        )
        return [(application, decision) for application, decision in rows]
