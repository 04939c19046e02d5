"""JSON shapes of the lending flow: the seed's decision event and the decision view."""

import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

from bankdesk.domain.application import ExtractedValue, LoanApplication
from bankdesk.domain.errors import InvalidEvent
from bankdesk.lending.flow import LendingDecision
from bankdesk.lending.reading import Reading, Source


def _number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an integer when whole, else the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)


Number = Annotated[Decimal, PlainSerializer(_number, return_type=int | float, when_used="json")]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000), which cannot be stored")
    return value


# Text the database must store exactly: PostgreSQL cannot hold NUL in text or JSONB.
StoredText = Annotated[str, AfterValidator(_no_nul)]
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False, max_digits=20, decimal_places=6)]


class DecisionEvent(BaseModel):
    """The seed's `lending-decision-function` event; income and debt are monthly."""

    # Lax on purpose: JSON numbers and numeric strings are exact decimals; booleans, NaN and
    # everything else are refused with a message naming the field.
    model_config = ConfigDict(extra="allow")

    loan_id: StoredText | None = Field(default=None, max_length=64)
    borrower_name: StoredText | None = Field(default=None, max_length=200)
    income: Money = Field(description="Monthly income")
    monthly_debt: Money = Field(description="Monthly debt payments")
    requested_amount: Money = Field(description="Amount requested")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @classmethod
    def parse(cls, payload: str | bytes) -> "DecisionEvent":
        """Validate a JSON event, raising InvalidEvent with every problem in one line."""
        try:
            return cls.model_validate_json(payload)
        except ValidationError as error:
            raise InvalidEvent(describe_errors(error)) from None

    def application(self) -> LoanApplication:
        """The event as an application."""
        return LoanApplication(
            loan_id=self.loan_id,
            borrower_name=self.borrower_name,
            income=self.income,
            monthly_debt=self.monthly_debt,
            requested_amount=self.requested_amount,
            currency=self.currency,
        )


def describe_errors(error: ValidationError) -> str:
    """Pydantic's errors as one line a person can act on."""
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "event"
        message = "not valid JSON" if item["type"] == "json_invalid" else item["msg"]
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


class SpanView(BaseModel):
    """Where in the text a value came from."""

    start: int
    end: int
    text: str


class EvidenceView(BaseModel):
    """One extracted value with its grounding and the reader it came from."""

    value: Number | str
    spans: list[SpanView]
    note: str = ""
    source: str = Field(default="offline", description="offline, model or both (they agreed)")


class ModelCallSummary(BaseModel):
    """One request to a model, in brief (the full record is stored with the application)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    attempt: int
    model: str
    status: str
    errors: list[str]
    tokens_in: int
    tokens_out: int
    latency_ms: int
    cost_usd: Number | None = Field(validation_alias="cost")


class ReadingView(BaseModel):
    """How the text was read: by which provider, whether degraded, what the readers disagreed on."""

    provider: str = Field(description="offline, or openai when a model's reading was used")
    model: str | None
    degraded: bool = Field(description="The model failed and the offline reading was used alone")
    failure: str | None = Field(description="Why the model's reading could not be used")
    conflicts: dict[str, str] = Field(description="Fields the two readers read differently")
    grounding_failures: list[str] = Field(description="Model values the text does not state")
    model_calls: list[ModelCallSummary]


class ReasonView(BaseModel):
    """A reason code with its plain-language message."""

    code: str
    message: str


class PolicyView(BaseModel):
    """The policy that decided (or would have decided) and its content hash."""

    id: str
    version: str


class FieldsView(BaseModel):
    """The application fields used for the decision; money is monthly where it recurs."""

    loan_id: str | None
    borrower_name: str | None
    income: Number | None
    monthly_debt: Number | None
    requested_amount: Number | None
    currency: str | None
    employment_years: Number | None
    term_months: int | None
    purpose: str | None


class DecisionView(BaseModel):
    """The result of `bankdesk apply --json`: decision, fields, reasons, next step, policy."""

    decision: str
    fields: FieldsView
    missing_fields: list[str]
    dti: Number | None
    reasons: list[ReasonView]
    next_step: str
    policy: PolicyView
    loan_id_assigned: bool
    figures: dict[str, Number]
    evidence: dict[str, EvidenceView]
    unsure: dict[str, str]
    reading: ReadingView | None = Field(description="Present when the application came as text")
    trace: dict[str, Any]

    @classmethod
    def of(cls, decision: LendingDecision) -> "DecisionView":
        """The view of a decision."""
        result = decision.policy_result
        extraction = decision.extraction
        reading = decision.reading
        sources = reading.sources if reading else {}
        app = decision.application
        return cls(
            decision=decision.outcome.value,
            fields=FieldsView(
                loan_id=app.loan_id,
                borrower_name=app.borrower_name,
                income=app.income,
                monthly_debt=app.monthly_debt,
                requested_amount=app.requested_amount,
                currency=app.currency,
                employment_years=app.employment_years,
                term_months=app.term_months,
                purpose=app.purpose,
            ),
            missing_fields=[name.value for name in decision.missing_fields],
            dti=decision.dti_rounded,
            reasons=[ReasonView(code=r.code, message=r.message) for r in decision.reasons],
            next_step=decision.next_action.value,
            policy=PolicyView(id=decision.policy.id, version=decision.policy.version),
            loan_id_assigned=decision.loan_id_assigned,
            figures=dict(result.figures) if result else {},
            evidence={
                name.value: _evidence(value, sources.get(name, Source.OFFLINE))
                for name, value in (extraction.values.items() if extraction else ())
            },
            unsure={
                name.value: why for name, why in (extraction.unsure if extraction else {}).items()
            },
            reading=_reading(reading) if reading else None,
            trace=result.trace if result else {},
        )


def _evidence(value: ExtractedValue, source: Source) -> EvidenceView:
    return EvidenceView(
        value=value.value,
        spans=[SpanView(start=s.start, end=s.end, text=s.text) for s in value.spans],
        note=value.note,
        source=source.value,
    )


def _reading(reading: Reading) -> ReadingView:
    return ReadingView(
        provider=reading.provider,
        model=reading.model,
        degraded=reading.degraded,
        failure=reading.failure,
        conflicts={name.value: why for name, why in reading.conflicts.items()},
        grounding_failures=list(reading.grounding_failures),
        model_calls=[ModelCallSummary.model_validate(call) for call in reading.calls],
    )


def seed_response(decision: LendingDecision, **stored: str) -> dict[str, Any]:
    """The seed Lambda's response: statusCode 200 and a JSON body with decision, dti, loan_id
    (and where the decision is `stored`, when it is)."""
    body = {
        "decision": decision.outcome.value,
        "dti": _number(decision.dti_rounded) if decision.dti_rounded is not None else None,
        "loan_id": decision.application.loan_id,
        "reasons": [{"code": r.code, "message": r.message} for r in decision.reasons],
        "next_step": decision.next_action.value,
        "policy": {"id": decision.policy.id, "version": decision.policy.version},
        **stored,
    }
    return {"statusCode": 200, "body": json.dumps(body)}


class IntakeRequest(BaseModel):
    """A borrower's free-text request."""

    text: StoredText = Field(
        min_length=1,
        description="The message exactly as the borrower wrote it "
        "(at most BANKDESK_MAX_TEXT_CHARS characters, 20,000 by default)",
    )
    applicant_id: StoredText | None = Field(
        default=None, min_length=3, max_length=64, description="Link to an applicant's history"
    )


class IntakeResponse(DecisionView):
    """The same object as `bankdesk apply --json`, plus where it is stored."""

    application_id: str
    status: str = Field(description="decided or incomplete")


class DecideResponse(BaseModel):
    """The seed function's body for a structured event, plus where it is stored."""

    application_id: str
    decision: str
    dti: Number | None
    loan_id: str | None
    reasons: list[ReasonView]
    next_step: str
    policy: PolicyView


class ProcessingFailed(BaseModel):
    """Processing failed: the request is stored with status failed and goes to a person."""

    application_id: str
    status: str = "failed"
    next_step: str = "route to human underwriter"
    detail: str = "the request is stored but could not be processed automatically"


class ErrorDetail(BaseModel):
    """An error a person can act on."""

    detail: str
