"""The customer-service (dispute) agent on the seeded customer: the payment it finds, the
policy's decision, and the dispute case and audit events it leaves."""

import asyncio
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.support.agents import run_agent
from tests.support.bank import NOW, SeededCustomer, seed_with

from bankdesk.banking.disputes import customer_service_agent
from bankdesk.banking.schemas import AgentResult, Urgency
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.audit import verify_chain
from bankdesk.store.banking_models import Case, CaseEvent, DepositAccount, Transaction
from bankdesk.store.cases import CaseRepository
from bankdesk.store.models import AuditEvent
from bankdesk.store.unit_of_work import UnitOfWork

LONG_DIGIT_RUN = re.compile(r"\d[\d -]{7,}\d")
SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."


@dataclass(frozen=True, slots=True)
class Seen:
    """What the agent left in the database, read back in a new transaction."""

    disputes: list[Case]
    contact_history: list[CaseEvent]
    contact_audit: list[AuditEvent]
    dispute_audit: dict[str, list[AuditEvent]]
    balance: Decimal
    chain_intact: bool


async def _ask(
    bankdesk: Bankdesk, message: str, customer_id: str | None, *, known: bool = True
) -> tuple[AgentResult, str]:
    return await run_agent(bankdesk, customer_service_agent, message, customer_id, known=known)


async def _look(bankdesk: Bankdesk, contact_id: str, seeded: SeededCustomer) -> Seen:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        disputes = await uow.cases.children(contact_id)
        account = await uow.session.get(DepositAccount, seeded.checking_id)
        assert account is not None
        return Seen(
            disputes=disputes,
            contact_history=await uow.cases.history(contact_id),
            contact_audit=await uow.audit.trail("case", contact_id),
            dispute_audit={case.id: await uow.audit.trail("case", case.id) for case in disputes},
            balance=account.balance,
            chain_intact=(await verify_chain(uow.session)).intact,
        )


def _payment(
    tx_id: str, seeded: SeededCustomer, *, days: float, merchant: str, amount: str,
    status: str = "posted",
) -> Transaction:  # fmt: skip
    return Transaction(
        id=tx_id, account_id=seeded.checking_id, card_id=seeded.card_id,
        occurred_at=NOW - timedelta(days=days), merchant=merchant, category="shopping",
        amount=Decimal(amount), currency="USD", country="US", channel="online", status=status,
    )  # fmt: skip


def _no_numbers(result: AgentResult, seeded: SeededCustomer) -> None:
    text = result.answer + result.model_dump_json()
    assert seeded.checking_number not in text
    assert seeded.checking_number[-8:] not in text
    assert not LONG_DIGIT_RUN.search(result.answer)  # case references included


async def test_seed_example_opens_a_dispute_with_provisional_credit(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, SEED_MESSAGE, seeded.customer_id)
    seen = await _look(bankdesk, contact_id, seeded)

    # The seed's expected output: card_dispute, high urgency, potential_fraud.
    analysis = result.analysis.model_dump()
    assert result.agent == "customer-service-agent"
    assert analysis["issue_type"] == "card_dispute"
    assert analysis["urgency"] == Urgency.HIGH
    assert "potential_fraud" in analysis["flags"]
    assert analysis["transaction"]["id"] == seeded.unfamiliar_id
    assert analysis["eligibility"]["outcome"] == "approve"
    [case] = seen.disputes
    assert (case.kind, case.status, case.priority) == ("dispute", "open", "high")
    assert case.parent_id == contact_id
    assert case.transaction_id == seeded.unfamiliar_id
    assert case.card_id == seeded.card_id
    policy = bankdesk.policies.get("dispute-eligibility").ref
    assert case.details["eligibility"] == {
        "outcome": "approve", "reasons": [], "rule": "approve",
        "policy": {"id": "dispute-eligibility", "version": policy.version},
        "inputs": {"days_since_transaction": 1, "status": "posted", "already_disputed": False,
                   "amount": "389.99", "reason": "unrecognised", "channel": "online",
                   "currency": "USD"},
    }  # fmt: skip
    assert case.details["provisional_credit"] == {
        "decision": "granted", "amount": "389.99", "currency": "USD", "status": "pending_posting",
    }  # fmt: skip
    assert case.details["reason_kind"] == "unrecognised"
    [opened] = seen.dispute_audit[case.id]
    assert opened.action == "case.opened"
    assert opened.after is not None
    assert opened.after["policy_version"] == policy.version
    assert opened.after["provisional_credit"] == "389.99"
    assert opened.after["transaction_id"] == seeded.unfamiliar_id
    assert seen.chain_intact
    assert [action.kind for action in result.actions] == ["case_opened", "provisional_credit"]
    assert seen.balance == Decimal("2450.12")  # the credit is for operations to post
    assert result.escalation_required is False
    assert case.id in result.answer
    assert "provisional credit of $389.99" in result.answer
    assert "flagged it as possible fraud" in result.answer
    _no_numbers(result, seeded)


async def test_second_dispute_on_the_same_payment_opens_nothing(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    first, first_contact = await _ask(bankdesk, SEED_MESSAGE, seeded.customer_id)
    result, contact_id = await _ask(
        bankdesk, "I want to dispute the $389.99 ELECTRO-MART payment", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded)
    [existing] = (await _look(bankdesk, first_contact, seeded)).disputes

    assert "already_disputed" in result.analysis.flags
    reasons = result.analysis.model_dump()["eligibility"]["reasons"]
    assert "ALREADY_DISPUTED" in [reason["code"] for reason in reasons]
    assert seen.disputes == []
    assert existing.id in result.answer
    assert first.analysis.model_dump()["case_id"] == existing.id


async def test_payment_older_than_120_days_is_not_eligible(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    old = _payment("tx_old", seeded, days=150, merchant="SONY STORE ONLINE", amount="-220.00")
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([old])
        await uow.commit()
    result, contact_id = await _ask(
        bankdesk, "I don't recognise the $220.00 Sony Store charge from June 25", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded)

    analysis = result.analysis.model_dump()
    assert analysis["transaction"]["id"] == "tx_old"
    assert analysis["eligibility"]["outcome"] == "decline"
    assert [r["code"] for r in analysis["eligibility"]["reasons"]] == ["TIME_LIMIT_EXCEEDED"]
    assert "not_eligible" in analysis["flags"]
    assert seen.disputes == []
    assert [event.kind for event in seen.contact_history][-1] == "dispute_not_opened"
    [refusal] = seen.contact_audit
    assert refusal.action == "dispute.not_opened"
    assert refusal.after is not None
    assert refusal.after["reason_codes"] == ["TIME_LIMIT_EXCEEDED"]
    assert "more than 120 days old" in result.answer


async def test_pending_payment_must_post_first(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(
        bankdesk, "I want to dispute the $140.00 Whole Foods payment from this morning",
        seeded.customer_id,
    )  # fmt: skip
    seen = await _look(bankdesk, contact_id, seeded)

    analysis = result.analysis.model_dump()
    assert analysis["transaction"]["id"] == seeded.pending_id
    assert "pending_transaction" in analysis["flags"]
    assert analysis["eligibility"]["outcome"] == "review"
    assert seen.disputes == []
    assert "still pending" in result.answer


async def test_two_odd_payments_last_night_ask_which_one(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    second = Transaction(
        id="tx_lviv", account_id=seeded.checking_id, card_id=seeded.card_id,
        occurred_at=NOW.replace(hour=22, minute=10) - timedelta(days=1),
        merchant="GADGET-HUB LVIV", category="electronics", amount=Decimal("-120.00"),
        currency="USD", country="UA", channel="online", status="posted",
    )  # fmt: skip
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([second])
        await uow.commit()
    result, contact_id = await _ask(bankdesk, SEED_MESSAGE, seeded.customer_id)
    seen = await _look(bankdesk, contact_id, seeded)

    analysis = result.analysis.model_dump()
    assert {"potential_fraud", "ambiguous_match"} <= set(analysis["flags"])
    assert {item["id"] for item in analysis["candidates"]} >= {seeded.unfamiliar_id, "tx_lviv"}
    assert seen.disputes == []
    assert "ELECTRO-MART KYIV" in result.answer
    assert "GADGET-HUB LVIV" in result.answer
    _no_numbers(result, seeded)


async def test_no_matching_payment(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(
        bankdesk, "Dispute the $75.00 Best Buy payment from Nov 3", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded)

    assert result.analysis.flags == ["no_matching_transaction"]
    assert seen.disputes == []
    assert "could not find a payment" in result.answer


async def test_large_amount_goes_to_an_analyst(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    large = _payment("tx_large", seeded, days=1, merchant="APPLE STORE", amount="-3200.00")
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([large])
        await uow.commit()
    result, contact_id = await _ask(
        bankdesk, "I didn't make the $3,200.00 Apple Store payment yesterday", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded)

    [case] = seen.disputes
    assert case.transaction_id == "tx_large"
    assert (case.status, case.escalated) == ("escalated", True)
    assert case.details["eligibility"]["outcome"] == "review"
    assert case.details["provisional_credit"] == {"decision": "not_granted"}
    assert [event.action for event in seen.dispute_audit[case.id]] == [
        "case.opened", "case.escalated",
    ]  # fmt: skip
    assert result.escalation_required is True
    assert "provisional_credit" not in [action.kind for action in result.actions]


async def test_double_charge_is_a_duplicate_not_fraud(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    again = _payment("tx_again", seeded, days=2 + 1 / 24, merchant="Netflix.com", amount="-15.49")
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([again])
        await uow.commit()
    result, contact_id = await _ask(
        bankdesk, "Netflix charged me twice this week", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded)

    analysis = result.analysis.model_dump()
    assert analysis["reason_kind"] == "duplicate"
    assert "potential_fraud" not in analysis["flags"]
    assert analysis["urgency"] == Urgency.NORMAL
    [case] = seen.disputes
    assert case.transaction_id == "tx_again"  # the later of the two is the duplicate
    assert case.details["provisional_credit"]["amount"] == "15.49"


async def test_no_identification(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, SEED_MESSAGE, None)
    seen = await _look(bankdesk, contact_id, seeded)

    assert result.analysis.flags == ["unidentified"]
    assert seen.disputes == []


async def test_unknown_customer(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, SEED_MESSAGE, "cust_nobody", known=False)
    seen = await _look(bankdesk, contact_id, seeded)

    assert result.analysis.flags == ["unknown_customer"]
    assert seen.disputes == []


async def test_two_contacts_at_once_open_one_dispute(
    bankdesk: Bankdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = await seed_with(bankdesk)
    if bankdesk.database.dialect == "postgresql":
        _look_up_disputes_together(monkeypatch)  # SQLite serialises the two transactions
    answers = await asyncio.gather(
        *(_ask(bankdesk, SEED_MESSAGE, seeded.customer_id) for _ in range(2))
    )
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        [case] = await uow.cases.disputes_of(seeded.unfamiliar_id)
        trail = await uow.audit.trail("case", case.id)
        chain_intact = (await verify_chain(uow.session)).intact

    flags = sorted("already_disputed" in result.analysis.flags for result, _ in answers)
    assert flags == [False, True]
    assert all(case.id in result.answer for result, _ in answers)
    credits = [a.kind for result, _ in answers for a in result.actions]
    assert credits.count("provisional_credit") == 1
    assert [event.action for event in trail] == ["case.opened"]
    assert chain_intact


def _look_up_disputes_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the first two look-ups until both are done, so both contacts find no dispute
    and both try to open one: the race, every time rather than now and then."""
    original = CaseRepository.disputes_of
    barrier = asyncio.Barrier(2)
    calls = 0

    async def together(self: CaseRepository, transaction_id: str) -> list[Case]:
        nonlocal calls
        found = await original(self, transaction_id)
        calls += 1
        if calls <= 2:
            async with asyncio.timeout(10):
                await barrier.wait()
        return found

    monkeypatch.setattr(CaseRepository, "disputes_of", together)
