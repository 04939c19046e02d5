"""The service answers the seed's own client steps on each database."""

from tests.support.seeds import SEED_TEXT

SEED_PAYLOAD = {"applicant_id": "cust_1001", "amount": 5000, "income": 90000, "employment_years": 6}


async def test_seed_apply_then_history(client, intake_headers):
    applied = await client.post("/lending/apply", json=SEED_PAYLOAD, headers=intake_headers)
    history = await client.get("/lending/applicants/cust_1001/history", headers=intake_headers)

    assert applied.status_code == 200
    assert applied.json() == {
        "applicant_id": "cust_1001",
        "risk_score": 1830.0,
        "decision": "approved",
    }
    assert [item["risk_score"] for item in history.json()] == [1830.0]


async def test_intake_decides_and_stores_the_seed_text(client, intake_headers):
    response = await client.post(
        "/lending/intake", json={"text": SEED_TEXT}, headers=intake_headers
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["decision"], body["dti"], body["next_step"]) == (
        "approve",
        0.25,
        "send approval notice",
    )
    stored = await client.get(
        f"/lending/applications/{body['application_id']}", headers=intake_headers
    )
    assert stored.json()["raw_request"] == SEED_TEXT
