"""The customer-service agent (the seed's dispute handler): find the disputed payment, ask
the dispute-eligibility policy, and open a dispute case with the policy's decision.

A dispute is opened only on a payment the message singles out; otherwise the customer is
asked which payment they mean. The policy decides: approve opens the dispute with a
provisional credit, review opens it and hands it to an analyst, decline (and a payment
still pending) opens nothing and says why. The provisional credit is recorded on the case
for operations to post; this agent does not change balances.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError

from bankdesk.banking.casework import escalate_case, open_case
from bankdesk.banking.context import (
    AgentContext,
    identify,
)
from bankdesk.banking.formatting import format_money
from bankdesk.banking.matching import MatchResult, MatchStatus, describe, match_transactions
from bankdesk.banking.matching import summary as transaction_summary
from bankdesk.banking.schemas import Action, AgentRequest, AgentResult, Analysis, Urgency
from bankdesk.domain.decision import Outcome, PolicyResult, Reason
from bankdesk.domain.errors import PolicyInputRejected
from bankdesk.domain.money import to_cents
from bankdesk.store.banking_models import Case, Transaction

AGENT = "customer-service-agent"
ISSUE_TYPE = "card_dispute"
POLICY_ID = "dispute-eligibility"
HISTORY = timedelta(days=400)  # beyond the 120-day limit, so an old payment is found and told
HISTORY_LIMIT = 2000
SHOWN = 5
PENDING = "TRANSACTION_PENDING"
REASON_CUES = (
    ("not_received", re.compile(
        r"\b(never (arrived|came|received|got|delivered)|not (arrived|received|delivered)|"
        r"didn'?t (arrive|receive|get)|haven'?t (received|got)|non-?delivery)\b")),
    ("cancelled", re.compile(
        r"\b(cancell?ed|cancell?ation|unsubscribed|returned (it|them|the item))\b")),
    ("wrong_amount", re.compile(
        r"\b(wrong amount|overcharged|charged (me )?(more|too much|extra)|incorrect amount|"
        r"different amount|should (have been|be) (only )?\$?\d)")),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Dispute:
    """The payment in question, why it is disputed, and what the policy decided."""

    transaction: Transaction
    card_last4: str | None
    reason_kind: str
    potential_fraud: bool
    inputs: dict[str, Any]
    eligibility: PolicyResult

    @property
    def credit(self) -> Decimal:
        """The provisional credit the policy grants (zero unless approved)."""
        if self.eligibility.outcome is not Outcome.APPROVE:
            return Decimal(0)
        return to_cents(self.eligibility.figures.get("provisional_credit", Decimal(0)))

    @property
    def waits(self) -> bool:
        """Whether the payment must post before it can be disputed."""
        return any(reason.code == PENDING for reason in self.eligibility.reasons)

    def record(self) -> dict[str, Any]:
        """The eligibility decision as the case and the analysis keep it (JSON, no floats)."""
        result = self.eligibility
        rule = result.trace.get("outcome", {}).get("traceData", {}).get("rule", {})
        return {
            "outcome": result.outcome.value,
            "reasons": [{"code": r.code, "message": r.message} for r in result.reasons],
            "policy": {"id": result.policy.id, "version": result.policy.version},
            "rule": rule.get("_id"),
            "inputs": {key: str(value) if isinstance(value, Decimal) else value
                       for key, value in self.inputs.items()},
        }  # fmt: skip

    def provisional_credit(self) -> dict[str, Any]:
        """The provisional credit decision, kept on the case for operations to post."""
        if self.credit <= 0:
            return {"decision": "not_granted"}
        return {"decision": "granted", "amount": str(self.credit),
                "currency": self.transaction.currency, "status": "pending_posting"}  # fmt: skip


def reason_kind(message: str, *, unfamiliar: bool, duplicate: bool) -> str:
    """Why the customer disputes: unrecognised, duplicate, not_received, cancelled,
    wrong_amount or other (the policy's reason kinds)."""
    if unfamiliar:
        return "unrecognised"
    if duplicate:
        return "duplicate"
    text = " ".join(message.lower().replace("\u2019", "'").split())
    return next((kind for kind, cue in REASON_CUES if cue.search(text)), "other")


async def customer_service_agent(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    """Handle a card dispute: find the payment, check eligibility, open the dispute."""
    customer = await identify(request, context, agent=AGENT, issue_type=ISSUE_TYPE)
    if isinstance(customer, AgentResult):
        return customer
    message = request.payload.message
    history = await context.uow.customers.transactions(
        customer.id, since=context.now - HISTORY, limit=HISTORY_LIMIT
    )
    match = match_transactions(message, history, now=context.now, home_country=customer.country)
    clues = match.clues
    kind = reason_kind(message, unfamiliar=clues.unfamiliar, duplicate=clues.duplicate)
    if match.best is None:
        return _unmatched(match, potential_fraud=kind == "unrecognised")
    item = match.best.transaction
    existing = await context.uow.cases.disputes_of(item.id)
    cards = {card.id: card.last4 for card in await context.uow.customers.cards(customer.id)}
    card_last4 = cards.get(item.card_id or "")
    dispute = _decide(context, item, kind=kind, card_last4=card_last4, existing=existing)
    if existing:
        return _already_disputed(dispute, existing[0])
    if dispute.eligibility.outcome is Outcome.DECLINE or dispute.waits:
        await _record_not_opened(context, dispute)
        return _not_opened(dispute)
    case, opened = await _open_dispute(context, dispute, customer_id=customer.id, message=message)
    if not opened:  # another contact opened it since we looked
        dispute = _decide(context, item, kind=kind, card_last4=card_last4, existing=[case])
        return _already_disputed(dispute, case)
    return _opened(dispute, case, evidence=match.best.evidence())


def _decide(
    context: AgentContext, item: Transaction, *, kind: str, card_last4: str | None,
    existing: list[Case],
) -> Dispute:  # fmt: skip
    """The payment, why it is disputed, and the eligibility policy's decision on it."""
    inputs = _policy_inputs(context, item, kind=kind, already_disputed=bool(existing))
    return Dispute(
        transaction=item,
        card_last4=card_last4,
        reason_kind=kind,
        potential_fraud=kind == "unrecognised",
        inputs=inputs,
        eligibility=_eligibility(context, inputs),
    )


def _policy_inputs(
    context: AgentContext, item: Transaction, *, kind: str, already_disputed: bool
) -> dict[str, Any]:
    """What the eligibility policy decides on, from the payment and the message."""
    return {
        "days_since_transaction": max((context.now.date() - item.occurred_at.date()).days, 0),
        "status": item.status,
        "already_disputed": already_disputed,
        "amount": to_cents(abs(item.amount)),
        "reason": kind,
        "channel": item.channel,
        "currency": item.currency,
    }


def _eligibility(context: AgentContext, inputs: dict[str, Any]) -> PolicyResult:
    """The policy's decision; values it refuses send the dispute to an analyst (fail closed)."""
    try:
        return context.policies.evaluate(POLICY_ID, inputs)
    except PolicyInputRejected as error:
        message = f"The dispute could not be assessed automatically ({error.detail})."
        return PolicyResult(
            outcome=Outcome.REVIEW,
            policy=context.policies.get(POLICY_ID).ref,
            reasons=(Reason(code="POLICY_INPUT_REJECTED", message=message),),
        )


async def _open_dispute(
    context: AgentContext, dispute: Dispute, *, customer_id: str, message: str
) -> tuple[Case, bool]:
    """Open the dispute case (True), or find the one a concurrent contact opened (False).

    The look-up before cannot see a dispute another transaction has not committed yet; the
    unique index on disputed transactions can, so the case is opened in a savepoint and a
    refusal answers as "already disputed" (no second case, no second provisional credit)."""
    mark = context.uow.audit.mark()
    try:
        async with context.uow.session.begin_nested():
            case = await _open_and_route(context, dispute, customer_id=customer_id, message=message)
    except IntegrityError:
        context.uow.audit.discard_since(mark)
        existing = await context.uow.cases.disputes_of(dispute.transaction.id)
        if not existing:
            raise  # not the one-dispute rule: a fault to surface, not an answer
        return existing[0], False
    return case, True


async def _open_and_route(
    context: AgentContext, dispute: Dispute, *, customer_id: str, message: str
) -> Case:
    """Open the dispute case; a review outcome hands it to an analyst at once."""
    item, decision = dispute.transaction, dispute.record()
    case = await open_case(
        context,
        kind="dispute",
        customer_id=customer_id,
        message=message,
        transaction_id=item.id,
        card_id=item.card_id,
        priority="high" if dispute.potential_fraud else "normal",
        details={
            "agent": AGENT,
            "reason_kind": dispute.reason_kind,
            "potential_fraud": dispute.potential_fraud,
            "transaction": transaction_summary(item, card_last4=dispute.card_last4),
            "eligibility": decision,
            "provisional_credit": dispute.provisional_credit(),
        },
        audit={
            "reason_kind": dispute.reason_kind,
            "eligibility": decision["outcome"],
            "reason_codes": [reason["code"] for reason in decision["reasons"]],
            "policy_id": decision["policy"]["id"],
            "policy_version": decision["policy"]["version"],
            "provisional_credit": str(dispute.credit),
        },
    )
    if dispute.eligibility.outcome is Outcome.REVIEW:
        codes = ", ".join(reason["code"] for reason in decision["reasons"])
        await escalate_case(context, case, reason=f"dispute needs an analyst: {codes}")
    return case


async def _record_not_opened(context: AgentContext, dispute: Dispute) -> None:
    """Keep the refusal on the contact case and in the audit log: a decision is evidence."""
    decision = dispute.record()
    await context.uow.cases.note(
        context.case_id, "dispute_not_opened", transaction_id=dispute.transaction.id, **decision
    )
    await context.uow.audit.record(
        "dispute.not_opened",
        entity_type="case",
        entity_id=context.case_id,
        after={
            "transaction_id": dispute.transaction.id,
            "eligibility": decision["outcome"],
            "reason_codes": [reason["code"] for reason in decision["reasons"]],
            "policy_id": decision["policy"]["id"],
            "policy_version": decision["policy"]["version"],
        },
    )


def _analysis(dispute: Dispute, *, flags: list[str], **extra: Any) -> Analysis:
    if dispute.potential_fraud:
        flags = ["potential_fraud", *flags]
    return Analysis(
        issue_type=ISSUE_TYPE,
        urgency=Urgency.HIGH if dispute.potential_fraud else Urgency.NORMAL,
        flags=flags,
        reason_kind=dispute.reason_kind,
        transaction=transaction_summary(dispute.transaction, card_last4=dispute.card_last4),
        eligibility=dispute.record(),
        **extra,
    )


def _opened(dispute: Dispute, case: Case, *, evidence: dict[str, Any]) -> AgentResult:
    """The answer once the dispute case is open."""
    review = dispute.eligibility.outcome is Outcome.REVIEW
    money = format_money(dispute.credit, dispute.transaction.currency)
    actions = [Action(kind="case_opened", detail="dispute case opened", reference=case.id)]
    lines = [
        f"We found the payment you mean: {describe(dispute.transaction)}.",
        f"We have opened dispute {case.id} for it.",
    ]
    if dispute.credit > 0:
        actions.append(Action(kind="provisional_credit", reference=case.id,
                              detail=f"provisional credit of {money} to be posted"))  # fmt: skip
        lines.append(
            f"We have approved a provisional credit of {money}, which will be added to your "
            "account while we investigate; it becomes permanent if the dispute is decided "
            "in your favour."
        )
    if review:
        actions.append(Action(kind="escalated", detail="dispute sent to an analyst",
                              reference=case.id))  # fmt: skip
        lines += [reason.message for reason in dispute.eligibility.reasons]
        lines.append("A member of our disputes team will review it and contact you.")
    lines += _fraud_advice(dispute)
    return AgentResult(
        agent=AGENT,
        analysis=_analysis(dispute, flags=["escalated"] if review else [], case_id=case.id,
                           match=evidence, provisional_credit=dispute.provisional_credit()),
        actions=actions,
        answer="\n".join(lines),
        notes=[f"matched {dispute.transaction.id}: " + "; ".join(evidence["reasons"])],
        escalation_required=review,
    )  # fmt: skip


def _not_opened(dispute: Dispute) -> AgentResult:
    """The answer when the policy declines, or the payment must post first."""
    lines = [f"We found the payment you mean: {describe(dispute.transaction)}."]
    if dispute.waits:
        lines.append(
            "It is still pending, so it cannot be disputed yet: pending payments often change "
            "or drop off. If it is still there once it has posted, contact us again and we "
            "will open the dispute."
        )
    else:
        lines.append("Unfortunately we cannot open a dispute for it:")
        lines += [f"- {reason.message}" for reason in dispute.eligibility.reasons]
    lines += _fraud_advice(dispute)
    flags = ["pending_transaction"] if dispute.waits else ["not_eligible"]
    return AgentResult(
        agent=AGENT,
        analysis=_analysis(dispute, flags=flags),
        actions=[Action(kind="dispute_not_opened", detail=dispute.eligibility.outcome.value,
                        reference=dispute.transaction.id)],
        answer="\n".join(lines),
        notes=[f"policy {dispute.eligibility.policy.id}: {dispute.eligibility.outcome.value}"],
    )  # fmt: skip


def _already_disputed(dispute: Dispute, existing: Case) -> AgentResult:
    """The answer when a dispute is already open on the payment: no second case."""
    return AgentResult(
        agent=AGENT,
        analysis=_analysis(dispute, flags=["already_disputed"], case_id=existing.id,
                           case_status=existing.status),
        actions=[Action(kind="existing_case", detail="dispute already open",
                        reference=existing.id)],
        answer=f"We found the payment you mean: {describe(dispute.transaction)}. It is already "
        f"being disputed under case {existing.id} (status: {existing.status.replace('_', ' ')}), "
        "so there is no need to raise it again; we will contact you when it is decided.",
        notes=[f"dispute {existing.id} already open on {dispute.transaction.id}"],
    )  # fmt: skip


def _unmatched(match: MatchResult, *, potential_fraud: bool) -> AgentResult:
    """No single payment fits: list the candidates (or ask for details); open nothing."""
    ambiguous = match.status is MatchStatus.AMBIGUOUS
    shown = match.candidates[:SHOWN]
    flags = ["ambiguous_match"] if ambiguous else ["no_matching_transaction"]
    if ambiguous:
        answer = "\n".join([
            "We found more than one payment that could be the one you mean:",
            *[f"- {describe(candidate.transaction)}" for candidate in shown],
            "Please tell us which one it is (the merchant, date and amount) and we will open "
            "the dispute on it.",
        ])  # fmt: skip
    else:
        answer = (
            "We could not find a payment that matches your description. Please tell us the "
            "date, the amount and the merchant as they appear on your statement, and we will "
            "open the dispute."
        )
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(
            issue_type=ISSUE_TYPE,
            urgency=Urgency.HIGH if potential_fraud else Urgency.NORMAL,
            flags=(["potential_fraud"] if potential_fraud else []) + flags,
            candidates=[transaction_summary(candidate.transaction) for candidate in shown],
            match_status=match.status.value,
        ),
        actions=[Action(kind="confirm_transaction", detail="customer to say which payment")],
        answer=answer,
        notes=[f"{c.transaction.id}: {c.score} ({'; '.join(c.reasons)})" for c in shown],
    )


def _fraud_advice(dispute: Dispute) -> list[str]:
    # The card itself is the fraud check's to block (the planner runs it alongside for a
    # payment the customer does not recognise); advice here could contradict what it did.
    if not dispute.potential_fraud:
        return []
    return ["As you do not recognise this payment, we have flagged it as possible fraud."]
