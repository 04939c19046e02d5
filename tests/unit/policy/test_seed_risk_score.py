"""The seed-risk-score policy: the lending API's risk score and its 80-point threshold."""

from decimal import Decimal
from itertools import product

import pytest
from tests.support.seed_rules import seed_risk_outcome, seed_risk_score

from bankdesk.domain.decision import Outcome, PolicyResult
from bankdesk.domain.errors import PolicyInputRejected
from bankdesk.policy.engine import PolicyEngine

POLICY = "seed-risk-score"
BELOW_THRESHOLD = "RISK_SCORE_BELOW_THRESHOLD"


def request(income, amount, years, applicant_id="APP-001") -> dict:
    return {
        "applicant_id": applicant_id,
        "amount": Decimal(amount),
        "income": Decimal(income),
        "employment_years": years,
    }


def score(policies: PolicyEngine, income, amount, years) -> PolicyResult:
    return policies.evaluate(POLICY, request(income, amount, years))


@pytest.mark.parametrize(
    ("income", "amount", "years", "risk_score", "outcome"),
    [
        # ARCHITECTURE.md: the seed printed 1140.0 here; its own formula gives 1830.0.
        pytest.param("90000", "5000", 6, "1830.00", Outcome.APPROVE, id="seed-example-1830"),
        pytest.param("8000", "10000", 0, "80.00", Outcome.APPROVE, id="exactly-80"),
        pytest.param("7999", "10000", 0, "79.99", Outcome.REVIEW, id="79.99-just-below"),
        pytest.param("7000", "10000", 2, "80.00", Outcome.APPROVE, id="years-lift-to-80"),
        pytest.param("6999", "10000", 2, "79.99", Outcome.REVIEW, id="years-short-a-cent"),
        pytest.param("79995", "100000", 0, "80.00", Outcome.APPROVE, id="79.995-rounds-up"),
        pytest.param("1", "3", 0, "33.33", Outcome.REVIEW, id="rounded-to-cents"),
        pytest.param("1", "800", 0, "0.13", Outcome.REVIEW, id="0.125-half-up"),
        pytest.param("1", "200000", 0, "0.00", Outcome.REVIEW, id="tiny-ratio-scores-zero"),
        pytest.param("1", "200000", 16, "80.00", Outcome.APPROVE, id="years-alone-reach-80"),
    ],
)
def test_risk_score_and_decision(policies, income, amount, years, risk_score, outcome):
    result = score(policies, income, amount, years)

    assert result.figures["risk_score"] == Decimal(risk_score)
    assert result.outcome is outcome
    expected_codes = [] if outcome is Outcome.APPROVE else [BELOW_THRESHOLD]
    assert [reason.code for reason in result.reasons] == expected_codes


GRID = [
    pytest.param(income, amount, years, id=f"income={income}-amount={amount}-years={years}")
    for income, amount, years in product(
        ["1", "999.99", "4000", "8000", "90000"],
        ["0.01", "3", "5000", "9999.99", "10000", "250000"],
        [0, 1, 6, 16],
    )
]


@pytest.mark.parametrize(("income", "amount", "years"), GRID)
def test_matches_the_seed_formula(policies, income, amount, years):
    result = score(policies, income, amount, years)

    expected = seed_risk_score(Decimal(income), Decimal(amount), years)
    assert result.figures["risk_score"] == expected
    assert result.outcome.value == seed_risk_outcome(expected)


def test_result_names_the_policy_and_its_content_hash(policies):
    result = score(policies, "90000", "5000", 6)

    assert result.policy.id == POLICY
    assert result.policy.version.startswith("sha256:")
    assert result.policy == policies.get(POLICY).ref


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param(
            request("90000", "5000", 6, applicant_id="AB"), "applicant_id", id="id-2-chars"
        ),
        pytest.param(request("90000", "5000", 6, applicant_id=""), "applicant_id", id="id-empty"),
        pytest.param(request("90000", "0", 6), "amount", id="amount-zero"),
        pytest.param(request("90000", "-5000", 6), "amount", id="amount-negative"),
        pytest.param(request("0", "5000", 6), "income", id="income-zero"),
        pytest.param(request("90000", "5000", -1), "employment_years", id="years-negative"),
        pytest.param(request("90000", "5000", 2.5), "employment_years", id="years-fraction"),
        pytest.param(
            request("90000", "5000", Decimal("2.5")),
            "employment_years",
            id="years-decimal-fraction",
        ),
        pytest.param(
            {k: v for k, v in request("90000", "5000", 6).items() if k != "applicant_id"},
            "applicant_id",
            id="id-missing",
        ),
    ],
)
def test_input_schema_rejects_bad_requests(policies, values, field):
    with pytest.raises(PolicyInputRejected) as rejected:
        policies.evaluate(POLICY, values)

    assert field in str(rejected.value)
    assert rejected.value.policy_id == POLICY
