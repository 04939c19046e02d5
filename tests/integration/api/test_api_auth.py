"""Authentication and roles: who may call which endpoint, and what everyone else gets."""

import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT

from bankdesk.domain.access import Role
from bankdesk.store.unit_of_work import UnitOfWork

APPLY = {"applicant_id": "cust_1001", "amount": 5000, "income": 90000, "employment_years": 6}
ENDPOINTS = {
    "apply": ("POST", "/lending/apply", APPLY),
    "intake": ("POST", "/lending/intake", {"text": SEED_TEXT}),
    "decide": ("POST", "/lending/decide", SEED_EVENT),
    "history": ("GET", "/lending/applicants/cust_1001/history", None),
    "evaluation": ("GET", "/lending/applicants/cust_1001/evaluation", None),
    "record": ("GET", "/lending/applications/{id}", None),
    "explanation": ("GET", "/lending/applications/{id}/explanation", None),
    "audit": ("GET", "/lending/applications/{id}/audit", None),
}
READS = {"history": 200, "evaluation": 200, "record": 200, "explanation": 200}
SUBMITS = {"apply": 200, "intake": 201, "decide": 201}
REFUSED_SUBMITS = dict.fromkeys(SUBMITS, 403)


async def call_every_endpoint(client, headers, application_id):
    """Each endpoint's response, by name."""
    responses = {}
    for name, (method, path, payload) in ENDPOINTS.items():
        responses[name] = await client.request(
            method, path.format(id=application_id), json=payload, headers=headers
        )
    return responses


async def submitted_application(client, headers):
    response = await client.post("/lending/intake", json={"text": SEED_TEXT}, headers=headers)
    return response.json()["application_id"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        pytest.param(Role.INTAKE, {**SUBMITS, **READS, "audit": 403}, id="intake"),
        pytest.param(Role.UNDERWRITER, {**REFUSED_SUBMITS, **READS, "audit": 403},
                     id="underwriter"),
        pytest.param(Role.AUDITOR, {**REFUSED_SUBMITS, **READS, "audit": 200}, id="auditor"),
        pytest.param(Role.ADMIN, {**SUBMITS, **READS, "audit": 200}, id="admin"),
    ],
)  # fmt: skip
async def test_each_role_reaches_exactly_its_endpoints(
    client, admin_headers, issue_key, count_applications, role, expected
):
    application_id = await submitted_application(client, admin_headers)

    responses = await call_every_endpoint(client, await issue_key(role), application_id)

    assert {name: r.status_code for name, r in responses.items()} == expected
    for response in responses.values():
        if response.status_code == 403:
            assert response.json()["detail"].startswith(f"an {role.value} key may not ")
    submitted = sum(expected[name] < 300 for name in SUBMITS)
    assert await count_applications() == 1 + submitted


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("Bearer bdk_000000000000_" + "x" * 43, id="unknown-key"),
    ],
)
async def test_calls_without_a_valid_key_are_401_everywhere(
    client, admin_headers, count_applications, authorization
):
    application_id = await submitted_application(client, admin_headers)
    headers = {} if authorization is None else {"Authorization": authorization}

    responses = await call_every_endpoint(client, headers, application_id)

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(ENDPOINTS, 401)
    assert {r.headers.get("WWW-Authenticate") for r in responses.values()} == {"Bearer"}
    assert await count_applications() == 1


async def test_a_revoked_key_stops_working_at_once(client, bankdesk, issue_key):
    headers = await issue_key(Role.ADMIN)
    application_id = await submitted_application(client, headers)
    token = headers["Authorization"].removeprefix("Bearer ")

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        await uow.keys.revoke(await uow.keys.authenticate(token))
        await uow.commit()
    responses = await call_every_endpoint(client, headers, application_id)

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(ENDPOINTS, 401)
    assert responses["record"].json() == {"detail": "the API key is not valid or has been revoked"}


async def test_authentication_comes_before_validating_the_body(client):
    response = await client.post("/lending/apply", json={"amount": -1})

    assert response.status_code == 401
    assert response.json() == {"detail": "send an API key as 'Authorization: Bearer <key>'"}
