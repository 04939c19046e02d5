"""Idempotency-Key: a retried POST gets the first answer and creates nothing new."""

import asyncio

import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT

from bankdesk.domain.access import Role

APPLY = {"applicant_id": "cust_1001", "amount": 5000, "income": 90000, "employment_years": 6}


def keyed(headers, key):
    return {**headers, "Idempotency-Key": key}


async def submit_seed_text(client, headers):
    return await client.post("/lending/intake", json={"text": SEED_TEXT}, headers=headers)


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        pytest.param("/lending/intake", {"text": SEED_TEXT}, 201, id="intake"),
        pytest.param("/lending/decide", SEED_EVENT, 201, id="decide"),
        pytest.param("/lending/apply", APPLY, 200, id="apply"),
    ],
)
async def test_retry_with_the_same_key_replays_the_first_response(
    client, intake_headers, count_applications, path, payload, status
):
    headers = keyed(intake_headers, "retry-1")

    first = await client.post(path, json=payload, headers=headers)
    retry = await client.post(path, json=payload, headers=headers)

    assert (first.status_code, retry.status_code) == (status, status)
    assert "Idempotent-Replayed" not in first.headers
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert await count_applications() == 1


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        pytest.param("/lending/intake", {"text": SEED_TEXT + "Purpose: car\n"}, id="other-body"),
        pytest.param("/lending/decide", SEED_EVENT, id="other-endpoint"),
    ],
)
async def test_same_key_with_another_request_is_409(
    client, intake_headers, count_applications, path, payload
):
    headers = keyed(intake_headers, "reused")
    await submit_seed_text(client, headers)

    response = await client.post(path, json=payload, headers=headers)

    assert response.status_code == 409
    assert "different request" in response.json()["detail"]
    assert await count_applications() == 1


async def test_each_api_key_has_its_own_idempotency_keys(client, issue_key, count_applications):
    alice, bob = await issue_key(Role.INTAKE, "alice"), await issue_key(Role.INTAKE, "bob")

    first = await submit_seed_text(client, keyed(alice, "order-1"))
    second = await submit_seed_text(client, keyed(bob, "order-1"))

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second.headers
    assert first.json()["application_id"] != second.json()["application_id"]
    assert await count_applications() == 2


@pytest.mark.parametrize(
    ("key", "status"),
    [
        pytest.param("k" * 200, 201, id="200-chars-accepted"),
        pytest.param("k" * 201, 400, id="201-chars-refused"),
    ],
)
async def test_idempotency_key_length_is_checked(
    client, intake_headers, count_applications, key, status
):
    response = await submit_seed_text(client, keyed(intake_headers, key))

    assert response.status_code == status
    if status == 400:
        assert response.json() == {"detail": "Idempotency-Key must be 1 to 200 characters"}
    assert await count_applications() == (1 if status == 201 else 0)


async def test_concurrent_identical_requests_create_one_application(
    bankdesk, client, intake_headers, count_applications
):
    headers = keyed(intake_headers, "burst-1")

    responses = await asyncio.gather(*(submit_seed_text(client, headers) for _ in range(8)))

    statuses = [r.status_code for r in responses]
    if bankdesk.settings.executor == "local":  # one transaction: the others wait, then replay
        assert statuses == [201] * 8
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 7
    else:  # the request is committed before the policy call; the others hear it is underway
        assert set(statuses) <= {201, 409} and 201 in statuses
    assert len({r.json()["application_id"] for r in responses if r.status_code == 201}) == 1
    assert await count_applications() == 1
