"""The seed lending API over HTTP: apply, the applicant's history and the borrower evaluation."""

from datetime import datetime

import pytest


def application(applicant_id="cust_1001", amount=5000, income=90000, employment_years=6):
    return {
        "applicant_id": applicant_id,
        "amount": amount,
        "income": income,
        "employment_years": employment_years,
    }


@pytest.mark.parametrize(
    ("payload", "risk_score", "decision"),
    [
        pytest.param(application(), 1830.0, "approved", id="seed-example-follows-the-formula"),
        pytest.param(application(amount=100, income=80, employment_years=0), 80.0, "approved",
                     id="exactly-80-is-approved"),
        pytest.param(application(amount=10000, income=7999, employment_years=0), 79.99, "review",
                     id="just-under-80-is-review"),
    ],
)  # fmt: skip
async def test_apply_scores_with_the_seed_formula(
    client, intake_headers, payload, risk_score, decision
):
    response = await client.post("/lending/apply", json=payload, headers=intake_headers)

    assert response.status_code == 200
    assert response.json() == {
        "applicant_id": payload["applicant_id"],
        "risk_score": risk_score,
        "decision": decision,
    }


async def test_history_is_the_ten_newest_newest_first(client, intake_headers):
    for amount in range(1000, 1012):  # twelve applications, the last one newest
        await client.post("/lending/apply", json=application(amount=amount), headers=intake_headers)
    await client.post("/lending/apply", json=application("someone_else"), headers=intake_headers)

    response = await client.get("/lending/applicants/cust_1001/history", headers=intake_headers)

    assert response.status_code == 200
    items = response.json()
    assert [item["amount"] for item in items] == [float(a) for a in range(1011, 1001, -1)]
    created = [datetime.fromisoformat(item.pop("created_at")) for item in items]
    assert created == sorted(created, reverse=True)
    assert all(moment.tzinfo is not None for moment in created)
    assert items[0] == {
        "amount": 1011.0,
        "income": 90000.0,
        "employment_years": 6,
        "risk_score": 8932.08,
        "decision": "approved",
    }


APPROVED = application(amount=5000, income=90000, employment_years=6)
REVIEWED = application(amount=10000, income=1000, employment_years=0)


@pytest.mark.parametrize(
    ("earlier", "evaluation", "latest_decision"),
    [
        pytest.param([], "request_more_data", None, id="no-history-request-more-data"),
        pytest.param([APPROVED, REVIEWED], "manual_review", "review",
                     id="review-after-approval-manual-review"),
        pytest.param([REVIEWED, APPROVED], "auto_process", "approved",
                     id="approval-after-review-auto-process"),
    ],
)  # fmt: skip
async def test_evaluation_follows_the_newest_decision(
    client, intake_headers, earlier, evaluation, latest_decision
):
    for payload in earlier:
        await client.post("/lending/apply", json=payload, headers=intake_headers)

    response = await client.get("/lending/applicants/cust_1001/evaluation", headers=intake_headers)

    assert response.status_code == 200
    assert response.json() == {
        "applicant_id": "cust_1001",
        "evaluation": evaluation,
        "applications_considered": len(earlier),
        "latest_decision": latest_decision,
    }
