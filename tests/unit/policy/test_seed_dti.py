"""The seed-dti policy: the `lending-decision-function` rules, decided by zen-engine."""

from decimal import ROUND_HALF_EVEN, Decimal
from itertools import product

import pytest
from tests.support.seed_rules import seed_dti_outcome

from bankdesk.domain.decision import Outcome, PolicyResult
from bankdesk.domain.errors import PolicyInputRejected
from bankdesk.policy.engine import PolicyEngine

POLICY = "seed-dti"

INCOME_MIN = "INCOME_BELOW_MINIMUM"
INCOME_APPROVAL = "INCOME_BELOW_APPROVAL_MINIMUM"
DTI_MAX = "DTI_ABOVE_MAXIMUM"
DTI_APPROVAL = "DTI_ABOVE_APPROVAL_LIMIT"
AMOUNT = "AMOUNT_ABOVE_INCOME_MULTIPLE"

APPROVE, REVIEW, DECLINE = Outcome.APPROVE, Outcome.REVIEW, Outcome.DECLINE


def inputs(income, debt, amount) -> dict[str, Decimal]:
    return {
        "income": Decimal(income),
        "monthly_debt": Decimal(debt),
        "requested_amount": Decimal(amount),
    }


def decide(policies: PolicyEngine, income, debt, amount) -> PolicyResult:
    return policies.evaluate(POLICY, inputs(income, debt, amount))


def codes(result: PolicyResult) -> set[str]:
    return {reason.code for reason in result.reasons}


def dti_figure(result: PolicyResult) -> Decimal:
    """The policy's dti to six places (enough to tell 0.399998 from 0.4)."""
    return result.figures["dti"].quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)


def row(case_id, income, debt, amount, outcome, reasons, dti):
    return pytest.param(income, debt, amount, outcome, set(reasons), Decimal(dti), id=case_id)


BRANCHES = [
    row("seed-maya-chen", "7200", "1800", "45000", APPROVE, [], "0.25"),
    # dti around 0.4 and 0.5
    row("dti-just-below-0.4", "5000", "1999.99", "50000", APPROVE, [], "0.399998"),
    row("dti-exactly-0.4", "5000", "2000", "10000", REVIEW, [DTI_APPROVAL], "0.4"),
    row("dti-just-below-0.5", "5000", "2499.99", "10000", REVIEW, [DTI_APPROVAL], "0.499998"),
    row("dti-exactly-0.5", "5000", "2500", "10000", DECLINE, [DTI_MAX], "0.5"),
    row("dti-above-0.5", "10000", "6000", "10000", DECLINE, [DTI_MAX], "0.6"),
    # requested amount around 10x income
    row("amount-exactly-10x-income", "5000", "0", "50000", APPROVE, [], "0"),
    row("amount-10x-plus-a-cent", "5000", "0", "50000.01", REVIEW, [AMOUNT], "0"),
    row("amount-far-above-10x", "10000", "1000", "150000", REVIEW, [AMOUNT], "0.1"),
    # income around 5000 and 3000
    row("income-exactly-5000", "5000", "1000", "20000", APPROVE, [], "0.2"),
    row("income-4999.99", "4999.99", "1000", "20000", REVIEW, [INCOME_APPROVAL], "0.2"),
    row("income-exactly-3000", "3000", "0", "10000", REVIEW, [INCOME_APPROVAL], "0"),
    row("income-2999.99", "2999.99", "0", "10000", DECLINE, [INCOME_MIN], "0"),
    # more than one reason at once
    row("dti-0.45-band", "4000", "1800", "10000", REVIEW, [INCOME_APPROVAL, DTI_APPROVAL], "0.45"),
    row("dti-0.5-band", "4000", "2000", "10000", DECLINE, [INCOME_APPROVAL, DTI_MAX], "0.5"),
    row("income-3000-dti-0.5", "3000", "1500", "10000", DECLINE, [INCOME_APPROVAL, DTI_MAX], "0.5"),
    row("all-reasons", "2000", "1200", "50000", DECLINE, [INCOME_MIN, DTI_MAX, AMOUNT], "0.6"),
    # income 0: dti is taken as 1
    row("income-zero-dti-one", "0", "0", "10000", DECLINE, [INCOME_MIN, DTI_MAX, AMOUNT], "1"),
    row("income-zero-amount-zero", "0", "500", "0", DECLINE, [INCOME_MIN, DTI_MAX], "1"),
]


@pytest.mark.parametrize(("income", "debt", "amount", "outcome", "reasons", "dti"), BRANCHES)
def test_branches_and_boundaries(policies, income, debt, amount, outcome, reasons, dti):
    result = decide(policies, income, debt, amount)

    assert result.outcome is outcome
    assert codes(result) == reasons
    assert dti_figure(result) == dti


def test_dti_of_exactly_0_4_in_cents_is_not_approved(policies):
    # 2880.04 / 7200.10 is exactly 0.4; binary floats would make it 0.39999999999999997.
    result = decide(policies, "7200.10", "2880.04", "10000")

    assert result.outcome is REVIEW
    assert codes(result) == {DTI_APPROVAL}
    assert result.figures["dti"] == Decimal("0.4")


@pytest.mark.parametrize("outcome", [APPROVE, REVIEW, DECLINE], ids=str)
def test_trace_names_the_rule_that_decided(policies, outcome):
    cases = {APPROVE: ("7200", "1800", "45000"), REVIEW: ("4000", "1000", "20000")}
    result = decide(policies, *cases.get(outcome, ("2500", "1000", "20000")))

    assert result.outcome is outcome
    assert {"request", "figures", "reasons", "outcome"} <= set(result.trace)
    assert result.trace["outcome"]["traceData"]["rule"]["_id"] == outcome.value


def test_result_names_the_policy_and_its_content_hash(policies):
    result = decide(policies, "7200", "1800", "45000")

    assert result.policy.id == "seed-dti"
    assert result.policy.version.startswith("sha256:")
    assert len(result.policy.version) == len("sha256:") + 64
    assert result.policy == policies.get("seed-dti").ref


INCOMES = ["0", "2999.99", "3000", "4000", "4999.99", "5000", "7200", "12000"]
DEBTS = ["0", "1000", "1999.99", "2000", "2500", "2880.04", "4800"]
AMOUNTS = ["0", "10000", "45000", "50000", "50000.01", "72001", "120000"]
GRID = [
    pytest.param(income, debt, amount, id=f"income={income}-debt={debt}-amount={amount}")
    for income, debt, amount in product(INCOMES, DEBTS, AMOUNTS)
]


@pytest.mark.parametrize(("income", "debt", "amount"), GRID)
def test_matches_the_seed_rules_and_approves_only_without_reasons(policies, income, debt, amount):
    result = decide(policies, income, debt, amount)

    expected = seed_dti_outcome(Decimal(income), Decimal(debt), Decimal(amount))
    assert result.outcome.value == expected
    assert (result.outcome is APPROVE) == (not result.reasons)


def without(name: str) -> dict:
    values = inputs("7200", "1800", "45000")
    del values[name]
    return values


def with_value(name: str, value) -> dict:
    return {**inputs("7200", "1800", "45000"), name: value}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        pytest.param(without("income"), "income", id="missing-income"),
        pytest.param(without("monthly_debt"), "monthly_debt", id="missing-debt"),
        pytest.param(without("requested_amount"), "requested_amount", id="missing-amount"),
        pytest.param(with_value("income", "abc"), "income", id="income-text-abc"),
        pytest.param(with_value("income", True), "income", id="income-boolean"),
        pytest.param(with_value("monthly_debt", Decimal(-1)), "monthly_debt", id="negative-debt"),
        pytest.param(with_value("requested_amount", None), "requested_amount", id="amount-null"),
        pytest.param(with_value("loan_id", 1042), "loan_id", id="loan-id-number"),
        pytest.param(with_value("income", Decimal("NaN")), "income", id="income-not-a-number"),
    ],
)
def test_input_schema_rejects_bad_values(policies, values, field):
    with pytest.raises(PolicyInputRejected) as rejected:
        policies.evaluate(POLICY, values)

    assert field in str(rejected.value)
    assert rejected.value.policy_id == POLICY
    assert f"policy '{POLICY}'" in str(rejected.value)


def test_number_too_large_for_the_engine_is_rejected_as_input(policies):
    # Blaming the policy file (InvalidPolicy) would send an operator to fix a file that is fine.
    with pytest.raises(PolicyInputRejected) as rejected:
        policies.evaluate(POLICY, with_value("income", Decimal("1e29")))

    assert "income" in str(rejected.value)
