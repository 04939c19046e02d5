"""Reading a customer's message and finding the payment it is about, on in-memory rows."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from bankdesk.banking.clues import read_clues
from bankdesk.banking.disputes import reason_kind
from bankdesk.banking.matching import (
    MatchStatus,
    describe,
    match_transactions,
    merchant_similarity,
    summary,
    unusual_signals,
)
from bankdesk.banking.statements import card_statement
from bankdesk.store.banking_models import Transaction

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)  # a Sunday
ROUTINE = (
    ("H-E-B Grocery", "-64.23", "card_present"),
    ("Shell Oil 5731", "-41.10", "card_present"),
    ("Netflix.com", "-15.49", "online"),
    ("Amazon.com", "-38.99", "online"),
    ("Starbucks 1142", "-6.75", "contactless"),
    ("Austin Energy", "-112.40", "direct_debit"),
)
LAST_NIGHT = datetime.combine(NOW.date() - timedelta(days=1), time(23, 47), UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment `day` days before NOW's date, at a time of day (UTC)."""
    return datetime.combine(NOW.date() - timedelta(days=day), time(hour, minute), UTC)


def tx(
    tx_id: str, when: datetime, merchant: str, amount: str, *, country: str = "US",
    channel: str = "online", status: str = "posted",
) -> Transaction:  # fmt: skip
    return Transaction(
        id=tx_id, account_id="chk", card_id="card", occurred_at=when, merchant=merchant,
        category="shopping", amount=Decimal(amount), currency="USD", country=country,
        channel=channel, status=status,
    )  # fmt: skip


def history(*extra: Transaction) -> list[Transaction]:
    """The seed customer's routine (58 days of US card payments) and last night's payment."""
    routine = [
        tx(f"tx_{day:02d}", NOW - timedelta(days=day, hours=3), merchant, amount, channel=channel)
        for day in range(2, 60)
        for merchant, amount, channel in [ROUTINE[day % len(ROUTINE)]]
    ]
    unfamiliar = tx("tx_unfamiliar", LAST_NIGHT, "ELECTRO-MART KYIV", "-389.99", country="UA")
    pending = tx("tx_pending", NOW - timedelta(hours=2), "Whole Foods Market", "-140.00",
                 channel="card_present", status="pending")  # fmt: skip
    return [*routine, unfamiliar, pending, *extra]


def windows(message: str) -> list[tuple[datetime, datetime]]:
    return [(window.start, window.end) for window in read_clues(message, now=NOW).windows]


def day(year: int, month: int, on: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, on, tzinfo=UTC)
    return start, start + timedelta(days=1)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("an unfamiliar payment from last night", [(at(1, 18), at(0, 6))]),
        ("a charge yesterday", [day(2026, 11, 21)]),
        ("this morning at the store", [(at(0, 0), NOW)]),
        ("today", [(at(0, 0), NOW)]),
        ("on Friday", [day(2026, 11, 20)]),
        ("last Sunday", [day(2026, 11, 15)]),
        ("2 days ago", [day(2026, 11, 20)]),
        ("a couple of days ago", [day(2026, 11, 20)]),
        ("last week", [(at(7, 0), NOW)]),
        ("Nov 20", [day(2026, 11, 20)]),
        ("on November 20th", [day(2026, 11, 20)]),
        ("20 November", [day(2026, 11, 20)]),
        ("the 3rd of June", [day(2026, 6, 3)]),
        ("20/11", [day(2026, 11, 20)]),
        ("11/20", [day(2026, 11, 20)]),
        ("2026-11-20", [day(2026, 11, 20)]),
        ("20.11.2026", [day(2026, 11, 20)]),
        ("11/20/26", [day(2026, 11, 20)]),
        ("12/31/99", [day(1999, 12, 31)]),
        ("Dec 5", [day(2025, 12, 5)]),  # still to come this year: last year's
        ("05/06", [day(2026, 5, 6), day(2026, 6, 5)]),  # either way round
        ("Feb 30", []),
        ("a payment I don't recognise", []),
    ],
)
def test_time_references(message, expected):
    assert windows(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("$389.99", [("389.99", "USD")]),
        ("a 389.99 charge", [("389.99", None)]),
        ("USD 45 at a shop", [("45", "USD")]),
        ("€12 in Paris", [("12", "EUR")]),
        ("$1,234.56", [("1234.56", "USD")]),
        ("45 dollars", [("45", "USD")]),
        ("my card ending 1234", []),
        ("2 days ago", []),
        ("on 20.11.2026", []),
        ("at 11.30pm", []),
        ("at 23:47 for $20", [("20", "USD")]),
    ],
)
def test_amounts(message, expected):
    amounts = read_clues(message, now=NOW).amounts

    assert [(money.amount, money.currency) for money in amounts] == [
        (Decimal(amount), currency) for amount, currency in expected
    ]


@pytest.mark.parametrize(
    ("message", "field", "expected"),
    [
        ("a payment in Ukraine", "countries", frozenset({"UA"})),
        ("a Ukrainian website", "countries", frozenset({"UA"})),
        ("Jordan here, my card", "countries", frozenset()),
        ("the Thai restaurant downtown", "countries", frozenset()),
        ("a turkey sandwich", "countries", frozenset()),
        ("a charge from Turkey", "countries", frozenset({"TR"})),
        ("a payment from abroad", "abroad", True),
        ("an overseas charge", "abroad", True),
        ("a foreign payment", "abroad", True),
        ("an online payment", "channels", frozenset({"online"})),
        ("an ATM withdrawal", "channels", frozenset({"atm"})),
        ("a contactless payment", "channels", frozenset({"contactless"})),
        ("a bank transfer", "channels", frozenset({"transfer"})),
        ("a card payment", "card_payment", True),
        ("I was charged twice", "duplicate", True),
        ("I was double charged", "duplicate", True),
        ("I was charged once", "duplicate", False),
        ("I don't recognise it", "unfamiliar", True),
        ("I didn\u2019t make this payment", "unfamiliar", True),
        ("an unfamiliar charge", "unfamiliar", True),
        ("the coffee I bought", "unfamiliar", False),
    ],
)
def test_places_channels_and_kinds(message, field, expected):
    assert getattr(read_clues(message, now=NOW), field) == expected


@pytest.mark.parametrize(
    ("message", "merchant", "at_least"),
    [
        ("the electro mart payment", "ELECTRO-MART KYIV", 0.7),
        ("electromart", "ELECTRO-MART KYIV", 0.7),
        ("ELECTRO-MART", "ELECTRO-MART KYIV", 0.7),
        ("elektro mart", "ELECTRO-MART KYIV", 0.7),
        ("netflix", "Netflix.com", 1.0),
        ("heb", "H-E-B Grocery", 0.3),
        ("shell", "Shell Oil 5731", 0.6),
        ("starbuck", "Starbucks 1142", 0.9),
    ],
)
def test_merchant_names_match_loosely(message, merchant, at_least):
    similarity, _word = merchant_similarity(read_clues(message, now=NOW).words, merchant)

    assert similarity >= at_least


@pytest.mark.parametrize(
    ("message", "merchant"),
    [
        ("the amazon payment", "Starbucks 1142"),
        ("an unfamiliar card payment from last night", "ELECTRO-MART KYIV"),
        ("a payment at the market", "Whole Foods Market"),
    ],
)
def test_merchant_names_do_not_match_other_words(message, merchant):
    assert merchant_similarity(read_clues(message, now=NOW).words, merchant)[0] == 0


SEED = "I saw an unfamiliar card payment from last night and I want to dispute it."
SECOND_FOREIGN = tx("tx_lviv", at(1, 22, 10), "GADGET-HUB LVIV", "-120.00", country="UA")
DOUBLE = tx("tx_netflix_again", NOW - timedelta(days=2, hours=2), "Netflix.com", "-15.49")


@pytest.mark.parametrize(
    ("message", "extra", "status", "ranked_first"),
    [
        pytest.param(SEED, (), MatchStatus.MATCHED, "tx_unfamiliar", id="seed-last-night"),
        pytest.param("the ELECTRO MART charge", (), MatchStatus.MATCHED, "tx_unfamiliar",
                     id="merchant-only"),
        pytest.param("I want to dispute $389.99", (), MatchStatus.MATCHED, "tx_unfamiliar",
                     id="amount-only"),
        pytest.param("a payment in Ukraine", (), MatchStatus.MATCHED, "tx_unfamiliar",
                     id="country-only"),
        pytest.param("a foreign payment I don't recognise", (), MatchStatus.MATCHED,
                     "tx_unfamiliar", id="abroad"),
        pytest.param("the Netflix payment from 2 days ago", (), MatchStatus.MATCHED, "tx_02",
                     id="merchant-and-day"),
        pytest.param("Netflix charged me twice", (DOUBLE,), MatchStatus.MATCHED,
                     "tx_netflix_again", id="double-charge-picks-the-later"),
        pytest.param(SEED, (SECOND_FOREIGN,), MatchStatus.AMBIGUOUS, None,
                     id="two-odd-payments-last-night"),
        pytest.param("I don't recognise a payment", (), MatchStatus.AMBIGUOUS, None,
                     id="nothing-concrete-must-be-confirmed"),
        pytest.param("the $75.00 payment at Best Buy on Nov 3", (), MatchStatus.NO_MATCH, None,
                     id="nothing-fits"),
        pytest.param("$389.99 on Nov 3", (), MatchStatus.MATCHED, "tx_unfamiliar",
                     id="right-amount-wrong-day"),
    ],
)  # fmt: skip
def test_matching(message, extra, status, ranked_first):
    result = match_transactions(message, history(*extra), now=NOW, home_country="US")

    assert result.status is status
    if ranked_first is not None:
        assert result.candidates[0].transaction.id == ranked_first
        assert result.best is not None
        assert result.best.reasons
    else:
        assert result.best is None


def test_unfamiliar_last_night_ranks_the_odd_payment_first_with_its_reasons():
    result = match_transactions(SEED, history(), now=NOW, home_country="US")

    best = result.candidates[0]
    assert best.transaction.id == "tx_unfamiliar"
    assert "time: last night" in best.reasons
    assert {"new_country", "unusual_amount", "unusual_hour"} <= set(best.signals)
    assert best.evidence()["transaction_id"] == "tx_unfamiliar"


def test_ambiguous_lists_both_odd_payments():
    result = match_transactions(SEED, history(SECOND_FOREIGN), now=NOW, home_country="US")

    assert {c.transaction.id for c in result.candidates[:2]} == {"tx_unfamiliar", "tx_lviv"}


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(
            tx("x", LAST_NIGHT, "ELECTRO-MART KYIV", "-389.99", country="UA"),
            {"new_country", "new_merchant", "unusual_amount", "unusual_hour", "card_not_present"},
            id="seed-unfamiliar",
        ),
        pytest.param(
            tx("x", NOW - timedelta(days=1, hours=3), "Netflix.com", "-15.49"),
            {"card_not_present"},
            id="familiar-netflix",
        ),
        pytest.param(
            tx(
                "x",
                NOW - timedelta(days=1, hours=3),
                "Shell Oil 9999",
                "-45.00",
                channel="card_present",
            ),
            set(),
            id="familiar-chain-other-store",
        ),
    ],
)
def test_unusual_signals(item, expected):
    assert set(unusual_signals(item, history(), home_country="US")) == expected


def test_several_payments_within_an_hour_are_velocity():
    burst = [
        tx(f"burst_{n}", at(0, 3, 10 * n), "GIFTCARDS-4U", "-50.00", country="RO") for n in range(3)
    ]
    rows = history(*burst)

    assert all("velocity" in unusual_signals(item, rows, home_country="US") for item in burst)


def test_summary_and_description_show_no_card_or_account_number():
    item = history()[-2]

    assert describe(item) == "ELECTRO-MART KYIV, $389.99 on November 21, 2026 (online, Ukraine)"
    assert summary(item, card_last4="1234") == {
        "id": "tx_unfamiliar", "merchant": "ELECTRO-MART KYIV", "amount": "-389.99",
        "currency": "USD", "date": "2026-11-21", "time": "23:47 UTC", "country": "UA",
        "channel": "online", "status": "posted", "card": "card ending 1234",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("message", "statement"),
    [
        ("I lost my card", "lost"),
        ("I can't find my wallet anywhere", "lost"),
        ("My card is missing", "lost"),
        ("My card was stolen last night", "stolen"),
        ("I was mugged and they took my purse", "stolen"),
        ("Someone has my card details", "compromised"),
        ("I think my card was skimmed at a gas station", "compromised"),
        ("I entered my card number on a phishing site", "compromised"),
        ("I got a phishing email, is it from you?", None),
        ("I lost money on a bad investment", None),
        ("I saw an unfamiliar card payment from last night", None),
    ],
)
def test_what_the_customer_says_happened_to_the_card(message, statement):
    assert card_statement(message) == statement


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("I saw an unfamiliar card payment from last night and I want to dispute it.",
         "unrecognised"),
        ("I didn't make this payment", "unrecognised"),
        ("Netflix charged me twice", "duplicate"),
        ("The order never arrived", "not_received"),
        ("I cancelled the subscription but was still charged", "cancelled"),
        ("I was overcharged at the restaurant", "wrong_amount"),
        ("I want to dispute the Amazon payment", "other"),
    ],
)  # fmt: skip
def test_why_the_customer_disputes(message, kind):
    clues = read_clues(message, now=NOW)

    assert reason_kind(message, unfamiliar=clues.unfamiliar, duplicate=clues.duplicate) == kind
