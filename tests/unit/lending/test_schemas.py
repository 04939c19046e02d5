"""JSON shapes: the seed's decision event and response, and the decision view."""

import json
from decimal import Decimal

import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT

from bankdesk.domain.errors import InvalidEvent
from bankdesk.lending.flow import LendingDecision
from bankdesk.lending.schemas import DecisionEvent, DecisionView, seed_response


def event(**changes) -> str:
    """The seed event as JSON, with fields replaced (or removed when given as ...)."""
    payload = {**SEED_EVENT, **changes}
    return json.dumps({key: value for key, value in payload.items() if value is not ...})


def decide_event(lending, payload: str) -> LendingDecision:
    return lending.decide(DecisionEvent.parse(payload).application())


def test_seed_event_parses_to_exact_decimals():
    parsed = DecisionEvent.parse(json.dumps(SEED_EVENT))

    assert parsed.application().loan_id == "LN-1042"
    assert parsed.application().borrower_name == "Maya Chen"
    assert parsed.income == Decimal("7200")
    assert parsed.monthly_debt == Decimal("1800")
    assert parsed.requested_amount == Decimal("45000")


def test_cents_in_an_event_stay_exact():
    parsed = DecisionEvent.parse(event(income=7200.10, monthly_debt=2880.04))

    assert parsed.income == Decimal("7200.1")
    assert parsed.monthly_debt == Decimal("2880.04")


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        pytest.param(event(income=...), "income: Field required", id="missing-income"),
        pytest.param(event(monthly_debt=...), "monthly_debt: Field required", id="missing-debt"),
        pytest.param(event(income="abc"), "income: ", id="income-text-abc"),
        pytest.param(event(income=True), "income: ", id="income-true"),
        pytest.param(event(monthly_debt=-1), "monthly_debt: ", id="negative-debt"),
        pytest.param(event(requested_amount=None), "requested_amount: ", id="amount-null"),
        pytest.param(event(loan_id=1042), "loan_id: ", id="loan-id-number"),
        pytest.param(event(currency="usd"), "currency: ", id="currency-lowercase"),
        pytest.param(event().replace("45000", "NaN"), "requested_amount: ", id="amount-nan"),
        pytest.param(event().replace("45000", "1e400"), "requested_amount: ", id="amount-infinite"),
        pytest.param("{not json", "not valid JSON", id="invalid-json"),
        pytest.param("", "not valid JSON", id="empty-body"),
        pytest.param("[]", "event: ", id="json-array"),
    ],
)
def test_invalid_event_is_refused_naming_the_field(payload, complaint):
    with pytest.raises(InvalidEvent) as refused:
        DecisionEvent.parse(payload)

    assert complaint in str(refused.value)


def test_every_problem_is_reported_in_one_message():
    with pytest.raises(InvalidEvent) as refused:
        DecisionEvent.parse(event(income=..., monthly_debt=-1))

    assert "income: Field required" in str(refused.value)
    assert "monthly_debt: " in str(refused.value)


@pytest.mark.parametrize(
    "decide",
    [
        pytest.param(lambda lending: decide_event(lending, event()), id="from-event"),
        pytest.param(lambda lending: lending.decide_text(SEED_TEXT), id="from-text"),
    ],
)
def test_seed_response_for_maya_chen(lending, decide):
    response = seed_response(decide(lending))

    assert response["statusCode"] == 200
    assert isinstance(response["body"], str)
    body = json.loads(response["body"])
    assert body["decision"] == "approve"
    assert body["dti"] == 0.25
    assert body["loan_id"] == "LN-1042"
    assert body["next_step"] == "send approval notice"


@pytest.mark.parametrize(
    ("changes", "decision", "dti"),
    [
        pytest.param({"monthly_debt": 3000}, "review", 0.42, id="review-dti-rounded-0.42"),
        pytest.param({"monthly_debt": 4000}, "decline", 0.56, id="decline-dti-rounded-0.56"),
        pytest.param({"monthly_debt": 0}, "approve", 0, id="approve-no-debt"),
        pytest.param({"income": 2500, "monthly_debt": 1000}, "decline", 0.4, id="decline-income"),
    ],
)
def test_seed_response_rounds_dti_to_two_places(lending, changes, decision, dti):
    body = json.loads(seed_response(decide_event(lending, event(**changes)))["body"])

    assert body["decision"] == decision
    assert body["dti"] == dti
    assert body["loan_id"] == "LN-1042"


def test_seed_response_for_an_incomplete_event_has_no_dti(lending):
    body = json.loads(seed_response(decide_event(lending, event(borrower_name=...)))["body"])

    assert body["decision"] == "incomplete"
    assert body["dti"] is None
    assert body["reasons"][0]["code"] == "MISSING_BORROWER_NAME"


FIELD_KEYS = {"loan_id", "borrower_name", "income", "monthly_debt", "requested_amount", "currency"}
VIEW_KEYS = {"decision", "fields", "missing_fields", "dti", "reasons", "next_step", "policy"}


def view_of(decision: LendingDecision) -> dict:
    return DecisionView.of(decision).model_dump(mode="json")


def test_decision_view_of_maya_chen(lending):
    view = view_of(lending.decide_text(SEED_TEXT))

    assert set(view) >= VIEW_KEYS
    assert set(view["fields"]) >= FIELD_KEYS
    assert view["decision"] == "approve"
    assert view["fields"]["loan_id"] == "LN-1042"
    assert view["fields"]["borrower_name"] == "Maya Chen"
    assert view["fields"]["currency"] == "USD"
    assert view["missing_fields"] == []
    assert view["reasons"] == []
    assert view["next_step"] == "send approval notice"
    assert view["policy"]["id"] == "seed-dti"
    assert view["policy"]["version"].startswith("sha256:")
    assert set(view["policy"]) == {"id", "version"}


def test_decision_view_money_is_json_numbers(lending):
    view = view_of(lending.decide_text(SEED_TEXT.replace("$7200", "$7200.50")))
    fields = view["fields"]

    assert fields["income"] == 7200.5
    assert fields["monthly_debt"] == 1800
    assert type(fields["monthly_debt"]) is int
    assert type(fields["requested_amount"]) is int
    assert view["dti"] == 0.25
    assert type(view["dti"]) is float
    assert json.loads(json.dumps(view))["fields"]["income"] == 7200.5


def test_decision_view_reasons_carry_code_and_message(lending):
    view = view_of(lending.decide_text(SEED_TEXT.replace("$1800", "$3000")))

    assert view["decision"] == "review"
    (reason,) = view["reasons"]
    assert set(reason) == {"code", "message"}
    assert reason["code"] == "DTI_ABOVE_APPROVAL_LIMIT"
    assert "40%" in reason["message"]
    assert view["next_step"] == "request additional documents"


def test_decision_view_of_an_incomplete_case(lending):
    view = view_of(lending.decide_text("Borrower: Maya Chen\nMonthly income: $7200\n"))

    assert view["decision"] == "incomplete"
    assert view["missing_fields"] == ["monthly_debt", "requested_amount"]
    assert [reason["code"] for reason in view["reasons"]] == [
        "MISSING_MONTHLY_DEBT",
        "MISSING_REQUESTED_AMOUNT",
    ]
    assert view["dti"] is None
    assert view["next_step"] == "request more information"
    assert view["fields"]["income"] == 7200
    assert view["fields"]["loan_id"].startswith("APP-")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(SEED_TEXT, id="approve-with-trace"),
        pytest.param("hello", id="incomplete-without-trace"),
    ],
)
def test_decision_view_is_plain_json(lending, text):
    view = view_of(lending.decide_text(text))

    assert json.loads(json.dumps(view)) == view
