"""A loan application's fields and the evidence each value was taken from."""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bankdesk.domain.money import Period


class Field(StrEnum):
    """Fields of a loan application, as named in the seed's lending event."""

    LOAN_ID = "loan_id"
    BORROWER_NAME = "borrower_name"
    INCOME = "income"
    MONTHLY_DEBT = "monthly_debt"
    REQUESTED_AMOUNT = "requested_amount"
    CURRENCY = "currency"
    EMPLOYMENT_YEARS = "employment_years"
    TERM_MONTHS = "term_months"
    PURPOSE = "purpose"


REQUIRED_FIELDS: tuple[Field, ...] = (
    Field.BORROWER_NAME,
    Field.INCOME,
    Field.MONTHLY_DEBT,
    Field.REQUESTED_AMOUNT,
)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) of the borrower's text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class StatedAmount:
    """An amount exactly as the borrower stated it, before any conversion."""

    amount: Decimal
    currency: str | None
    period: Period | None
    span: Span


@dataclass(frozen=True, slots=True)
class ExtractedValue:
    """One field's value with the spans of text it came from (its grounding)."""

    field: Field
    value: Decimal | str
    spans: tuple[Span, ...]
    stated: tuple[StatedAmount, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class LoanApplication:
    """Typed application fields; income and debt are monthly, money is Decimal."""

    loan_id: str | None = None
    borrower_name: str | None = None
    income: Decimal | None = None
    monthly_debt: Decimal | None = None
    requested_amount: Decimal | None = None
    currency: str | None = None
    employment_years: Decimal | None = None
    term_months: int | None = None
    purpose: str | None = None

    def value(self, name: Field) -> Decimal | str | int | None:
        """The value of one field by name."""
        return getattr(self, name.value)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What an extractor found in a text, and why it left other fields empty."""

    text: str
    values: dict[Field, ExtractedValue] = field(default_factory=dict)
    unsure: dict[Field, str] = field(default_factory=dict)

    @property
    def application(self) -> LoanApplication:
        """The extracted values as a typed application."""

        def found(name: Field) -> Decimal | str | None:
            item = self.values.get(name)
            return None if item is None else item.value

        def text(name: Field) -> str | None:
            value = found(name)
            return None if value is None else str(value)

        def amount(name: Field) -> Decimal | None:
            value = found(name)
            return value if isinstance(value, Decimal) else None

        term = amount(Field.TERM_MONTHS)
        return LoanApplication(
            loan_id=text(Field.LOAN_ID),
            borrower_name=text(Field.BORROWER_NAME),
            income=amount(Field.INCOME),
            monthly_debt=amount(Field.MONTHLY_DEBT),
            requested_amount=amount(Field.REQUESTED_AMOUNT),
            currency=text(Field.CURRENCY),
            employment_years=amount(Field.EMPLOYMENT_YEARS),
            term_months=None if term is None else int(term),
            purpose=text(Field.PURPOSE),
        )
