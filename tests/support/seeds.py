"""The seed documents' Maya Chen example, in each of the shapes the tests feed bankdesk."""

from decimal import Decimal

from bankdesk.domain.application import LoanApplication

# The lending seed's test input, verbatim.
SEED_TEXT = (
    "\nLoan ID: LN-1042\nBorrower: Maya Chen\nMonthly income: $7200\n"
    "Monthly debt payments: $1800\nRequested amount: $45000\n"
)
# The event the seed's client sends to `lending-decision-function`.
SEED_EVENT = {
    "loan_id": "LN-1042",
    "borrower_name": "Maya Chen",
    "income": 7200,
    "monthly_debt": 1800,
    "requested_amount": 45000,
}
SEED_APPLICATION = LoanApplication(
    loan_id="LN-1042",
    borrower_name="Maya Chen",
    income=Decimal("7200"),
    monthly_debt=Decimal("1800"),
    requested_amount=Decimal("45000"),
    currency="USD",
)
