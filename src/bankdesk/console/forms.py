"""The decision form: its fields read into a DecisionRequest, or what to fix, in words."""

import re
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bankdesk.reviews.schemas import DecisionRequest

CODE_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a field of the form."""

    field: str
    message: str


def decision_from(
    *, outcome: str, justification: str, reason_codes: str
) -> DecisionRequest | list[Problem]:
    """The decision the form asks for, or the problems with it (one per field)."""
    codes = [code for code in CODE_SEPARATORS.split(reason_codes.strip().upper()) if code]
    try:
        return DecisionRequest.model_validate(
            {"outcome": outcome, "justification": justification, "reason_codes": codes}
        )
    except ValidationError as invalid:
        problems = [_problem(error) for error in invalid.errors(include_url=False)]
        first = {problem.field: problem for problem in reversed(problems)}
        return [first[field] for field in dict.fromkeys(p.field for p in problems)]


def _problem(error: ErrorDetails) -> Problem:
    field = str(error["loc"][0]) if error["loc"] else "form"
    kind = error["type"]
    if field == "outcome":
        return Problem(field, "Outcome: choose approve, decline or request information.")
    if field == "justification":
        if kind == "string_too_long":
            return Problem(field, "Justification: keep it to 4,000 characters.")
        if "control characters" in str(error["msg"]):
            return Problem(field, "Justification: remove control characters.")
        return Problem(
            field,
            "Justification: say why in at least 10 characters, in words an auditor can follow.",
        )
    if kind == "too_short":
        return Problem(field, "Reason codes: give at least one, e.g. INCOME_VERIFIED.")
    if kind == "too_long":
        return Problem(field, "Reason codes: give at most 20.")
    return Problem(
        field,
        "Reason codes: use capital letters, digits and underscores, starting with a letter "
        "(e.g. DTI_ACCEPTABLE), separated by commas or spaces.",
    )
