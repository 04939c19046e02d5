"""The review queue over the HTTP API: tasks opened where the policy or the agents hand over
to people, claims, decisions beside the policy's, and four eyes, on both databases."""

import pytest
from tests.support.bank import seed_customer

from bankdesk.banking.schemas import MessageRequest
from bankdesk.domain.access import Role
from bankdesk.store.audit import verify_chain
from bankdesk.store.unit_of_work import UnitOfWork

MAYA = {"loan_id": "LN-1", "borrower_name": "Maya Chen", "income": 7200, "monthly_debt": 1800,
        "requested_amount": 45000}  # fmt: skip
REVIEW = {
    **MAYA,
    "loan_id": "LN-2",
    "income": 3500,
    "monthly_debt": 1600,
    "requested_amount": 20000,
}
DECLINE = {
    **MAYA,
    "loan_id": "LN-3",
    "income": 2000,
    "monthly_debt": 1500,
    "requested_amount": 90000,
}
JUSTIFIED = {"justification": "Pay stubs for six months confirm the stated income.",
             "reason_codes": ["INCOME_VERIFIED"]}  # fmt: skip


@pytest.fixture
async def underwriters(issue_key):
    return [await issue_key(Role.UNDERWRITER, name=f"underwriter {n}") for n in (1, 2)]


async def _decide(client, intake_headers, event) -> str:
    response = await client.post("/lending/decide", json=event, headers=intake_headers)
    assert response.status_code == 201, response.text
    return response.json()["application_id"]


async def _task_of(client, headers, application_id: str) -> dict:
    queue = (await client.get("/reviews", headers=headers)).json()["items"]
    return next(task for task in queue if task["application_id"] == application_id)


async def test_outcomes_the_policy_did_not_approve_are_queued_by_priority(
    client, intake_headers, underwriters
) -> None:
    approved = await _decide(client, intake_headers, MAYA)
    reviewed = await _decide(client, intake_headers, REVIEW)
    declined = await _decide(client, intake_headers, DECLINE)

    response = await client.get("/reviews", headers=underwriters[0])

    assert response.status_code == 200
    body = response.json()
    queued = [
        (task["application_id"], task["reason"], task["priority_name"]) for task in body["items"]
    ]
    assert queued == [(declined, "decline", "high"), (reviewed, "review", "normal")]
    assert approved not in {task["application_id"] for task in body["items"]}
    assert body["counts"]["open"] == 2


async def test_an_escalated_banking_case_is_queued(bankdesk, client, underwriters) -> None:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        customer = await seed_customer(uow)
        await uow.commit()
    request = MessageRequest(
        customer_id=customer.customer_id,
        message="I saw an unfamiliar card payment from last night and I want to dispute it.",
    )
    answered = await bankdesk.banking.handle(request, channel="test", actor="test")
    assert answered.reply.escalation_required

    response = await client.get("/reviews?kind=case", headers=underwriters[0])

    [task] = response.json()["items"]
    assert task["case_id"] == answered.case_id
    assert task["reason"] == "escalated"
    record = await client.get(f"/banking/cases/{answered.case_id}", headers=underwriters[0])
    assert [review["id"] for review in record.json()["reviews"]] == [task["id"]]


async def test_a_task_held_by_one_underwriter_cannot_be_claimed_by_another(
    client, intake_headers, underwriters
) -> None:
    application = await _decide(client, intake_headers, REVIEW)
    task = await _task_of(client, underwriters[0], application)
    first, second = underwriters

    claimed = await client.post(f"/reviews/{task['id']}/claim", headers=first)
    taken = await client.post(f"/reviews/{task['id']}/claim", headers=second)
    again = await client.post(f"/reviews/{task['id']}/claim", headers=first)  # extends it
    released = await client.post(f"/reviews/{task['id']}/release", headers=first)
    now_free = await client.post(f"/reviews/{task['id']}/claim", headers=second)

    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    assert taken.status_code == 409
    assert "held by another reviewer" in taken.json()["detail"]
    assert again.status_code == 200
    assert released.status_code == 200 and released.json()["status"] == "open"
    assert now_free.status_code == 200


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"outcome": "approve", "reason_codes": ["INCOME_VERIFIED"]}, "justification"),
        ({**JUSTIFIED, "outcome": "approve", "justification": "   ok    "}, "justification"),
        ({**JUSTIFIED, "outcome": "approve", "reason_codes": []}, "reason_codes"),
        ({**JUSTIFIED, "outcome": "approve", "reason_codes": ["lower case"]}, "reason_codes"),
        ({**JUSTIFIED, "outcome": "waive"}, "outcome"),
    ],
)
async def test_a_decision_needs_an_outcome_a_justification_and_reason_codes(
    client, intake_headers, underwriters, body, says
) -> None:
    application = await _decide(client, intake_headers, REVIEW)
    task = await _task_of(client, underwriters[0], application)
    await client.post(f"/reviews/{task['id']}/claim", headers=underwriters[0])

    response = await client.post(
        f"/reviews/{task['id']}/decision", json=body, headers=underwriters[0]
    )

    assert response.status_code == 422
    assert says in response.text


async def test_only_reviewers_work_the_queue(client, intake_headers, auditor_headers) -> None:
    for headers in (intake_headers, auditor_headers):
        assert (await client.get("/reviews", headers=headers)).status_code == 403
    assert (await client.get("/reviews")).status_code == 401


async def test_deciding_needs_the_claim(client, intake_headers, underwriters) -> None:
    application = await _decide(client, intake_headers, REVIEW)
    task = await _task_of(client, underwriters[0], application)

    response = await client.post(
        f"/reviews/{task['id']}/decision", json={**JUSTIFIED, "outcome": "approve"},
        headers=underwriters[0],
    )  # fmt: skip

    assert response.status_code == 409
    assert "claim" in response.json()["detail"]


async def test_an_approval_of_a_review_resolves_it_beside_the_policy_decision(
    client, intake_headers, underwriters
) -> None:
    application = await _decide(client, intake_headers, REVIEW)
    task = await _task_of(client, underwriters[0], application)
    await client.post(f"/reviews/{task['id']}/claim", headers=underwriters[0])

    decided = await client.post(
        f"/reviews/{task['id']}/decision", json={**JUSTIFIED, "outcome": "approve"},
        headers=underwriters[0],
    )  # fmt: skip
    record = (
        await client.get(f"/lending/applications/{application}", headers=underwriters[0])
    ).json()

    assert decided.status_code == 200
    assert decided.json()["status"] == "resolved"
    active = (await client.get("/reviews?status=active", headers=underwriters[0])).json()
    assert task["id"] not in [item["id"] for item in active["items"]]
    assert record["decision"]["outcome"] == "review"  # the policy's decision stays as it was
    [review] = record["reviews"]
    [human] = review["decisions"]
    assert (human["outcome"], human["policy_outcome"], human["overrides_policy"]) == (
        "approve", "review", False,
    )  # fmt: skip
    assert human["justification"] == JUSTIFIED["justification"]
    assert [n["kind"] for n in record["notices"]][-1] == "approval_notice"


async def test_a_large_override_needs_a_second_underwriter(
    bankdesk, client, intake_headers, underwriters, auditor_headers
) -> None:
    application = await _decide(client, intake_headers, DECLINE)  # 90,000 > 50,000
    task = await _task_of(client, underwriters[0], application)
    first, second = underwriters
    url = f"/reviews/{task['id']}"
    override = {**JUSTIFIED, "outcome": "approve", "reason_codes": ["COLLATERAL_OFFERED"]}

    await client.post(f"{url}/claim", headers=first)
    proposed = await client.post(f"{url}/decision", json=override, headers=first)
    own_confirmation = await client.post(f"{url}/claim", headers=first)
    await client.post(f"{url}/claim", headers=second)
    confirmed = await client.post(f"{url}/decision", json=override, headers=second)

    assert proposed.json()["status"] == "awaiting_second"
    assert own_confirmation.status_code == 409
    assert "second underwriter" in own_confirmation.json()["detail"]
    assert confirmed.json()["status"] == "resolved"
    record = (
        await client.get(f"/lending/applications/{application}", headers=auditor_headers)
    ).json()
    assert record["decision"]["outcome"] == "decline"
    roles = [
        (d["role"], d["outcome"], d["overrides_policy"]) for d in record["reviews"][0]["decisions"]
    ]
    assert roles == [("decision", "approve", True), ("second", "approve", True)]
    actions = [entry["action"] for entry in record["audit_trail"]]
    assert "notice.queued" in actions
    async with bankdesk.database.sessions() as session:
        assert (await verify_chain(session)).intact


async def test_a_second_underwriter_who_disagrees_sends_it_back(
    client, intake_headers, underwriters
) -> None:
    application = await _decide(client, intake_headers, DECLINE)
    task = await _task_of(client, underwriters[0], application)
    first, second = underwriters
    url = f"/reviews/{task['id']}"

    await client.post(f"{url}/claim", headers=first)
    await client.post(f"{url}/decision", json={**JUSTIFIED, "outcome": "approve"}, headers=first)
    await client.post(f"{url}/claim", headers=second)
    decline = {**JUSTIFIED, "outcome": "decline", "reason_codes": ["DTI_TOO_HIGH"]}
    disagreed = await client.post(f"{url}/decision", json=decline, headers=second)

    assert disagreed.json()["status"] == "open"
    assert [d["role"] for d in disagreed.json()["decisions"]] == ["decision", "disagreement"]
