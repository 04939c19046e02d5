"""The review console over HTTP, on both databases: sign-in and its cookie, CSRF, the queue,
a task's case file, decisions from the form, and signing out."""

import re

import httpx
import pytest
from tests.support.review_console import csrf_of, sign_in

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Role
from bankdesk.reviews.service import open_for_application
from bankdesk.store.audit import verify_chain
from bankdesk.store.models import LoanApplication
from bankdesk.store.unit_of_work import UnitOfWork

DECLINED_TEXT = (
    "Hi, I'm Omar Haddad. I earn $5,400 a month and pay $2,900 a month on my car loan and "
    "cards. I'd like to borrow $18,000. <script>alert('x')</script>"
)
JUSTIFICATION = "Bank statements show the car loan ends next month; DTI falls to 31%."


def _token(key_header: dict[str, str]) -> str:
    return key_header["Authorization"].removeprefix("Bearer ")


@pytest.fixture
async def underwriter(issue_key) -> str:
    return _token(await issue_key(Role.UNDERWRITER, name="Ursula Underwriter"))


@pytest.fixture
async def declined(client, intake_headers) -> str:
    """A declined application, in the queue; its review task's id."""
    response = await client.post(
        "/lending/intake", json={"text": DECLINED_TEXT}, headers=intake_headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["decision"] == "decline"
    application_id = response.json()["application_id"]
    record = await client.get(f"/lending/applications/{application_id}", headers=intake_headers)
    return record.json()["reviews"][0]["id"]


async def test_signing_in_gives_a_strict_http_only_cookie_and_the_queue(
    client, underwriter, declined, bankdesk: Bankdesk
) -> None:
    anonymous = await client.get("/console")
    signed_in = await sign_in(client, underwriter)
    queue = await client.get("/console")

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/console/sign-in?after=%2Fconsole"
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console"
    cookie = next(
        value
        for name, value in signed_in.headers.multi_items()
        if name == "set-cookie" and value.startswith("bankdesk_console=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert underwriter not in cookie
    assert queue.status_code == 200
    assert f'href="/console/reviews/{declined}"' in queue.text
    assert "Ursula Underwriter" in queue.text
    assert "script-src" not in queue.headers["content-security-policy"]  # no script may run
    assert "default-src 'none'" in queue.headers["content-security-policy"]
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        key_id = underwriter.split("_")[1]
        trail = await uow.audit.trail("api_key", key_id)
    assert [event.action for event in trail] == ["console.signed_in"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("bdk_000000000000_not-a-real-key", "That key is not valid or has been revoked."),
        ("intake", "An intake key cannot work the review queue"),
    ],
)
async def test_a_key_that_may_not_review_is_refused_without_echoing_it(
    client, issue_key, key, message
) -> None:
    token = _token(await issue_key(Role.INTAKE)) if key == "intake" else key

    refused = await sign_in(client, token)

    assert refused.status_code == 401
    assert message in refused.text
    assert token not in refused.text
    assert (await client.get("/console")).status_code == 303


async def test_forms_without_the_session_token_or_from_another_site_change_nothing(
    client, underwriter, declined
) -> None:
    await sign_in(client, underwriter)
    page = await client.get(f"/console/reviews/{declined}")
    token = csrf_of(page)

    no_token = await client.post(f"/console/reviews/{declined}/claim", data={})
    wrong_token = await client.post(f"/console/reviews/{declined}/claim", data={"csrf": "x" * 43})
    other_site = await client.post(
        f"/console/reviews/{declined}/claim",
        data={"csrf": token},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    sign_in_without_cookie = await httpx.AsyncClient(
        transport=client._transport, base_url=client.base_url
    ).post("/console/sign-in", data={"key": underwriter, "csrf": "guess"})
    after = await client.get(f"/console/reviews/{declined}")

    assert [r.status_code for r in (no_token, wrong_token, other_site)] == [403, 403, 403]
    assert "reload the page" in wrong_token.text
    assert "from another site" in other_site.text
    assert sign_in_without_cookie.status_code == 403
    assert "Claim this task" in after.text  # still open: nothing was claimed


async def test_an_underwriter_claims_and_decides_from_the_case_file(
    client, underwriter, declined, bankdesk: Bankdesk
) -> None:
    await sign_in(client, underwriter)
    page = await client.get(f"/console/reviews/{declined}")
    token = csrf_of(page)

    claimed = await client.post(f"/console/reviews/{declined}/claim", data={"csrf": token})
    unjustified = await client.post(
        f"/console/reviews/{declined}/decision",
        data={"csrf": token, "outcome": "approve", "justification": "ok", "reason_codes": ""},
    )
    decided = await client.post(
        f"/console/reviews/{declined}/decision",
        data={"csrf": token, "outcome": "approve", "justification": JUSTIFICATION,
              "reason_codes": "income_verified, DTI_ACCEPTABLE"},
    )  # fmt: skip
    after = await client.get(decided.headers["location"])

    assert claimed.status_code == 303
    assert unjustified.status_code == 422
    assert "Justification: say why in at least 10 characters" in unjustified.text
    assert "Reason codes: give at least one" in unjustified.text
    assert decided.status_code == 303, decided.text
    assert "Your decision is recorded." in after.text
    assert "overrides the policy (decline)" in after.text
    assert JUSTIFICATION in after.text
    assert "review.decided" in after.text and "review.resolved" in after.text
    # The borrower's markup is shown as text, never as markup.
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    # Each extracted value is marked where the text states it.
    assert re.search(r'<mark class="c\d">\$5,400</mark><span class="tag">Monthly income', page.text)
    queue = (
        await client.get("/reviews", headers={"Authorization": f"Bearer {underwriter}"})
    ).json()
    task = next(item for item in queue["items"] if item["id"] == declined)
    assert task["status"] == "resolved" and task["outcome"] == "approve"
    assert [d["reason_codes"] for d in task["decisions"]] == [["INCOME_VERIFIED", "DTI_ACCEPTABLE"]]
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert (await verify_chain(uow.session)).intact


async def test_a_task_someone_else_holds_is_refused_with_the_reason(
    client, issue_key, underwriter, declined
) -> None:
    other = _token(await issue_key(Role.UNDERWRITER, name="Olga"))
    await sign_in(client, other)
    token = csrf_of(await client.get(f"/console/reviews/{declined}"))
    await client.post(f"/console/reviews/{declined}/claim", data={"csrf": token})
    await client.post("/console/sign-out", data={"csrf": token})
    await sign_in(client, underwriter)
    token = csrf_of(await client.get(f"/console/reviews/{declined}"))

    refused = await client.post(f"/console/reviews/{declined}/claim", data={"csrf": token})
    deciding = await client.post(
        f"/console/reviews/{declined}/decision",
        data={"csrf": token, "outcome": "decline", "justification": JUSTIFICATION,
              "reason_codes": "DTI_TOO_HIGH"},
    )  # fmt: skip

    assert refused.status_code == 409
    assert "held by another reviewer" in refused.text
    assert deciding.status_code == 409
    assert "claim review task" in deciding.text
    assert JUSTIFICATION in deciding.text  # what was typed is kept for the next try


async def test_signing_out_ends_the_session_and_a_revoked_key_ends_it_too(
    client, underwriter, declined, bankdesk: Bankdesk
) -> None:
    await sign_in(client, underwriter)
    token = csrf_of(await client.get("/console"))
    cookie = client.cookies.get("bankdesk_console")

    signed_out = await client.post("/console/sign-out", data={"csrf": token})
    client.cookies.set("bankdesk_console", cookie, domain="bankdesk.test", path="/console")
    replayed = await client.get("/console")
    await sign_in(client, underwriter)
    assert (await client.get("/console")).status_code == 200  # signed in again
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        key = await uow.keys.get(underwriter.split("_")[1])
        assert key is not None
        await uow.keys.revoke(key)
        await uow.commit()
    revoked = await client.get("/console")

    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/console/sign-in"
    assert replayed.status_code == 303  # the old cookie signs nobody in
    assert revoked.status_code == 303


async def test_the_case_file_of_an_escalated_banking_case_masks_card_numbers(
    client, underwriter, seeded, intake_headers
) -> None:
    card = "4111 1111 1111 1111"
    message = f"Someone used my card {card} abroad last night, I never left home. Block it!"
    answered = await client.post(
        "/banking/messages",
        json={"customer_id": seeded.customer_id, "message": message},
        headers=intake_headers,
    )
    assert answered.status_code == 200, answered.text
    await sign_in(client, underwriter)
    queue = await client.get("/console?kind=case")
    task_id = re.search(r'href="/console/reviews/([0-9a-f]+)"', queue.text)
    assert task_id, "the escalated case is in the queue"

    page = await client.get(f"/console/reviews/{task_id[1]}")

    assert page.status_code == 200
    assert "[card ending 1111]" in page.text
    assert card not in page.text and "4111111111111111" not in page.text
    assert seeded.customer_id in page.text


async def test_the_filter_form_as_a_browser_sends_it_narrows_the_queue(
    client, underwriter, declined
) -> None:
    await sign_in(client, underwriter)

    any_priority = await client.get("/console?status=active&kind=&priority=")
    high = await client.get("/console?status=open&kind=application&priority=2")
    low = await client.get("/console?status=active&kind=&priority=4")
    mine = await client.get("/console?status=active&kind=&priority=&mine=true")

    assert [r.status_code for r in (any_priority, high, low, mine)] == [200] * 4
    link = f'href="/console/reviews/{declined}"'
    assert link in any_priority.text and link in high.text
    assert link not in low.text and "No tasks match these filters." in low.text
    assert link not in mine.text


async def test_release_returns_the_task_and_bad_forms_say_what_to_fix(
    client, underwriter, declined
) -> None:
    await sign_in(client, underwriter)
    token = csrf_of(await client.get(f"/console/reviews/{declined}"))
    await client.post(f"/console/reviews/{declined}/claim", data={"csrf": token})

    def decision(**fields):
        form = {"csrf": token, "outcome": "decline", "justification": JUSTIFICATION,
                "reason_codes": "DTI_TOO_HIGH"} | fields  # fmt: skip
        return client.post(f"/console/reviews/{declined}/decision", data=form)

    control = await decision(justification="Checked the\x00 statements today.")
    too_long = await decision(justification="x" * 4001)
    no_outcome = await decision(outcome="maybe")
    bad_code = await decision(reason_codes="dti too-high!")
    released = await client.post(f"/console/reviews/{declined}/release", data={"csrf": token})
    queue = await client.get(released.headers["location"])
    malformed = await client.get("/console/reviews/bad%00id")
    malformed_claim = await client.post("/console/reviews/bad%00id/claim", data={"csrf": token})

    assert [r.status_code for r in (control, too_long, no_outcome, bad_code)] == [422] * 4
    assert "Justification: remove control characters." in control.text
    assert "Justification: keep it to 4,000 characters." in too_long.text
    assert "Outcome: choose approve, decline or request information." in no_outcome.text
    assert "Reason codes: use capital letters" in bad_code.text
    assert "aria-invalid=true" in bad_code.text
    assert released.status_code == 303
    assert "The task is back in the queue." in queue.text
    assert (malformed.status_code, malformed_claim.status_code) == (404, 404)
    page = await client.get(f"/console/reviews/{declined}")
    assert "Claim this task" in page.text and "Not decided yet." in page.text


async def test_card_numbers_the_reader_took_as_values_are_masked_in_the_fields_too(
    client, underwriter, intake_headers
) -> None:
    text = "Loan ID: 4111111111111111. I need $5,000 for a car."
    response = await client.post("/lending/intake", json={"text": text}, headers=intake_headers)
    assert response.status_code == 201, response.text
    await sign_in(client, underwriter)
    queue = await client.get("/console?status=active&kind=application")
    task_id = re.search(r'href="/console/reviews/([0-9a-f]+)"', queue.text)
    assert task_id

    page = await client.get(f"/console/reviews/{task_id[1]}")

    assert page.status_code == 200
    assert "4111111111111111" not in page.text
    assert "[card ending 1111]" in page.text


async def test_a_failed_application_has_a_case_file_too(client, underwriter, bankdesk) -> None:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        row = LoanApplication(channel="intake", raw_request="I need money", status="failed",
                              error="ProviderUnavailable")  # fmt: skip
        await uow.applications.add(row)
        task = await open_for_application(uow, row, "failed", detail="processing failed")
        await uow.commit()
    await sign_in(client, underwriter)

    page = await client.get(f"/console/reviews/{task.id}")

    assert page.status_code == 200
    assert "The policy made no decision: processing failed (ProviderUnavailable)." in page.text
    assert "Not linked to a customer." in page.text
