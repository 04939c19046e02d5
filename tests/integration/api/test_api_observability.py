"""Request ids, health checks and Prometheus metrics, as an operator sees them."""

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from tests.support.seeds import SEED_EVENT, SEED_TEXT

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def samples(exposition, name):
    """Every sample of one metric, as {labels: value}."""
    found = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def test_every_response_carries_its_own_request_id(client, intake_headers):
    responses = {
        "ok": await client.get("/health/live"),
        "unauthenticated": await client.get("/lending/applicants/cust_1001/history"),
        "not-found": await client.get("/lending/applications/nope", headers=intake_headers),
        "invalid": await client.post("/lending/intake", json={}, headers=intake_headers),
        "too-large": await client.post(
            "/lending/intake", content=b"x" * 300_000, headers=intake_headers
        ),
        "no-route": await client.get("/no/such/path"),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        "ok": 200, "unauthenticated": 401, "not-found": 404, "invalid": 422, "too-large": 413,
        "no-route": 404,
    }  # fmt: skip
    ids = [r.headers.get("X-Request-ID", "") for r in responses.values()]
    assert all(GENERATED_ID.match(rid) for rid in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    "sent", ["caller-trace-42", "x" * 65, "Maya Chen SSN 123-45-6789"], ids=["id", "long", "pii"]
)
async def test_the_request_id_is_always_bankdesks_own(client, sent):
    """A caller's id could carry personal data or be forged; it is only logged beside ours."""
    response = await client.get("/health/live", headers={"X-Request-ID": sent})

    assert GENERATED_ID.match(response.headers["X-Request-ID"])
    assert response.headers["X-Request-ID"] != sent


async def test_health_checks_need_no_key_and_name_the_database(client, database_url):
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": dialect})


async def test_metrics_count_requests_by_route_and_decisions_by_outcome(client, intake_headers):
    application_id = (
        await client.post("/lending/intake", json={"text": SEED_TEXT}, headers=intake_headers)
    ).json()["application_id"]
    await client.post(
        "/lending/decide", json={**SEED_EVENT, "income": 4000}, headers=intake_headers
    )
    await client.post(
        "/lending/decide", json={**SEED_EVENT, "income": 4000}, headers=intake_headers
    )
    await client.post(
        "/lending/apply",
        json={"applicant_id": "cust_1001", "amount": 5000, "income": 90000, "employment_years": 6},
        headers=intake_headers,
    )
    await client.get(f"/lending/applications/{application_id}", headers=intake_headers)

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert samples(response.text, "bankdesk_decisions_total") == {
        (("channel", "intake"), ("outcome", "approve")): 1.0,
        (("channel", "decide"), ("outcome", "review")): 2.0,
        (("channel", "apply"), ("outcome", "approve")): 1.0,
    }
    requests = samples(response.text, "bankdesk_http_requests_total")
    assert requests[(("method", "POST"), ("route", "/lending/decide"), ("status", "201"))] == 2.0
    route = "/lending/applications/{application_id}"
    assert requests[(("method", "GET"), ("route", route), ("status", "200"))] == 1.0
    assert application_id not in response.text


async def test_replayed_retries_are_not_counted_as_new_decisions(client, intake_headers):
    headers = {**intake_headers, "Idempotency-Key": "count-once"}
    for _ in range(3):
        await client.post("/lending/intake", json={"text": SEED_TEXT}, headers=headers)

    response = await client.get("/metrics")

    assert samples(response.text, "bankdesk_decisions_total") == {
        (("channel", "intake"), ("outcome", "approve")): 1.0,
    }
