"""Guardrails: what must be present and plausible before any policy may decide."""

from dataclasses import replace
from decimal import Decimal

import pytest
from tests.support.seeds import SEED_APPLICATION

from bankdesk.domain.application import Field, LoanApplication
from bankdesk.lending.guardrails import Limits, Problem, check_application

LIMITS = Limits(max_monthly_income=Decimal("1000000"), max_requested_amount=Decimal("50000000"))
COMPLETE = SEED_APPLICATION


def problems_with(unsure: dict[Field, str] | None = None, **changes) -> tuple[Problem, ...]:
    return check_application(replace(COMPLETE, **changes), limits=LIMITS, unsure=unsure)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="seed-application"),
        pytest.param({"loan_id": None, "currency": None}, id="optional-fields-absent"),
        pytest.param({"monthly_debt": Decimal(0)}, id="no-debt"),
        pytest.param({"income": Decimal("1000000")}, id="income-at-the-limit"),
        pytest.param({"requested_amount": Decimal("50000000")}, id="amount-at-the-limit"),
        pytest.param({"income": Decimal("0.01")}, id="income-one-cent"),
    ],
)
def test_complete_application_has_no_problems(changes):
    assert problems_with(**changes) == ()


@pytest.mark.parametrize(
    ("field", "code", "label"),
    [
        pytest.param(Field.BORROWER_NAME, "MISSING_BORROWER_NAME", "full name", id="name"),
        pytest.param(Field.INCOME, "MISSING_INCOME", "monthly income", id="income"),
        pytest.param(
            Field.MONTHLY_DEBT, "MISSING_MONTHLY_DEBT", "monthly debt payments", id="debt"
        ),
        pytest.param(
            Field.REQUESTED_AMOUNT, "MISSING_REQUESTED_AMOUNT", "requested amount", id="amount"
        ),
    ],
)
def test_each_missing_required_field_is_a_problem(field, code, label):
    (problem,) = problems_with(**{field.value: None})

    assert problem.field is field
    assert problem.code == code
    assert problem.message == f"We need the borrower's {label}."
    assert problem.reason.code == code


def test_blank_name_counts_as_missing():
    assert [p.code for p in problems_with(borrower_name="")] == ["MISSING_BORROWER_NAME"]


def test_every_missing_field_is_reported_not_just_the_first():
    problems = check_application(LoanApplication(), limits=LIMITS)

    assert [p.code for p in problems] == [
        "MISSING_BORROWER_NAME",
        "MISSING_INCOME",
        "MISSING_MONTHLY_DEBT",
        "MISSING_REQUESTED_AMOUNT",
    ]


def test_why_a_field_was_left_empty_is_in_the_message():
    why = "income is stated per hour; monthly hours are not known"

    (problem,) = problems_with(unsure={Field.INCOME: why}, income=None)

    assert problem.code == "MISSING_INCOME"
    assert problem.message.startswith("We need the borrower's monthly income")
    assert why in problem.message


def invalid(case_id: str, field: Field, value: str, words: str):
    return pytest.param(field, Decimal(value), words, id=case_id)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        invalid("income-negative", Field.INCOME, "-7200", "(-7,200) cannot be negative"),
        invalid("income-above-max", Field.INCOME, "1000000.01", "plausible maximum of 1,000,000"),
        invalid("debt-negative", Field.MONTHLY_DEBT, "-1", "(-1) cannot be negative"),
        invalid("debt-above-max", Field.MONTHLY_DEBT, "1000000.01", "maximum of 1,000,000"),
        invalid("amount-zero", Field.REQUESTED_AMOUNT, "0", "(0) must be greater than zero"),
        invalid("amount-negative", Field.REQUESTED_AMOUNT, "-45000", "(-45,000) must be greater"),
        invalid("amount-above-max", Field.REQUESTED_AMOUNT, "50000000.01", "maximum of 50,000,000"),
    ],
)
def test_implausible_figure_is_a_problem(field, value, words):
    (problem,) = problems_with(**{field.value: value})

    assert problem.code == f"INVALID_{field.value.upper()}"
    assert problem.field is field
    assert words in problem.message
    assert problem.message.endswith("please confirm it.")


@pytest.mark.parametrize(
    "field", [Field.INCOME, Field.MONTHLY_DEBT, Field.REQUESTED_AMOUNT], ids=str
)
def test_not_a_number_is_a_problem_not_a_crash(field):
    problems = problems_with(**{field.value: Decimal("NaN")})

    assert [p.code for p in problems] == [f"INVALID_{field.value.upper()}"]


def test_zero_income_is_left_for_the_policy_to_decline():
    assert problems_with(income=Decimal(0)) == ()


def test_missing_and_invalid_fields_are_reported_together():
    problems = problems_with(income=Decimal(-1), requested_amount=None)

    assert {p.code for p in problems} == {"MISSING_REQUESTED_AMOUNT", "INVALID_INCOME"}


def test_unclear_currency_is_a_problem_with_the_reason():
    why = "amounts are in different currencies: EUR, USD"

    (problem,) = problems_with(unsure={Field.CURRENCY: why}, currency=None)

    assert problem.code == "CURRENCY_UNCLEAR"
    assert problem.field is Field.CURRENCY
    assert why in problem.message


def test_tighter_limits_are_honoured():
    limits = Limits(max_monthly_income=Decimal("5000"), max_requested_amount=Decimal("40000"))

    problems = check_application(COMPLETE, limits=limits)

    assert [p.code for p in problems] == ["INVALID_INCOME", "INVALID_REQUESTED_AMOUNT"]
