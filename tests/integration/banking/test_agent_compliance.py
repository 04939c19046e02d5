"""The compliance-review agent opens complaint cases, escalates, and keeps flags internal."""

from datetime import datetime, timedelta

from tests.support.agents import run_agent
from tests.support.bank import NOW, seed_customer

from bankdesk.banking.compliance import compliance_review_agent
from bankdesk.banking.schemas import AgentResult, Urgency
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.banking_models import Case
from bankdesk.store.unit_of_work import UnitOfWork

INTERNAL_WORDS = ("legal_threat", "vulnerab", "bereavement", "hardship", "flag", "regulatory")


async def _contact(bankdesk: Bankdesk, customer_id: str | None, *, seed: bool = True) -> str:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        if customer_id is not None and seed:
            await seed_customer(uow, customer_id=customer_id)
        contact = Case(kind="service", status="open", channel="chat", customer_id=customer_id)
        await uow.cases.open(contact)
        await uow.commit()
        return contact.id


async def _review(
    bankdesk: Bankdesk, case_id: str, message: str, customer_id: str | None, *,
    now: datetime = NOW,
) -> AgentResult:  # fmt: skip
    result, _case_id = await run_agent(
        bankdesk, compliance_review_agent, message, customer_id, case_id=case_id, now=now
    )
    return result


async def test_a_complaint_opens_a_complaint_case_with_its_evidence(bankdesk: Bankdesk) -> None:
    case_id = await _contact(bankdesk, "cust_12345")
    message = "This is unacceptable, I've waited three weeks for my card. I want to complain."
    result = await _review(bankdesk, case_id, message, "cust_12345")

    assert result.analysis.flags == ["complaint"]
    assert result.analysis.urgency == Urgency.NORMAL
    assert not result.escalation_required  # a plain complaint goes to the complaints team
    (action,) = result.actions
    assert action.kind == "case_opened"
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        (complaint,) = await uow.cases.children(case_id)
        history = await uow.cases.history(complaint.id)
        contact_history = await uow.cases.history(case_id)
        trail = await uow.audit.trail("case", complaint.id)
    assert complaint.id == action.reference
    assert (complaint.kind, complaint.status, complaint.customer_id) == (
        "complaint",
        "open",
        "cust_12345",
    )
    assert (complaint.channel, complaint.message, complaint.escalated) == ("chat", message, False)
    assert complaint.details["categories"] == ["complaint"]
    assert complaint.details["evidence"] == {"complaint": ["unacceptable", "complain"]}
    assert complaint.details["response_due_on"] == "2026-12-11"  # 15 business days on
    assert [event.kind for event in history] == ["opened"]
    assert history[0].details["evidence"] == complaint.details["evidence"]
    assert [event.kind for event in contact_history][-1] == "complaint_opened"
    assert [event.action for event in trail] == ["case.opened"]
    assert trail[0].after["parent_id"] == case_id
    reference = complaint.details["reference"]
    assert reference.startswith("CMP-")
    assert reference in result.answer
    assert "December 11, 2026" in result.answer
    assert not any(word in result.answer.lower() for word in INTERNAL_WORDS)


async def test_a_legal_threat_escalates_the_complaint_case(bankdesk: Bankdesk) -> None:
    case_id = await _contact(bankdesk, None)
    message = "Your service is terrible and I'm taking legal action. My lawyer will call you."
    result = await _review(bankdesk, case_id, message, None)

    assert result.escalation_required
    assert result.analysis.urgency == Urgency.HIGH
    assert result.analysis.flags == ["complaint", "legal_threat"]
    evidence = result.analysis.model_dump()["evidence"]
    assert evidence["legal_threat"] == ["legal action", "lawyer"]
    assert [action.kind for action in result.actions] == ["case_opened", "escalated"]
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        (complaint,) = await uow.cases.children(case_id)
        history = await uow.cases.history(complaint.id)
        trail = await uow.audit.trail("case", complaint.id)
    assert [event.action for event in trail] == ["case.opened", "case.escalated"]
    assert complaint.customer_id is None  # no customer is needed to complain
    assert (complaint.status, complaint.priority, complaint.escalated) == (
        "escalated",
        "high",
        True,
    )
    assert [event.kind for event in history] == ["opened", "status_changed"]
    assert "legal" not in result.answer.lower()
    assert any("lawyer" in note for note in result.notes)  # the evidence stays internal


async def test_vulnerability_escalates_without_a_complaint_case(bankdesk: Bankdesk) -> None:
    case_id = await _contact(bankdesk, None)
    message = "My husband passed away last month and I can't afford food this week."
    result = await _review(bankdesk, case_id, message, None)

    assert result.escalation_required
    assert result.analysis.flags == ["vulnerability", "bereavement", "financial_hardship"]
    assert result.analysis.model_dump()["evidence"] == {
        "bereavement": ["husband passed away"],
        "financial_hardship": ["can't afford"],
    }
    assert "specialist support team" in result.answer
    assert not any(word in result.answer.lower() for word in INTERNAL_WORDS)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        assert await uow.cases.children(case_id) == []


async def test_a_negated_complaint_is_not_flagged(bankdesk: Bankdesk) -> None:
    case_id = await _contact(bankdesk, None)
    result = await _review(bankdesk, case_id, "This is not a complaint, just a question.", None)

    assert result.analysis.flags == []
    assert result.analysis.model_dump()["ignored"] == ["complaint"]
    assert result.analysis.urgency == Urgency.LOW
    assert not result.escalation_required
    assert result.actions == []
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        assert await uow.cases.children(case_id) == []


async def test_complaining_again_in_a_new_contact_adds_to_the_open_complaint(
    bankdesk: Bankdesk,
) -> None:
    first_contact = await _contact(bankdesk, "cust_12345")
    second_contact = await _contact(bankdesk, "cust_12345", seed=False)
    first = await _review(
        bankdesk, first_contact, "I want to make a formal complaint.", "cust_12345"
    )
    second = await _review(
        bankdesk, second_contact, "Still waiting. This is unacceptable!", "cust_12345",
        now=NOW + timedelta(days=3),
    )  # fmt: skip

    assert [action.kind for action in second.actions] == ["case_noted"]
    assert second.actions[0].reference == first.actions[0].reference
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        complaints = await uow.cases.for_customer("cust_12345", kind="complaint")
        assert await uow.cases.children(second_contact) == []
        (complaint,) = complaints
        history = await uow.cases.history(complaint.id)
    assert [event.kind for event in history] == ["opened", "complaint_repeated"]
    assert history[1].details["contact_case_id"] == second_contact
    assert complaint.details["response_due_on"] == "2026-12-11"
    assert "December 11, 2026" in second.answer  # the first promise, not 15 days from now
    assert second.analysis.model_dump()["response_due_on"] == "2026-12-11"


async def test_a_closed_complaint_is_not_reopened_by_a_new_one(bankdesk: Bankdesk) -> None:
    first_contact = await _contact(bankdesk, "cust_12345")
    second_contact = await _contact(bankdesk, "cust_12345", seed=False)
    first = await _review(
        bankdesk, first_contact, "I want to make a formal complaint.", "cust_12345"
    )
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        closed = await uow.cases.get(first.actions[0].reference)
        assert closed is not None
        await uow.cases.set_status(closed, "resolved")
        await uow.commit()
    second = await _review(bankdesk, second_contact, "This is unacceptable!", "cust_12345")

    assert [action.kind for action in second.actions] == ["case_opened"]
    assert second.actions[0].reference != first.actions[0].reference


async def test_complaining_twice_in_one_anonymous_contact_keeps_one_case(
    bankdesk: Bankdesk,
) -> None:
    case_id = await _contact(bankdesk, None)
    first = await _review(bankdesk, case_id, "I want to make a formal complaint.", None)
    second = await _review(bankdesk, case_id, "Still waiting. This is unacceptable!", None)

    assert [action.kind for action in second.actions] == ["case_noted"]
    assert second.actions[0].reference == first.actions[0].reference
