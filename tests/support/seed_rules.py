"""The seed documents' rules in plain Python: the oracle the policies are checked against."""

from decimal import Decimal


def seed_dti_outcome(income: Decimal, monthly_debt: Decimal, requested_amount: Decimal) -> str:
    """The `lending-decision-function` rules, in exact arithmetic."""
    dti = monthly_debt / income if income > 0 else Decimal(1)
    if income >= 5000 and dti < Decimal("0.4") and requested_amount <= income * 10:
        return "approve"
    if income >= 3000 and dti < Decimal("0.5"):
        return "review"
    return "decline"


def seed_risk_score(income: Decimal, amount: Decimal, employment_years: int) -> Decimal:
    """The lending API's risk score, rounded to cents half away from zero."""
    score = income / amount * 100 + employment_years * 5
    return score.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def seed_risk_outcome(risk_score: Decimal) -> str:
    """The lending API's decision on a risk score (in policy vocabulary)."""
    return "approve" if risk_score >= 80 else "review"
