"""Free-text intake, structured decisions, and the stored record read back over HTTP."""

import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT

from bankdesk.domain.access import Role
from bankdesk.lending.schemas import DecisionView

# Six reasons: four missing fields, two currencies and two loan ids.
MUDDLED_TEXT = "Loan ID: LN-1. Loan ID: LN-2. I need 500 EUR and 300 GBP and $100."


def event(**changes):
    return {**SEED_EVENT, **changes}


async def intake(client, headers, text=SEED_TEXT, **extra):
    response = await client.post("/lending/intake", json={"text": text, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_intake_answers_with_the_cli_json_plus_where_it_is_stored(
    client, intake_headers, bankdesk
):
    body = await intake(client, intake_headers)

    cli = DecisionView.of(bankdesk.lending.decide_text(SEED_TEXT)).model_dump(mode="json")
    # The engine's trace records how long each node took; everything else must match.
    assert body.pop("trace").keys() == cli.pop("trace").keys()
    application_id = body.pop("application_id")
    assert body == {**cli, "status": "decided"}
    stored = await client.get(f"/lending/applications/{application_id}", headers=intake_headers)
    assert (stored.status_code, stored.json()["status"]) == (200, "decided")


@pytest.mark.parametrize(
    ("payload", "decision", "dti", "next_step", "notice"),
    [
        pytest.param(SEED_EVENT, "approve", 0.25, "send approval notice", "approval_notice",
                     id="seed-event-approve"),
        pytest.param(event(income=4000), "review", 0.45, "request additional documents",
                     "document_request", id="dti-under-half-review"),
        pytest.param(event(income=0, monthly_debt=100), "decline", 1.0,
                     "route to human underwriter", "underwriter_referral",
                     id="zero-income-dti-one-decline"),
        pytest.param(event(borrower_name=None), "incomplete", None, "request more information",
                     "information_request", id="no-name-incomplete"),
    ],
)  # fmt: skip
async def test_decide_follows_the_seed_rules_and_queues_the_notice(
    client, intake_headers, payload, decision, dti, next_step, notice
):
    response = await client.post("/lending/decide", json=payload, headers=intake_headers)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "application_id", "decision", "dti", "loan_id", "reasons", "next_step", "policy",
    }  # fmt: skip
    assert (body["decision"], body["dti"], body["next_step"]) == (decision, dti, next_step)
    assert (body["loan_id"], body["policy"]["id"]) == ("LN-1042", "seed-dti")
    record = await client.get(
        f"/lending/applications/{body['application_id']}", headers=intake_headers
    )
    assert [n["kind"] for n in record.json()["notices"]] == [notice]


async def test_record_holds_fields_evidence_decision_and_notice(client, intake_headers):
    created = await intake(client, intake_headers, applicant_id="cust_1001")

    response = await client.get(
        f"/lending/applications/{created['application_id']}", headers=intake_headers
    )

    assert response.status_code == 200
    record = response.json()
    assert (record["status"], record["channel"], record["applicant_id"]) == (
        "decided", "intake", "cust_1001",
    )  # fmt: skip
    assert record["raw_request"] == SEED_TEXT
    assert record["error"] is None
    assert record["fields"] == created["fields"]
    for name, evidence in record["evidence"].items():
        for span in evidence["spans"]:
            assert SEED_TEXT[span["start"] : span["end"]] == span["text"], name
    assert record["evidence"]["income"]["spans"][0]["text"] == "$7200"
    decision = record["decision"]
    assert (decision["outcome"], decision["dti"], decision["next_step"]) == (
        "approve", 0.25, "send approval notice",
    )  # fmt: skip
    assert decision["policy"] == created["policy"]
    assert [(n["kind"], n["status"]) for n in record["notices"]] == [("approval_notice", "pending")]


async def test_record_shows_the_audit_trail_only_to_auditors_and_admins(
    client, intake_headers, issue_key
):
    created = await intake(client, intake_headers)

    trails = {}
    for role in Role:
        record = await client.get(
            f"/lending/applications/{created['application_id']}", headers=await issue_key(role)
        )
        trail = record.json()["audit_trail"]
        trails[role.value] = trail if trail is None else [entry["action"] for entry in trail]

    actions = ["application.received", "application.decided", "notice.queued"]
    assert trails == {"intake": None, "underwriter": None, "auditor": actions, "admin": actions}


async def test_audit_endpoint_lists_who_did_what_in_which_request(
    client, intake_headers, auditor_headers
):
    submitted = await client.post(
        "/lending/intake",
        json={"text": SEED_TEXT},
        headers={**intake_headers, "X-Request-ID": "req-audit-1"},
    )

    response = await client.get(
        f"/lending/applications/{submitted.json()['application_id']}/audit",
        headers=auditor_headers,
    )

    assert response.status_code == 200
    trail = response.json()
    assert [entry["action"] for entry in trail] == [
        "application.received", "application.decided", "notice.queued",
    ]  # fmt: skip
    # The request id is bankdesk's own, never the caller's: it is kept in an append-only chain.
    assert {entry["request_id"] for entry in trail} == {submitted.headers["X-Request-ID"]}
    assert len({entry["actor"] for entry in trail}) == 1
    assert trail[0]["actor"].startswith("key:")
    assert [entry["seq"] for entry in trail] == sorted(entry["seq"] for entry in trail)
    assert trail[1]["after"]["outcome"] == "approve"


@pytest.mark.parametrize(
    ("text", "decision", "reason_codes", "stored_reasons"),
    [
        pytest.param(
            "Borrower: Ann Lee\nMonthly income: $2000\nMonthly debt payments: $1500\n"
            "Requested amount: $900000\n",
            "decline",
            ["INCOME_BELOW_MINIMUM", "DTI_ABOVE_MAXIMUM", "AMOUNT_ABOVE_INCOME_MULTIPLE"],
            3,
            id="decline-three-reasons",
        ),
        pytest.param(
            MUDDLED_TEXT,
            "incomplete",
            ["MISSING_BORROWER_NAME", "MISSING_INCOME", "MISSING_MONTHLY_DEBT",
             "MISSING_REQUESTED_AMOUNT"],
            6,
            id="six-problems-four-principal-reasons",
        ),
    ],
)  # fmt: skip
async def test_explanation_gives_at_most_four_principal_reasons(
    client, intake_headers, text, decision, reason_codes, stored_reasons
):
    created = await intake(client, intake_headers, text=text)

    response = await client.get(
        f"/lending/applications/{created['application_id']}/explanation", headers=intake_headers
    )
    record = await client.get(
        f"/lending/applications/{created['application_id']}", headers=intake_headers
    )

    assert response.status_code == 200
    explanation = response.json()
    assert explanation["decision"] == decision
    assert [reason["code"] for reason in explanation["principal_reasons"]] == reason_codes
    assert all(reason["message"] for reason in explanation["principal_reasons"])
    assert explanation["summary"]
    assert explanation["next_step"] == created["next_step"]
    assert explanation["policy"] == created["policy"]
    all_reasons = record.json()["decision"]["reasons"]
    assert len(all_reasons) == stored_reasons
    assert explanation["principal_reasons"] == all_reasons[:4]


async def test_unknown_application_is_404_everywhere(client, admin_headers):
    unknown = "0" * 32
    paths = [
        f"/lending/applications/{unknown}",
        f"/lending/applications/{unknown}/explanation",
        f"/lending/applications/{unknown}/audit",
    ]

    responses = [await client.get(path, headers=admin_headers) for path in paths]

    assert {(r.status_code, r.json()["detail"]) for r in responses} == {
        (404, "no application with this id")
    }
