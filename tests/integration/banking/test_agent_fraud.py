"""The fraud-check agent on the seeded customer: what it finds, blocks, opens and escalates."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.support.agents import run_agent
from tests.support.bank import NOW, SeededCustomer, seed_with

from bankdesk.banking.fraud import fraud_check_agent
from bankdesk.banking.schemas import AgentResult, Urgency
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.audit import verify_chain
from bankdesk.store.banking_models import Card, Case, CaseEvent, Transaction
from bankdesk.store.unit_of_work import UnitOfWork

LONG_DIGIT_RUN = re.compile(r"\d[\d -]{7,}\d")
SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."


@dataclass(frozen=True, slots=True)
class Seen:
    """What the agent left in the database, read back in a new transaction."""

    card: Card
    cases: list[Case]
    history: dict[str, list[CaseEvent]]
    audit: dict[str, list[str]]
    card_audit: list[tuple[str, dict | None, dict | None]]
    chain_intact: bool


async def _ask(
    bankdesk: Bankdesk, message: str, customer_id: str | None, *, known: bool = True
) -> tuple[AgentResult, str]:
    return await run_agent(bankdesk, fraud_check_agent, message, customer_id, known=known)


async def _look(bankdesk: Bankdesk, contact_id: str, card_id: str) -> Seen:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        card = await uow.session.get(Card, card_id)
        assert card is not None
        cases = await uow.cases.children(contact_id)
        history = {case.id: await uow.cases.history(case.id) for case in cases}
        audit = {
            case.id: [event.action for event in await uow.audit.trail("case", case.id)]
            for case in cases
        }
        card_audit = [
            (event.action, event.before, event.after)
            for event in await uow.audit.trail("card", card_id)
        ]
        report = await verify_chain(uow.session)
    return Seen(card, cases, history, audit, card_audit, report.intact)


def _foreign(tx_id: str, seeded: SeededCustomer, *, minutes: int, amount: str) -> Transaction:
    """A payment in Romania late last night, minutes after 23:00."""
    return Transaction(
        id=tx_id, account_id=seeded.checking_id, card_id=seeded.card_id,
        occurred_at=NOW.replace(hour=23, minute=minutes) - timedelta(days=1),
        merchant="GIFTCARDS-4U BUCHAREST", category="shopping", amount=Decimal(amount),
        currency="USD", country="RO", channel="online", status="posted",
    )  # fmt: skip


def _no_numbers(result: AgentResult, seeded: SeededCustomer) -> None:
    """Only the last four digits of a card, and nothing of an account number, are shown."""
    text = result.answer + result.model_dump_json()
    assert seeded.checking_number not in text
    assert seeded.checking_number[-8:] not in text
    assert not LONG_DIGIT_RUN.search(result.answer)  # case references included


async def test_unfamiliar_payment_last_night_is_critical_blocks_the_card_and_escalates(
    bankdesk: Bankdesk,
) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, SEED_MESSAGE, seeded.customer_id)
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    analysis = result.analysis.model_dump()
    assert analysis["issue_type"] == "fraud_report"
    assert analysis["urgency"] == Urgency.CRITICAL
    assert {"potential_fraud", "new_country", "unusual_amount", "card_blocked"} <= set(
        analysis["flags"]
    )
    assert analysis["risk_score"] >= 80
    assert [item["id"] for item in analysis["transactions"]] == [seeded.unfamiliar_id]
    assert analysis["transactions"][0]["amount"] == "-389.99"
    assert analysis["transactions"][0]["card"] == f"card ending {seeded.card_last4}"
    assert result.escalation_required is True
    assert seen.card.status == "blocked"
    assert seen.card.block_reason == "suspected_fraud"
    assert seen.card.blocked_at == NOW
    [case] = seen.cases
    assert (case.kind, case.status, case.priority, case.escalated) == (
        "fraud", "escalated", "urgent", True,
    )  # fmt: skip
    assert case.transaction_id == seeded.unfamiliar_id
    assert case.card_id == seeded.card_id
    assert case.customer_id == seeded.customer_id
    assert case.details["risk_score"] == analysis["risk_score"]
    assert case.details["transaction_ids"] == [seeded.unfamiliar_id]
    assert "new_country" in case.details["signals"][seeded.unfamiliar_id]
    assert [event.kind for event in seen.history[case.id]] == [
        "opened", "card_blocked", "status_changed",
    ]  # fmt: skip
    assert seen.audit[case.id] == ["case.opened", "case.escalated"]
    assert seen.card_audit == [
        (
            "card.blocked",
            {"status": "active"},
            {"status": "blocked", "reason": "suspected_fraud", "case_id": case.id,
             "last4": seeded.card_last4},
        )
    ]  # fmt: skip
    assert seen.chain_intact
    assert f"card ending {seeded.card_last4}" in result.answer
    assert "ELECTRO-MART KYIV, $389.99 on November 21, 2026" in result.answer
    assert case.id in result.answer
    _no_numbers(result, seeded)


async def test_lost_card_is_blocked_with_that_reason(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(
        bankdesk, "Help, I think I lost my card at the airport this morning!", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    assert {"potential_fraud", "card_lost", "card_blocked"} <= set(result.analysis.flags)
    assert seen.card.status == "blocked"
    assert seen.card.block_reason == "lost"
    [case] = seen.cases
    assert case.kind == "fraud"
    assert case.card_id == seeded.card_id
    assert case.details["statement"] == "lost"
    assert [action for action, _before, _after in seen.card_audit] == ["card.blocked"]
    assert f"blocked your card ending {seeded.card_last4}" in result.answer
    _no_numbers(result, seeded)


async def test_card_blocked_already_is_not_blocked_twice(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    await _ask(bankdesk, "My card was stolen", seeded.customer_id)
    result, contact_id = await _ask(bankdesk, "My card was stolen", seeded.customer_id)
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    assert "card_blocked" not in result.analysis.flags
    assert result.analysis.model_dump()["cards_not_active"] == [
        f"card ending {seeded.card_last4}: blocked"
    ]
    assert len(seen.card_audit) == 1
    assert f"card ending {seeded.card_last4} is already blocked" in result.answer


async def test_stolen_card_without_identification_gets_blocking_advice_only(
    bankdesk: Bankdesk,
) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, "My wallet was stolen with my debit card", None)
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    assert {"card_stolen", "unidentified"} <= set(result.analysis.flags)
    assert result.analysis.urgency == Urgency.HIGH
    assert "Block card" in result.answer
    assert [action.kind for action in result.actions] == ["identify_customer", "card_block_advice"]
    assert seen.card.status == "active"
    assert seen.cases == []


async def test_no_identification(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, SEED_MESSAGE, None)
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    assert result.analysis.flags == ["unidentified"]
    assert [action.kind for action in result.actions] == ["identify_customer"]
    assert seen.cases == []


async def test_unknown_customer(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(bankdesk, "My card was stolen", "cust_nobody", known=False)
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    assert "unknown_customer" in result.analysis.flags
    assert "Block card" in result.answer
    assert seen.card.status == "active"
    assert seen.cases == []


async def test_several_foreign_payments_within_minutes_escalate_with_velocity(
    bankdesk: Bankdesk,
) -> None:
    seeded = await seed_with(bankdesk)
    burst = [
        _foreign(f"tx_burst_{n}", seeded, minutes=5 + 9 * n, amount="-250.00") for n in range(4)
    ]
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all(burst)
        await uow.commit()
    result, contact_id = await _ask(
        bankdesk, "There are several payments in Romania I didn't make!", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    flags = set(result.analysis.flags)
    assert {"potential_fraud", "velocity", "new_country", "card_blocked"} <= flags
    suspects = {item["id"] for item in result.analysis.model_dump()["transactions"]}
    assert suspects == {item.id for item in burst}
    assert result.escalation_required is True
    [case] = seen.cases
    assert case.escalated is True
    assert set(case.details["transaction_ids"]) == suspects
    assert seen.card.status == "blocked"


async def test_familiar_merchant_is_low_risk_and_not_escalated(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(
        bankdesk, "I don't recognise the Netflix payment from 2 days ago", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    analysis = result.analysis.model_dump()
    assert [item["merchant"] for item in analysis["transactions"]] == ["Netflix.com"]
    assert analysis["urgency"] == Urgency.LOW
    assert analysis["risk_score"] < 30
    assert "potential_fraud" not in analysis["flags"]
    assert result.escalation_required is False
    assert seen.card.status == "active"
    [case] = seen.cases
    assert (case.priority, case.status, case.escalated) == ("low", "open", False)
    assert "merchant you pay regularly" in result.answer


async def test_no_matching_payment_changes_nothing(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, contact_id = await _ask(
        bankdesk, "I don't recognise a $75.00 payment at Best Buy on Nov 3", seeded.customer_id
    )
    seen = await _look(bankdesk, contact_id, seeded.card_id)

    assert result.analysis.flags == ["no_matching_transaction"]
    assert seen.cases == []
    assert seen.card.status == "active"
    assert "date, the amount and the merchant" in result.answer


async def test_report_without_details_finds_the_recent_odd_payment(bankdesk: Bankdesk) -> None:
    seeded = await seed_with(bankdesk)
    result, _contact_id = await _ask(
        bankdesk, "I think someone has my card details", seeded.customer_id
    )

    assert "card_compromised" in result.analysis.flags
    assert [item["id"] for item in result.analysis.model_dump()["transactions"]] == [
        seeded.unfamiliar_id
    ]


SECOND_LAST4 = "4321"
LATER = NOW + timedelta(days=30)  # last night's odd payment is no longer recent


def _second_card(seeded: SeededCustomer, *, status: str = "active") -> Card:
    assert seeded.card_last4 != SECOND_LAST4
    return Card(
        id="card_second", customer_id=seeded.customer_id, account_id=seeded.savings_id,
        network="mastercard", last4=SECOND_LAST4, expires="03/29", status=status,
        issued_at=NOW - timedelta(days=30),
    )  # fmt: skip


async def _statuses(bankdesk: Bankdesk, contact_id: str) -> tuple[dict[str, str], list[Case]]:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        cards = await uow.customers.cards("cust_12345")
        return {card.last4: card.status for card in cards}, await uow.cases.children(contact_id)


@pytest.mark.parametrize(
    "message",
    [
        "What should I do if my card is stolen?",
        "How do I report a stolen card?",
        "What happens if my card is lost?",
        "In case my wallet is stolen on holiday, how do I block my cards?",
        "I thought I lost my wallet yesterday but I found it",
        "I have not lost my card",
        "I haven't lost my card, just checking my limits",
        "My card wasn't stolen",
    ],
)
async def test_a_question_denial_or_found_card_blocks_nothing_and_opens_no_case(
    bankdesk: Bankdesk, message: str
) -> None:
    seeded = await seed_with(bankdesk)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([_second_card(seeded)])
        await uow.commit()
    result, contact_id = await _ask(bankdesk, message, seeded.customer_id)
    statuses, cases = await _statuses(bankdesk, contact_id)

    assert statuses == {seeded.card_last4: "active", SECOND_LAST4: "active"}
    assert cases == []
    assert "card_blocked" not in result.analysis.flags
    assert not any(flag.startswith("card_") for flag in result.analysis.flags)
    assert [action.kind for action in result.actions] == ["card_block_advice"]
    assert not result.escalation_required
    assert "Block card" in result.answer


@pytest.mark.parametrize(
    ("message", "statement"),
    [
        ("My card was stolen this morning", "stolen"),
        ("I lost my debit card", "lost"),
        ("Someone has my card details", "compromised"),
        ("My card was stolen, what should I do?", "stolen"),
    ],
)
async def test_a_report_on_the_only_active_card_blocks_it(
    bankdesk: Bankdesk, message: str, statement: str
) -> None:
    seeded = await seed_with(bankdesk)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([_second_card(seeded, status="closed")])
        await uow.commit()
    result, contact_id = await run_agent(
        bankdesk, fraud_check_agent, message, seeded.customer_id, known=True, now=LATER
    )
    statuses, [case] = await _statuses(bankdesk, contact_id)

    assert statuses == {seeded.card_last4: "blocked", SECOND_LAST4: "closed"}
    assert f"card_{statement}" in result.analysis.flags
    assert case.card_id == seeded.card_id
    assert f"blocked your card ending {seeded.card_last4}" in result.answer


async def test_a_report_naming_no_card_of_several_asks_which_and_escalates(
    bankdesk: Bankdesk,
) -> None:
    seeded = await seed_with(bankdesk)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([_second_card(seeded)])
        await uow.commit()
    message = "I lost my debit card"
    result, contact_id = await run_agent(
        bankdesk, fraud_check_agent, message, seeded.customer_id, known=True, now=LATER
    )
    statuses, [case] = await _statuses(bankdesk, contact_id)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        trail = [event.action for event in await uow.audit.trail("case", case.id)]

    assert statuses == {seeded.card_last4: "active", SECOND_LAST4: "active"}
    assert {"card_lost", "card_unclear"} <= set(result.analysis.flags)
    assert "card_blocked" not in result.analysis.flags
    assert result.escalation_required is True
    assert "confirm_card" in [action.kind for action in result.actions]
    assert (case.status, case.escalated, case.card_id) == ("escalated", True, None)
    assert trail == ["case.opened", "case.escalated"]
    assert f"ending {seeded.card_last4}" in result.answer
    assert f"ending {SECOND_LAST4}" in result.answer
    assert "which" in result.answer.lower()
    _no_numbers(result, seeded)


async def test_a_report_naming_one_card_of_several_blocks_only_that_one(
    bankdesk: Bankdesk,
) -> None:
    seeded = await seed_with(bankdesk)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await uow.customers.add_all([_second_card(seeded)])
        await uow.commit()
    message = f"My card ending in {SECOND_LAST4} was stolen"
    result, contact_id = await run_agent(
        bankdesk, fraud_check_agent, message, seeded.customer_id, known=True, now=LATER
    )
    statuses, [case] = await _statuses(bankdesk, contact_id)

    assert statuses == {seeded.card_last4: "active", SECOND_LAST4: "blocked"}
    assert case.card_id == "card_second"
    assert "card_blocked" in result.analysis.flags
