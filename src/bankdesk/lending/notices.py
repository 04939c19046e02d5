"""The outbox: an outgoing notice to an applicant, recorded and audited (a worker delivers it)."""

from typing import Any

from bankdesk.store.models import Notice
from bankdesk.store.unit_of_work import UnitOfWork


async def record_notice(
    uow: UnitOfWork, application_id: str, kind: str, payload: dict[str, Any]
) -> Notice:
    """Queue a notice of this kind for the application's applicant, with its audit event."""
    notice = Notice(application_id=application_id, kind=kind, payload=payload)
    uow.session.add(notice)
    await uow.session.flush()
    await uow.audit.record(
        "notice.queued",
        entity_type="application",
        entity_id=application_id,
        after={"notice_id": notice.id, "kind": notice.kind},
    )
    return notice
