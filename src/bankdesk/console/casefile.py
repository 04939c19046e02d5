"""Everything an underwriter reads before deciding a task, gathered from the stores."""

from dataclasses import dataclass, field
from typing import Any

from bankdesk.banking.records import CaseRecord, CaseSummary, case_record
from bankdesk.console.pages import (
    FIELD_LABELS,
    Piece,
    TraceStep,
    field_label,
    marked_text,
    masked,
    shown,
    trace_steps,
)
from bankdesk.domain.access import Permission, Role, allows
from bankdesk.lending.records import ApplicationRecord, AuditEntryView, application_record
from bankdesk.reviews.schemas import TaskView
from bankdesk.store.banking_models import Customer
from bankdesk.store.models import ApiKey, Decision, LoanApplication
from bankdesk.store.review_models import ReviewTask
from bankdesk.store.unit_of_work import UnitOfWork

HISTORY_LIMIT = 10


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One application field: its value, where it came from, and its highlight colour."""

    name: str
    label: str
    value: str
    note: str
    source: str
    colour: int | None


@dataclass(slots=True)
class CaseFile:
    """The task and what it is about: an application or a banking case, with context."""

    task: TaskView
    application: ApplicationRecord | None = None
    text: list[Piece] = field(default_factory=list)
    fields: list[FieldRow] = field(default_factory=list)
    colours: dict[str, int] = field(default_factory=dict)
    unsure: dict[str, str] = field(default_factory=dict)
    trace: list[TraceStep] = field(default_factory=list)
    case: CaseRecord | None = None
    message: str | None = None
    customer: Customer | None = None
    history: list[tuple[LoanApplication, Decision]] = field(default_factory=list)
    related_cases: list[CaseSummary] = field(default_factory=list)
    audit: list[AuditEntryView] = field(default_factory=list)
    full_audit: bool = False


async def case_file(uow: UnitOfWork, task: ReviewTask, view: TaskView, key: ApiKey) -> CaseFile:
    """The case file of a task, as the signed-in key may see it: the review's own audit
    trail always, the application's or case's too for keys that read the audit trail."""
    full_audit = allows(Role(key.role), Permission.READ_AUDIT_TRAIL)
    found = CaseFile(task=view, full_audit=full_audit)
    if task.application_id is not None:
        await _application(uow, found, task.application_id, full_audit=full_audit)
    if task.case_id is not None:
        await _case(uow, found, task.case_id, full_audit=full_audit)
    trail = await uow.audit.trail("review", task.id)
    found.audit = sorted(
        [*found.audit, *(AuditEntryView.model_validate(event) for event in trail)],
        key=lambda entry: entry.seq,
    )
    return found


async def _application(
    uow: UnitOfWork, found: CaseFile, application_id: str, *, full_audit: bool
) -> None:
    record = await application_record(uow, application_id, with_audit=full_audit)
    if record is None:
        return
    found.application = record
    found.audit = list(record.audit_trail or [])
    evidence: dict[str, Any] = record.evidence
    found.colours = {name: index % 8 + 1 for index, name in enumerate(evidence)}
    if record.channel == "intake":  # the text is what the borrower wrote; spans point into it
        found.text = marked_text(record.raw_request, evidence)
    else:
        found.text = [Piece(masked(record.raw_request))]
    stored = record.fields.model_dump()
    names = [name for name in FIELD_LABELS if name in stored]
    found.fields = [
        FieldRow(
            name=name,
            label=field_label(name),
            value=masked(shown(stored[name])),
            note=masked(str(evidence.get(name, {}).get("note", ""))),
            source=str(evidence.get(name, {}).get("source", "")),
            colour=found.colours.get(name),
        )
        for name in names
    ]
    found.unsure = {name: masked(why) for name, why in record.unsure.items()}
    if record.decision is not None:
        found.trace = trace_steps(record.decision.trace)
    if record.applicant_id is not None:
        await _customer(uow, found, record.applicant_id, skip_application=application_id)


async def _case(uow: UnitOfWork, found: CaseFile, case_id: str, *, full_audit: bool) -> None:
    record = await case_record(uow, case_id, with_audit=full_audit)
    if record is None:
        return
    found.case = record
    found.audit = [*found.audit, *(record.audit_trail or [])]
    found.message = masked(record.message) if record.message else None
    if record.customer_id is not None:
        await _customer(uow, found, record.customer_id, skip_case=case_id)


async def _customer(
    uow: UnitOfWork,
    found: CaseFile,
    customer_id: str,
    *,
    skip_application: str | None = None,
    skip_case: str | None = None,
) -> None:
    """The customer's record, other applications and banking cases (applicant ids are
    customer ids when the borrower banks with us)."""
    found.customer = await uow.customers.get(customer_id)
    history = await uow.applications.history(customer_id, limit=HISTORY_LIMIT + 1)
    found.history = [pair for pair in history if pair[0].id != skip_application][:HISTORY_LIMIT]
    cases = await uow.cases.for_customer(customer_id)
    found.related_cases = [
        CaseSummary.model_validate(case) for case in cases if case.id != skip_case
    ][:HISTORY_LIMIT]
