"""What a model may say about a loan application: facts as stated, each with its source text.

The schema keeps arithmetic and judgement out of the model. Amounts come back as stated
(value, currency, period, source text) and bankdesk converts and adds them in code; there
is no field for a decision, a ratio or a total.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from bankdesk.domain.application import Extraction
from bankdesk.domain.application import Field as AppField
from bankdesk.lending.extraction import extract_application


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


# Text a model returns is stored and shown: NUL, which PostgreSQL cannot hold, is invalid.
ModelText = Annotated[str, AfterValidator(_no_nul)]
StatedNumber = Annotated[Decimal, Field(allow_inf_nan=False), WithJsonSchema({"type": "number"})]
PeriodName = Literal["monthly", "annual", "weekly", "biweekly", "semimonthly", "hourly"]
FieldName = Literal[
    "loan_id",
    "borrower_name",
    "income",
    "monthly_debt",
    "requested_amount",
    "currency",
    "employment_years",
    "term_months",
    "purpose",
]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmountQuote(_Closed):
    """An amount exactly as the text states it."""

    value: StatedNumber = Field(description="The number in units: '$7.2k' is 7200")
    currency: ModelText | None = Field(
        description="ISO 4217 code the text states or marks, or null"
    )
    period: PeriodName | None = Field(description="How often it recurs, or null if not stated")
    source_text: ModelText = Field(description="The exact characters of the text stating it")


class NumberQuote(_Closed):
    """A number the text states (years employed, term in months)."""

    value: StatedNumber
    source_text: ModelText = Field(description="The exact characters of the text stating it")


class TextQuote(_Closed):
    """A piece of text the text states (a name, an id, a purpose)."""

    value: ModelText
    source_text: ModelText = Field(description="The exact characters of the text stating it")


class Unclear(_Closed):
    """A field the text states but not clearly enough to copy."""

    field: FieldName
    reason: ModelText


class LoanFacts(_Closed):
    """The facts of a loan application, as stated; the model's whole answer."""

    loan_id: TextQuote | None
    borrower_name: TextQuote | None
    income: list[AmountQuote] = Field(description="The borrower's own current income sources")
    debt_payments: list[AmountQuote] = Field(description="Each recurring debt payment")
    no_debt_statement: TextQuote | None = Field(description="Where the text says 'no debts'")
    requested_amount: AmountQuote | None
    employment_years: NumberQuote | None
    term_months: NumberQuote | None
    purpose: TextQuote | None
    unclear: list[Unclear]


def unclear_fields(facts: LoanFacts) -> dict[AppField, str]:
    """The fields the model said it could not read clearly, with its reasons."""
    return {AppField(item.field): item.reason for item in facts.unclear}


def facts_from_extraction(extraction: Extraction) -> LoanFacts:
    """The offline extractor's reading in the model's schema (the offline provider's answer)."""
    values = extraction.values

    def amounts(name: AppField) -> list[AmountQuote]:
        item = values.get(name)
        return [
            AmountQuote(
                value=stated.amount,
                currency=stated.currency,
                period=stated.period.value if stated.period else None,
                source_text=stated.span.text,
            )
            for stated in (item.stated if item else ())
        ]

    def quote(name: AppField) -> TextQuote | None:
        item = values.get(name)
        return TextQuote(value=str(item.value), source_text=item.spans[0].text) if item else None

    def number(name: AppField) -> NumberQuote | None:
        item = values.get(name)
        if item is None or not isinstance(item.value, Decimal):
            return None
        return NumberQuote(value=item.value, source_text=item.spans[0].text)

    debt = values.get(AppField.MONTHLY_DEBT)
    no_debt = debt is not None and not debt.stated
    requested = amounts(AppField.REQUESTED_AMOUNT)
    return LoanFacts(
        loan_id=quote(AppField.LOAN_ID),
        borrower_name=quote(AppField.BORROWER_NAME),
        income=amounts(AppField.INCOME),
        debt_payments=amounts(AppField.MONTHLY_DEBT),
        no_debt_statement=quote(AppField.MONTHLY_DEBT) if no_debt else None,
        requested_amount=requested[0] if requested else None,
        employment_years=number(AppField.EMPLOYMENT_YEARS),
        term_months=number(AppField.TERM_MONTHS),
        purpose=quote(AppField.PURPOSE),
        unclear=[Unclear(field=name.value, reason=why) for name, why in extraction.unsure.items()],
    )


def offline_facts(text: str) -> LoanFacts:
    """Read the facts with the offline extractor alone."""
    return facts_from_extraction(extract_application(text))
