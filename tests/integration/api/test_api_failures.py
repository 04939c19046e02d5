"""A processing step that blows up: the request is kept as sent, marked failed, sent to a person."""

import dataclasses
import json

import httpx
import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT

from bankdesk.api.app import create_app

INTAKE_BODY = json.dumps({"text": SEED_TEXT})
DECIDE_BODY = json.dumps(SEED_EVENT, indent=1)


class BrokenFlow:
    """A lending flow whose every step raises, as a crashed extractor or engine would."""

    def check_reading(self, reading, **_options):
        raise RuntimeError("extractor crashed")

    def check(self, application, **_options):
        raise RuntimeError("policy engine crashed")

    async def settle(self, decision):
        return decision


@pytest.fixture
async def broken_client(bankdesk):
    """A client of the same service and database, with a lending flow that always fails."""
    broken = dataclasses.replace(bankdesk, lending=BrokenFlow())
    transport = httpx.ASGITransport(app=create_app(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://bankdesk.test") as http:
        yield http


@pytest.mark.parametrize(
    ("path", "raw", "stored", "error"),
    [
        pytest.param("/lending/intake", INTAKE_BODY, SEED_TEXT, "extractor crashed",
                     id="intake-keeps-the-text"),
        pytest.param("/lending/decide", DECIDE_BODY, DECIDE_BODY, "policy engine crashed",
                     id="decide-keeps-the-body"),
    ],
)  # fmt: skip
async def test_failed_processing_keeps_the_request_and_routes_it_to_a_person(
    broken_client, client, intake_headers, auditor_headers, path, raw, stored, error
):
    response = await broken_client.post(
        path, content=raw, headers={**intake_headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 202
    failed = response.json()
    assert failed == {
        "application_id": failed["application_id"],
        "status": "failed",
        "next_step": "route to human underwriter",
        "detail": "the request is stored but could not be processed automatically",
    }
    record = (
        await client.get(
            f"/lending/applications/{failed['application_id']}", headers=auditor_headers
        )
    ).json()
    assert (record["status"], record["raw_request"]) == ("failed", stored)
    assert record["error"] == "RuntimeError"  # the type only: a message may quote the text
    assert error not in json.dumps(record)
    assert record["decision"] is None
    assert [notice["kind"] for notice in record["notices"]] == ["underwriter_referral"]
    assert [entry["action"] for entry in record["audit_trail"]] == [
        "application.received", "application.failed", "notice.queued",
    ]  # fmt: skip
    explanation = await client.get(
        f"/lending/applications/{failed['application_id']}/explanation", headers=intake_headers
    )
    assert explanation.json() == {
        "application_id": failed["application_id"],
        "decision": "failed",
        "summary": "We could not process your application automatically; a person will review "
        "it and contact you.",
        "principal_reasons": [],
        "next_step": "route to human underwriter",
        "policy": None,
    }
    channel = path.rsplit("/", 1)[1]
    metrics = (await broken_client.get("/metrics")).text
    assert f'bankdesk_decisions_total{{channel="{channel}",outcome="failed"}} 1.0' in metrics


async def test_retrying_a_failed_request_replays_it_instead_of_storing_it_twice(
    broken_client, intake_headers, count_applications
):
    headers = {**intake_headers, "Idempotency-Key": "failing-1"}

    first = await broken_client.post("/lending/intake", json={"text": SEED_TEXT}, headers=headers)
    retry = await broken_client.post("/lending/intake", json={"text": SEED_TEXT}, headers=headers)

    assert (first.status_code, retry.status_code) == (202, 202)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert await count_applications() == 1


class _BrokenPolicies:
    """A policy engine that fails on every evaluation."""

    def evaluate(self, policy_id, values):
        raise RuntimeError(f"{policy_id} failed")


async def test_a_failed_seed_apply_keeps_the_request_and_routes_it_to_a_person(
    bankdesk, intake_headers, auditor_headers
):
    broken = dataclasses.replace(bankdesk, policies=_BrokenPolicies())
    payload = {"applicant_id": "cust_3003", "amount": 5000, "income": 90000, "employment_years": 6}
    transport = httpx.ASGITransport(app=create_app(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://bankdesk.test") as http:
        response = await http.post("/lending/apply", json=payload, headers=intake_headers)
        application_id = response.json()["application_id"]
        record = (
            await http.get(f"/lending/applications/{application_id}", headers=auditor_headers)
        ).json()

    assert response.status_code == 202
    assert response.json()["status"] == "failed"
    assert (record["status"], record["error"]) == ("failed", "RuntimeError")
    assert json.loads(record["raw_request"]) == payload
    assert [n["kind"] for n in record["notices"]] == ["underwriter_referral"]
    assert [e["action"] for e in record["audit_trail"]] == [
        "application.received", "application.failed", "notice.queued",
    ]  # fmt: skip
