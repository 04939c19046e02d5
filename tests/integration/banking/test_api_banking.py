"""POST /banking/messages and GET /banking/cases/{id} over the HTTP API, on both databases."""

import re

import httpx
import pytest
from tests.support.bank import SeededCustomer

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Role

SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."
LONG_DIGIT_RUN = re.compile(r"\d[\d -]{7,}\d")


async def _post(client: httpx.AsyncClient, headers, **body) -> httpx.Response:
    return await client.post("/banking/messages", json=body, headers=headers)


async def test_the_seed_example_opens_a_dispute_flags_fraud_and_replies_safely(
    client: httpx.AsyncClient, intake_headers, auditor_headers, seeded: SeededCustomer
) -> None:
    response = await _post(
        client, intake_headers, customer_id=seeded.customer_id, message=SEED_MESSAGE
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["intent"] == "card_dispute"
    assert 0 < body["confidence"] <= 1
    assert body["summary"]
    agents = {agent["agent"]: agent for agent in body["agents"]}
    dispute = agents["customer-service-agent"]
    assert dispute["status"] == "ok"
    assert dispute["analysis"]["issue_type"] == "card_dispute"
    assert "potential_fraud" in dispute["analysis"]["flags"]
    assert "notes" not in dispute
    assert agents["fraud-check-agent"]["status"] == "ok"
    reply = body["reply"]
    assert set(reply) == {"message", "escalation_required"}
    assert seeded.checking_number not in reply["message"]
    assert not LONG_DIGIT_RUN.search(reply["message"])

    record = await client.get(f"/banking/cases/{body['case_id']}", headers=auditor_headers)

    assert record.status_code == 200
    case = record.json()
    assert case["kind"] == "service"
    assert case["message"] == SEED_MESSAGE
    related = {child["kind"]: child for child in case["related_cases"]}
    assert related["dispute"]["transaction_id"] == seeded.unfamiliar_id
    assert {run["agent"] for run in case["agent_runs"]} == set(agents)
    assert [call["agent"] for call in case["model_calls"]] == ["triage"]
    actions = [entry["action"] for entry in case["audit_trail"]]
    assert actions[0] == "case.received"
    assert "case.answered" in actions


async def test_without_a_customer_id_the_reply_asks_who_they_are(
    client: httpx.AsyncClient, intake_headers
) -> None:
    response = await _post(client, intake_headers, message="What's my checking balance?")

    assert response.status_code == 200
    body = response.json()
    assert body["intent"] == "balance_inquiry"
    (summary,) = [agent for agent in body["agents"] if agent["agent"] == "account-summary-agent"]
    assert [action["kind"] for action in summary["actions"]] == ["identify_customer"]
    assert "sign in" in body["reply"]["message"]


async def test_an_unknown_customer_is_404_and_nothing_is_stored(
    client: httpx.AsyncClient, intake_headers, bankdesk: Bankdesk
) -> None:
    response = await _post(client, intake_headers, customer_id="cust_nobody", message="Hi")

    assert response.status_code == 404
    assert "cust_nobody" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"message": ""},
        {"customer_id": "cust_12345"},
        {"message": "x" * 4001},
        {"message": "hi", "customer_id": "bad\u0000id"},
        {"message": "hi", "extra": "field"},
        {"message": "hi\u0000 there"},
        {"message": "\u0001   "},
        {"message": "   \n  "},
    ],
)
async def test_bad_input_is_422_with_the_field_named(
    client: httpx.AsyncClient, intake_headers, body
) -> None:
    response = await client.post("/banking/messages", json=body, headers=intake_headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"]


async def test_a_channel_submits_but_only_staff_read_cases(
    client: httpx.AsyncClient, issue_key, intake_headers
) -> None:
    underwriter = await issue_key(Role.UNDERWRITER)
    posted = await _post(client, intake_headers, message="How do I reset my password?")
    case_id = posted.json()["case_id"]

    refused = await _post(client, underwriter, message="Hi there")
    by_channel = await client.get(f"/banking/cases/{case_id}", headers=intake_headers)
    by_staff = await client.get(f"/banking/cases/{case_id}", headers=underwriter)
    anonymous = await client.get(f"/banking/cases/{case_id}")

    assert refused.status_code == 403
    assert by_channel.status_code == 403
    assert by_staff.status_code == 200
    assert by_staff.json()["audit_trail"] is None
    assert anonymous.status_code == 401


async def test_the_channel_sees_the_seed_analysis_and_staff_the_whole_run(
    client: httpx.AsyncClient, intake_headers, auditor_headers, seeded: SeededCustomer
) -> None:
    posted = await _post(
        client, intake_headers, customer_id=seeded.customer_id, message=SEED_MESSAGE
    )

    fraud = next(a for a in posted.json()["agents"] if a["agent"] == "fraud-check-agent")
    assert set(fraud["analysis"]) == {"issue_type", "urgency", "flags"}
    record = await client.get(f"/banking/cases/{posted.json()['case_id']}", headers=auditor_headers)
    run = next(r for r in record.json()["agent_runs"] if r["agent"] == "fraud-check-agent")
    assert "risk_score" in run["result"]["analysis"]


async def test_an_unknown_case_is_404(client: httpx.AsyncClient, auditor_headers) -> None:
    response = await client.get("/banking/cases/nope", headers=auditor_headers)

    assert response.status_code == 404
    assert response.json()["detail"] == "no case with id 'nope'"


async def test_a_retry_with_the_same_idempotency_key_is_answered_once(
    client: httpx.AsyncClient, intake_headers, bankdesk: Bankdesk
) -> None:
    headers = {**intake_headers, "Idempotency-Key": "msg-1"}
    body = {"message": "How do I order a cheque book?"}

    first = await client.post("/banking/messages", json=body, headers=headers)
    second = await client.post("/banking/messages", json=body, headers=headers)

    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()


async def test_personal_data_in_a_message_reaches_neither_the_reply_nor_the_logs(
    client: httpx.AsyncClient, intake_headers, seeded: SeededCustomer, capfd
) -> None:
    secrets = ["4111 1111 1111 1111", "123-45-6789", "jordan.avery@example.com", "+1 512 555 0142"]
    message = (
        f"My card {secrets[0]} was stolen last night, my SSN is {secrets[1]}. Write to "
        f"{secrets[2]} or call {secrets[3]}. Account {seeded.checking_number}."
    )

    response = await _post(client, intake_headers, customer_id=seeded.customer_id, message=message)

    assert response.status_code == 200
    logged = capfd.readouterr().err
    for secret in [*secrets, seeded.checking_number]:
        compact = secret.replace(" ", "").replace("-", "")
        for place in (response.text, logged):  # the whole answer: reply, summary, agents
            assert secret not in place
            assert compact not in place.replace(" ", "").replace("-", "")


async def test_a_corrected_retry_may_reuse_the_key_of_a_refused_request(
    client: httpx.AsyncClient, intake_headers, seeded: SeededCustomer
) -> None:
    headers = {**intake_headers, "Idempotency-Key": "retry-1"}
    body = {"customer_id": "cust_typo", "message": "What's my balance?"}

    refused = await client.post("/banking/messages", json=body, headers=headers)
    corrected = await client.post(
        "/banking/messages", json=body | {"customer_id": seeded.customer_id}, headers=headers
    )

    assert refused.status_code == 404
    assert corrected.status_code == 200


async def test_a_message_triage_is_unsure_of_goes_to_a_person(
    client: httpx.AsyncClient, intake_headers
) -> None:
    response = await _post(client, intake_headers, message="hello?? it's about the thing")

    assert response.status_code == 200
    assert response.json()["confidence"] < 0.6
    assert response.json()["reply"]["escalation_required"]
