"""Many callers at once: every request is answered and stored, and the audit chain holds."""

import asyncio

from tests.support.seeds import SEED_EVENT, SEED_TEXT

from bankdesk.store.audit import verify_chain


async def test_concurrent_submissions_are_all_stored_on_one_unbroken_audit_chain(
    client, intake_headers, bankdesk, count_applications
):
    responses = await asyncio.gather(
        *(client.post("/lending/intake", json={"text": SEED_TEXT}, headers=intake_headers)
          for _ in range(4)),
        *(client.post("/lending/decide", json=SEED_EVENT, headers=intake_headers)
          for _ in range(4)),
    )  # fmt: skip

    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["application_id"] for r in responses}) == 8
    assert await count_applications() == 8
    async with bankdesk.database.sessions() as session:
        report = await verify_chain(session)
    assert (report.intact, report.checked) == (True, 8 * 3)


async def test_concurrent_first_applications_of_a_new_applicant_are_all_scored(
    client, intake_headers
):
    payload = {"applicant_id": "new_1001", "amount": 5000, "income": 90000, "employment_years": 6}

    responses = await asyncio.gather(
        *(client.post("/lending/apply", json=payload, headers=intake_headers) for _ in range(6))
    )

    assert [r.status_code for r in responses] == [200] * 6
    history = await client.get("/lending/applicants/new_1001/history", headers=intake_headers)
    assert len(history.json()) == 6
