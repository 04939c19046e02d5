"""Underwriters work the demo's review queue in real Chromium: sign in with the keyboard,
claim, decide with a justification, see the audit entry; the four-eyes flow with two people;
a borrower's `<script>` stays text; the pages fit a phone."""

import re
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect
from tests.support.served import Demo

JUSTIFICATION = "Income verified from payslips, but the debt load is above our appetite."
OVERRIDE = "Mortgage is being refinanced next month; verified new payment brings DTI to 38%."


def sign_in(page: Page, demo: Demo, key: str) -> None:
    """Sign in as a person would: the key field has the focus; type, then Enter."""
    page.goto(f"{demo.url}/console")
    expect(page).to_have_url(re.compile(r"/console/sign-in\?after=%2Fconsole$"))
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()


def open_task(page: Page, amount: str) -> None:
    page.get_by_role("row").filter(has_text=amount).get_by_role("link").click()


def decide(page: Page, outcome: str, justification: str, codes: str) -> None:
    page.get_by_label(outcome, exact=True).check()
    page.get_by_label("Justification").fill(justification)
    page.get_by_label("Reason codes").fill(codes)
    page.get_by_role("button", name="Record decision").click()


def test_an_underwriter_claims_and_decides_a_demo_task_and_sees_the_audit_entry(
    demo: Demo, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in(page, demo, demo.underwriters[0])
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(demo.review_tasks)
    expect(page.locator("table.queue")).to_contain_text("Banking case")

    open_task(page, "18,000.00")
    expect(page.locator("#source-text mark").first).to_have_text("$5,400")
    expect(page.locator(".reasons")).to_contain_text("Monthly debt payments are 50% or more")
    page.get_by_role("button", name="Claim this task").click()
    expect(page.get_by_role("status")).to_have_text("You hold this task now.")
    decide(page, "Request information", "Too short", "")
    expect(page.get_by_role("alert")).to_contain_text("Reason codes: give at least one")
    decide(page, "Decline", JUSTIFICATION, "DTI_ABOVE_MAXIMUM")

    expect(page.get_by_role("status")).to_have_text("Your decision is recorded.")
    audit = page.locator("table.audit")
    expect(audit).to_contain_text("review.decided")
    expect(audit).to_contain_text("review.resolved")
    expect(page.locator(".decisions")).to_contain_text(JUSTIFICATION)
    application_id = page.get_by_role("heading", level=1).locator(".mono").inner_text()
    record = httpx.get(
        f"{demo.url}/lending/applications/{application_id}",
        headers={"Authorization": f"Bearer {demo.admin}"},
    ).json()
    assert record["decision"]["outcome"] == "decline"
    assert record["reviews"][0]["decisions"][0]["justification"] == JUSTIFICATION
    assert [notice["kind"] for notice in record["notices"]][-1] == "decline_notice"


def test_an_override_above_the_four_eyes_amount_needs_a_second_underwriter(
    demo: Demo, new_page: Callable[..., Page]
) -> None:
    first, second = new_page(), new_page()
    sign_in(first, demo, demo.underwriters[0])
    sign_in(second, demo, demo.underwriters[1])

    open_task(first, "120,000.00")
    first.get_by_role("button", name="Claim this task").click()
    decide(first, "Approve", OVERRIDE, "DTI_ACCEPTABLE, INCOME_VERIFIED")
    expect(first.get_by_role("status")).to_contain_text("a second underwriter must confirm")
    expect(first.get_by_role("button", name=re.compile("Claim"))).to_have_count(0)

    second.goto(f"{demo.url}/console?status=awaiting_second")
    open_task(second, "120,000.00")
    expect(second.locator(".decisions")).to_contain_text("overrides the policy (decline)")
    second.get_by_role("button", name="Claim to confirm or reject").click()
    decide(second, "Approve", "Checked the refinance offer letter; agree with the override.",
           "DTI_ACCEPTABLE")  # fmt: skip

    expect(second.get_by_role("status")).to_have_text("Your decision is recorded.")
    expect(second.locator(".panel")).to_contain_text("Resolved: approve")
    expect(second.locator(".decisions li")).to_have_count(2)
    expect(second.locator(".side-by-side")).to_contain_text(re.compile(r"Policy\s+decline"))
    first.reload()
    expect(first.locator(".decisions li").nth(1)).to_contain_text("Theo Grant")


def test_markup_in_a_borrowers_text_renders_as_inert_text(
    demo: Demo, new_page: Callable[..., Page]
) -> None:
    text = (
        "I need $5,000 <script>window.pwned = 1; document.title = 'pwned'</script>"
        '<img src=x onerror="window.pwned = 2"> for a car.'
    )
    submitted = httpx.post(
        f"{demo.url}/lending/intake",
        json={"text": text},
        headers={"Authorization": f"Bearer {demo.admin}"},
    )
    assert submitted.status_code == 201, submitted.text
    page = new_page()
    sign_in(page, demo, demo.underwriters[0])

    page.goto(f"{demo.url}/console?kind=application&status=open")
    application_id = submitted.json()["application_id"]
    page.get_by_role("link", name=f"Loan application {application_id}").click()

    expect(page.locator("#source-text")).to_contain_text("<script>window.pwned = 1;")
    expect(page.locator("#source-text")).to_contain_text('<img src=x onerror="window.pwned = 2">')
    # Escaped, the markup made no element; and the page's policy would refuse to run it.
    assert page.locator("#source-text script, #source-text img").count() == 0
    assert page.evaluate("window.pwned") is None
    assert "pwned" not in page.title()


def test_the_queue_and_a_case_page_fit_a_phone_and_work_from_the_keyboard(
    demo: Demo, new_page: Callable[..., Page]
) -> None:
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(page, demo, demo.admin)
    widths = "[document.documentElement.scrollWidth, window.innerWidth]"

    scroll, inner = page.evaluate(widths)
    assert scroll <= inner, "the queue scrolls sideways on a phone"
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    claim_next = page.get_by_role("button", name="Claim the next task")
    for _ in range(12):  # past the header and the counts, as a keyboard user would
        page.keyboard.press("Tab")
        if claim_next.evaluate("button => button === document.activeElement"):
            break
    expect(claim_next).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("You hold this task now.")
    scroll, inner = page.evaluate(widths)
    assert scroll <= inner, "a case page scrolls sideways on a phone"
    expect(page.get_by_role("button", name="Record decision")).to_be_visible()
