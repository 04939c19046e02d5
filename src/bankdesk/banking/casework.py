"""What the fraud, dispute and compliance agents change, each change with its audit event:
the case they open under the customer's contact, its escalation, and the cards they block."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bankdesk.banking.context import AgentContext
from bankdesk.store.banking_models import Card, Case
from bankdesk.store.models import new_id


@dataclass(frozen=True, slots=True)
class Blocking:
    """The cards an agent blocked, and those it found blocked already."""

    blocked: tuple[Card, ...] = ()
    already: tuple[Card, ...] = ()


async def open_case(
    context: AgentContext,
    *,
    kind: str,
    customer_id: str | None,
    message: str,
    priority: str,
    details: Mapping[str, Any],
    audit: Mapping[str, Any],
    transaction_id: str | None = None,
    card_id: str | None = None,
    case_id: str | None = None,
) -> Case:
    """Open a fraud, dispute or complaint case under the contact case, with its
    `case.opened` event.

    `details` are kept on the case; `audit` is what the audit event records of them (JSON
    values, amounts as strings). `case_id` is for a case whose details quote its own id."""
    uow = context.uow
    contact = await uow.cases.get(context.case_id)
    case = Case(
        id=case_id or new_id(),
        kind=kind,
        status="open",
        customer_id=customer_id,
        parent_id=context.case_id,
        channel=contact.channel if contact is not None else "agent",
        message=message,
        transaction_id=transaction_id,
        card_id=card_id,
        priority=priority,
        details=dict(details),
    )
    await uow.cases.open(case, **audit)
    await uow.audit.record(
        "case.opened",
        entity_type="case",
        entity_id=case.id,
        after={
            "kind": kind,
            "status": case.status,
            "parent_id": context.case_id,
            "customer_id": customer_id,
            "transaction_id": transaction_id,
            "card_id": card_id,
            "priority": priority,
            **audit,
        },
    )
    return case


async def escalate_case(context: AgentContext, case: Case, *, reason: str) -> None:
    """Hand a case to a person, with its `case.escalated` event."""
    before = {"status": case.status, "priority": case.priority, "escalated": case.escalated}
    await context.uow.cases.escalate(case, reason=reason)
    await context.uow.audit.record(
        "case.escalated",
        entity_type="case",
        entity_id=case.id,
        before=before,
        after={"status": case.status, "priority": case.priority, "escalated": case.escalated,
               "reason": reason},
    )  # fmt: skip


async def block_cards(
    context: AgentContext, cards: list[Card], *, reason: str, case_id: str
) -> Blocking:
    """Block each active card, with a `card.blocked` event and a note on the case."""
    blocked, already = [], []
    for card in cards:
        if card.status != "active":
            already.append(card)
            continue
        before = card.status
        await context.uow.customers.block_card(card, reason=reason, at=context.now)
        await context.uow.audit.record(
            "card.blocked",
            entity_type="card",
            entity_id=card.id,
            before={"status": before},
            after={"status": card.status, "reason": reason, "case_id": case_id,
                   "last4": card.last4},
        )  # fmt: skip
        await context.uow.cases.note(case_id, "card_blocked", card_id=card.id, reason=reason)
        blocked.append(card)
    return Blocking(tuple(blocked), tuple(already))
