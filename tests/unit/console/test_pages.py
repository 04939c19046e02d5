"""The console's text marking: every value at its source span, card numbers masked."""

from decimal import Decimal

import pytest

from bankdesk.console.auth import safe_after
from bankdesk.console.pages import Piece, marked_text, masked, shown, trace_steps

TEXT = "I make $7,200 a month and need $45,000."
EVIDENCE = {
    "income": {"spans": [{"start": 7, "end": 13, "text": "$7,200"}]},
    "requested_amount": {"spans": [{"start": 31, "end": 38, "text": "$45,000"}]},
    "currency": {
        "spans": [
            {"start": 7, "end": 13, "text": "$7,200"},
            {"start": 31, "end": 38, "text": "$45,000"},
        ]
    },
}


def test_each_value_is_marked_where_it_was_written_with_every_field_read_from_it() -> None:
    pieces = marked_text(TEXT, EVIDENCE)

    assert "".join(piece.text for piece in pieces) == TEXT
    assert [piece for piece in pieces if piece.fields] == [
        Piece("$7,200", ("income", "currency")),
        Piece("$45,000", ("requested_amount", "currency")),
    ]


def test_overlapping_spans_are_cut_where_they_begin_and_end() -> None:
    evidence = {
        "purpose": {"spans": [{"start": 0, "end": 10}]},
        "income": {"spans": [{"start": 5, "end": 15}]},
    }

    pieces = marked_text("abcdefghijklmnopq", evidence)

    assert [(p.text, p.fields) for p in pieces] == [
        ("abcde", ("purpose",)),
        ("fghij", ("purpose", "income")),
        ("klmno", ("income",)),
        ("pq", ()),
    ]


def test_spans_outside_the_text_are_ignored() -> None:
    evidence = {"income": {"spans": [{"start": 5, "end": 500}, {"start": -1, "end": 2}]}}

    assert marked_text("short", evidence) == [Piece("short")]


def test_card_numbers_are_masked_even_inside_a_marked_span() -> None:
    text = "Card 4111 1111 1111 1111 was charged $300 twice."
    evidence = {"monthly_debt": {"spans": [{"start": 0, "end": 20}]}}

    pieces = marked_text(text, evidence)

    shown_text = "".join(piece.text for piece in pieces)
    assert "4111" not in shown_text.replace("[card ending 1111]", "")
    assert Piece("[card ending 1111]", ("monthly_debt",), masked=True) in pieces
    assert masked("SSN 123-45-6789 here") == "SSN [SSN] here"


def test_values_read_as_a_person_writes_them() -> None:
    assert shown(Decimal("120000.0000")) == "120,000"
    assert shown(Decimal("2950.5")) == "2,950.50"
    assert shown(None) == "—"
    assert shown("home renovation") == "home renovation"


def test_the_rule_trace_is_listed_in_the_order_the_nodes_ran() -> None:
    trace = {
        "outcome": {"name": "outcome", "order": 2, "traceData": {"rule": {"_id": "decline"},
                    "reference_map": {"figures.dti": 0.6666666}}},
        "figures": {"name": "figures", "order": 1, "traceData": {"dti": {"result": 0.6666666}}},
    }  # fmt: skip

    steps = trace_steps(trace)

    assert [(step.name, step.found) for step in steps] == [
        ("figures", ["dti = 0.6667"]),
        ("outcome", ["matched rule decline (figures.dti = 0.6667)"]),
    ]


def test_neighbouring_pieces_read_from_the_same_fields_are_one_mark() -> None:
    evidence = {
        "income": {"spans": [{"start": 0, "end": 4}]},
        "currency": {"spans": [{"start": 0, "end": 4}, {"start": 4, "end": 8}]},
    }

    pieces = marked_text("5400 USD", evidence)

    assert pieces == [Piece("5400", ("income", "currency")), Piece(" USD", ("currency",))]
    merged = marked_text(
        "ab cd", {"purpose": {"spans": [{"start": 0, "end": 2}, {"start": 2, "end": 5}]}}
    )
    assert merged == [Piece("ab cd", ("purpose",))]


@pytest.mark.parametrize(
    ("after", "goes_to"),
    [
        (None, "/console"),
        ("/console/reviews/abc?done=claimed", "/console/reviews/abc?done=claimed"),
        ("https://evil.example/console", "/console"),
        ("//evil.example/console", "/console"),
        ("/console\\@evil.example", "/console"),
        ("/docs", "/console"),
        ("/consolexyz", "/console"),
    ],
)
def test_after_signing_in_only_console_pages_are_a_destination(after, goes_to) -> None:
    assert safe_after(after) == goes_to
