"""What the console's pages show, cut from the stored records; no HTML is written here.

The borrower's text is cut into pieces, each naming the fields whose values were read from
it, so the page can highlight every value at its source. Card, account, routing and social
security numbers in customer text are masked on screen as in replies (PCI DSS asks that a
card number on a screen show at most its last four digits).
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from bankdesk.banking.redaction import PiiKind, mask, redact

SHOWN_MASKED = frozenset(
    {PiiKind.CARD, PiiKind.IBAN, PiiKind.ACCOUNT, PiiKind.ROUTING, PiiKind.SSN}
)
# How each field is named on the page, in the order the fields table lists them.
FIELD_LABELS = {
    "borrower_name": "Borrower",
    "income": "Monthly income",
    "monthly_debt": "Monthly debt",
    "requested_amount": "Amount requested",
    "currency": "Currency",
    "employment_years": "Years employed",
    "term_months": "Term (months)",
    "purpose": "Purpose",
    "loan_id": "Loan id",
}


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text, the fields read from it, and whether it stands for masked data."""

    text: str
    fields: tuple[str, ...] = ()
    masked: bool = False


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One node of the policy's run: what it found, in brief, and its input and output."""

    name: str
    found: list[str]
    took: str
    detail: str


def field_label(name: str) -> str:
    """A field's name as a person reads it."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def shown(value: object) -> str:
    """A field's value as the page shows it: amounts with thousands separators."""
    if value is None:
        return "—"
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        exact = Decimal(str(value))
        places = 0 if exact == exact.to_integral_value() else 2
        return f"{exact:,.{places}f}"
    return str(value)


def marked_text(text: str, evidence: Mapping[str, Any]) -> list[Piece]:
    """The text in pieces, each with the fields whose values were read from it; card,
    account and social security numbers become their masks."""
    hidden = [found for found in redact(text).findings if found.kind in SHOWN_MASKED]
    spans = [
        (name, start, end)
        for name, item in evidence.items()
        for span in (item.get("spans") or [] if isinstance(item, Mapping) else [])
        if 0 <= (start := int(span["start"])) < (end := int(span["end"])) <= len(text)
    ]
    cuts = {0, len(text)} | {at for _, start, end in spans for at in (start, end)}
    cuts |= {at for found in hidden for at in (found.start, found.end)}
    # Masked data is one piece: a field's span never cuts into it.
    kept = sorted(at for at in cuts if not any(f.start < at < f.end for f in hidden))
    pieces: list[Piece] = []
    for start, end in pairwise(kept):
        fields = tuple(dict.fromkeys(name for name, s, e in spans if s < end and e > start))
        secret = next((found for found in hidden if found.start == start), None)
        if secret is not None:
            pieces.append(Piece(mask(secret.kind, text[start:end]), fields, masked=True))
        elif pieces and not pieces[-1].masked and pieces[-1].fields == fields:
            # A cut made by masked data or another field's span elsewhere: one piece still.
            pieces[-1] = Piece(pieces[-1].text + text[start:end], fields)
        else:
            pieces.append(Piece(text[start:end], fields))
    return pieces


def masked(text: str) -> str:
    """Customer text with card, account and social security numbers masked."""
    return "".join(piece.text for piece in marked_text(text, {}))


def trace_steps(trace: Mapping[str, Any]) -> list[TraceStep]:
    """The policy engine's trace, node by node in the order they ran."""
    nodes = [node for node in trace.values() if isinstance(node, Mapping)]
    nodes.sort(key=lambda node: node.get("order", 0))
    return [
        TraceStep(
            name=str(node.get("name") or node.get("id") or "step"),
            found=_found(node.get("traceData")),
            took=str(node.get("performance") or ""),
            detail=pretty({"input": node.get("input"), "output": node.get("output")}),
        )
        for node in nodes
    ]


def _found(data: object) -> list[str]:
    """What a node found, in brief: the rule a table matched, or each expression's value."""
    if not isinstance(data, Mapping):
        return []
    rule = data.get("rule")
    if isinstance(rule, Mapping):
        values = data.get("reference_map") or {}
        read = ", ".join(f"{name} = {_number(value)}" for name, value in values.items())
        matched = f"matched rule {rule.get('_id', data.get('index', '?'))}"
        return [f"{matched} ({read})" if read else matched]
    return [
        f"{name} = {_number(value['result'])}"
        for name, value in data.items()
        if isinstance(value, Mapping) and "result" in value
    ]


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def pretty(value: object) -> str:
    """A stored JSON value, indented for reading."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
