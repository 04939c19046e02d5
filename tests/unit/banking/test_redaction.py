"""PII redaction: what a customer reply or a log line may and may not show."""

import random
import re
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum import iban, luhn
from stdnum.es import ccc
from stdnum.us import rtn, ssn

from bankdesk.banking.redaction import (
    Finding,
    PiiKind,
    contains_pii,
    mask_account,
    mask_card,
    redact,
)

# Filler words carry no digits and no label ("account", "routing", "SSN"), so a test
# sees only the number it planted.
WORDS = ["please", "block", "my", "thanks", "the", "it", "was", "declined", "hello", "Dear"]
BEFORE = [" ", "\n", ": ", " (", ", ", "\t"]
AFTER = [" ", "\n", ". ", ", ", ")", ".", "!"]
BBAN_FORMATS = {
    "DE": "8!n10!n",
    "GB": "4!a6!n8!n",
    "FR": "5!n5!n11!c2!n",
    "NL": "4!a10!n",
    "ES": "4!n4!n1!n1!n10!n",
}
BBAN_ALPHABETS = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
BBAN_ALPHABETS["c"] = BBAN_ALPHABETS["n"] + BBAN_ALPHABETS["a"]


def digits_of(text):
    return re.sub(r"[^0-9]", "", text)


def fixed_digits(size):
    return st.text(alphabet="0123456789", min_size=size, max_size=size)


filler = st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join)


@st.composite
def embedded(draw, number):
    """number inside a sentence of filler words."""
    return (
        draw(filler) + draw(st.sampled_from(BEFORE)) + number + draw(st.sampled_from(AFTER))
    ) + draw(filler)


@st.composite
def cards(draw):
    """A Luhn-valid card number of 13-19 digits."""
    body = draw(fixed_digits(draw(st.integers(12, 18))))
    return body + luhn.calc_check_digit(body)


@st.composite
def with_separators(draw, digits):
    """digits with a space, dash, dot or nothing between any two of them."""
    gaps = len(digits) - 1
    separators = draw(
        st.lists(st.sampled_from(["", "", " ", "-", "."]), min_size=gaps, max_size=gaps)
    )
    pairs = zip(separators, digits[1:], strict=True)
    return digits[0] + "".join(separator + digit for separator, digit in pairs)


@st.composite
def ibans(draw):
    """A valid IBAN (mod-97 and the country's format) for one of several countries."""
    country = draw(st.sampled_from(sorted(BBAN_FORMATS)))
    parts = re.findall(r"([0-9]+)!([nac])", BBAN_FORMATS[country])
    bban = "".join(
        draw(st.text(BBAN_ALPHABETS[kind], min_size=int(size), max_size=int(size)))
        for size, kind in parts
    )
    if country == "ES":  # Spain's account code carries check digits of its own
        bban = bban[:8] + ccc.calc_check_digits(bban) + bban[10:]
    return country + iban.calc_check_digits(country + "00" + bban) + bban


@st.composite
def ssns(draw):
    """A valid SSN: area not 000, 666 or 9xx, group not 00, serial not 0000."""
    area = draw(st.integers(1, 899).filter(lambda area: area != 666))
    number = f"{area:03}{draw(st.integers(1, 99)):02}{draw(st.integers(1, 9999)):04}"
    assume(ssn.is_valid(number))  # stdnum also refuses a few numbers made public
    return number


@st.composite
def routing_numbers(draw):
    body = draw(fixed_digits(8))
    return body + rtn.calc_check_digit(body)


@given(card=cards(), data=st.data())
def test_a_card_number_cannot_be_recovered_however_it_is_written(card, data):
    text = data.draw(embedded(data.draw(with_separators(card))))

    masked = redact(text).text

    assert card[:12] not in digits_of(masked)
    assert f"[card ending {card[-4:]}]" in masked
    assert contains_pii(text)


@given(number=ibans(), spaced=st.booleans(), lower=st.booleans(), data=st.data())
def test_an_iban_is_masked_in_any_case_with_or_without_spaces(number, spaced, lower, data):
    assert iban.is_valid(number)
    written = iban.format(number) if spaced else number
    text = data.draw(embedded(written.lower() if lower else written))

    result = redact(text)

    assert f"[IBAN ending {number[-4:]}]" in result.text
    assert number[4:-4] not in re.sub(r"[^0-9A-Z]", "", result.text.upper())
    assert [finding.kind for finding in result.findings] == [PiiKind.IBAN]


@given(number=ssns(), separator=st.sampled_from(["-", " ", ""]), data=st.data())
def test_an_ssn_is_masked_with_or_without_separators(number, separator, data):
    written = separator.join([number[:3], number[3:5], number[5:]])
    text = data.draw(embedded(written))

    result = redact(text)

    assert "[SSN]" in result.text
    assert digits_of(result.text) == ""
    assert [finding.kind for finding in result.findings] == [PiiKind.SSN]


@given(number=routing_numbers(), label=st.sampled_from(["routing number", "ABA", "RTN:"]))
def test_a_routing_number_next_to_its_label_is_masked(number, label):
    result = redact(f"Wire it to {label} {number} today.")

    assert result.text == f"Wire it to {label} [routing number] today."
    assert [finding.kind for finding in result.findings] == [PiiKind.ROUTING]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reach me at maya.chen+bank@example.co.uk.", "Reach me at [email]."),
        ("<J_O'Neil@mail.example.org>", "<J_O'[email]>"),
        ("reply to 12345678@bank.example", "reply to [email]"),
        ("Call (415) 555-0134 today", "Call [phone] today"),
        ("Call 415-555-0134 or 415.555.0134", "Call [phone] or [phone]"),
        ("or 415 555 0134, or 1-415-555-0134", "or [phone], or [phone]"),
        ("UK office +44 20 7946 0958.", "UK office [phone]."),
        ("+1 (415) 555-0134 and +33 1 23 45 67 89", "[phone] and [phone]"),
    ],
)
def test_emails_and_phones_are_masked(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111-1111-1111-1111, exp 12/28", "card [card ending 1111], exp 12/28"),
        ("IBAN GB82 WEST 1234 5698 7654 32.", "IBAN [IBAN ending 5432]."),
        ("Luhn fails: 4111 1111 1111 1112", "Luhn fails: [account ending 1112]"),
        ("account 12345678", "account [account ending 5678]"),
        ("acct #12345 and a/c 987654", "acct #[account number] and a/c [account number]"),
        ("Account no. 55555", "Account no. [account number]"),
        ("ref 123456789", "ref [SSN]"),
        ("account 123456789", "account [account ending 6789]"),
        ("SSN 987654321", "SSN [SSN]"),
        ("routing 123456789", "routing [account ending 6789]"),
        ("routing 111000025, account 000123456789", "routing [routing number], account "
         "[account ending 6789]"),
        ("ITIN 912-70-1234", "ITIN [SSN]"),
        ("on 2026-11-21 12345678", "on 2026-11-21 [account ending 5678]"),
        ("transfer 4111111111111111 2026-11-21", "transfer [card ending 1111] 2026-11-21"),
        ("IP 192.168.100.200", "IP [account ending 0200]"),
    ],
)  # fmt: skip
def test_numbers_are_masked_by_kind(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "A loan of $45,000 at 6.5% over 36 months",
        "Your payment of 1,800.00 USD is due on 2026-11-21.",
        "A fee of €12.50, 12,50 € or 12.345.678,90 EUR; also 12.345.678,90",
        "USD 1,250,000.00 and 250 dollars",
        "Due 21/11/2026, 11/21/2026, 21.11.2026 or 21-11-2026",
        "Logged at 2026-11-21T10:30:00.123456+00:00 and 2026-11-21 10:30:00",
        "APR 19.99% (was 21%)",
        "Your card ending 4242 is blocked for 4 days",
        "case 7f3a9b21c0d4e5f6a7b8c9d0e1f20304 and request 3f2a-4b1c",
        "Case #12345, ticket 48213, order number #998877",
        "uuid 12345678-1234-5678-9abc-def012345678",
        "Send it to 1 Market St, San Francisco, CA 94105-1234",
        "took 0.123456789 s",
        "call back in 10 minutes, 2 times, at 9:45",
        "",
    ],
)
def test_ordinary_banking_text_stays_readable(text):
    assert redact(text) == redact(text)
    assert redact(text).text == text
    assert not contains_pii(text)


FRAGMENTS = st.one_of(
    st.sampled_from([*WORDS, "account", "acct #", "routing", "SSN", "case #", "card ending"]),
    st.sampled_from(["$45,000", "1,800.00 USD", "€12.50", "2026-11-21", "21/11/2026", "10:30"]),
    st.sampled_from(["5.25%", "(415) 555-0134", "+44 20 7946 0958", "a@b.example", "CA"]),
    st.integers(0, 10**10).map(str),
    cards().flatmap(with_separators),
    ibans().map(iban.format),
    ssns().map(lambda number: f"{number[:3]}-{number[3:5]}-{number[5:]}"),
    routing_numbers(),
    st.text(max_size=12),
)


@given(st.lists(st.tuples(FRAGMENTS, st.sampled_from(["", " ", "-", ".", ", ", "\n"]))))
def test_redacting_twice_changes_nothing(parts):
    text = "".join(fragment + separator for fragment, separator in parts)

    once = redact(text)

    assert redact(once.text).text == once.text
    assert not contains_pii(once.text)


@given(st.text())
def test_redacting_any_text_twice_changes_nothing(text):
    once = redact(text).text

    assert redact(once).text == once


@given(st.lists(st.tuples(FRAGMENTS, st.sampled_from(["", " ", "-", ".", ", ", "\n"]))))
def test_findings_are_ordered_disjoint_spans_of_the_original(parts):
    text = "".join(fragment + separator for fragment, separator in parts)

    result = redact(text)

    assert all(a.end <= b.start for a, b in pairwise(result.findings))
    position = 0  # walk the masked text: what lies between findings is kept verbatim
    for before, finding in zip((None, *result.findings), result.findings, strict=False):
        kept = text[before.end if before else 0 : finding.start]
        assert result.text.startswith(kept + "[", position)
        position = result.text.index("]", position + len(kept)) + 1
    assert result.text[position:] == text[result.findings[-1].end if result.findings else 0 :]


def test_findings_name_the_kind_and_span_in_the_original_text():
    text = "Card 4111111111111111, SSN 123-45-6789, mail a@b.example"

    assert redact(text).findings == (
        Finding(PiiKind.CARD, 5, 21),
        Finding(PiiKind.SSN, 27, 38),
        Finding(PiiKind.EMAIL, 45, 56),
    )


def test_a_long_run_of_digits_and_separators_finishes():
    generator = random.Random(7)
    text = "".join(
        generator.choice("0123456789") + generator.choice(["", "", " ", "-", "."])
        for _ in range(70_000)
    )[:100_000]

    result = redact(text)

    assert result.findings
    assert redact(result.text).text == result.text


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("4242 4242 4242 4242", "[card ending 4242]"),
        ("4242-4242-4242-4242", "[card ending 4242]"),
        ("4242", "[card number]"),
    ],
)
def test_mask_card_shows_the_last_four_digits(number, expected):
    assert mask_card(number) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("000123456789", "[account ending 6789]"),
        ("de89 3704 0044 0532 0130 00", "[account ending 3000]"),
        ("12345", "[account number]"),
    ],
)
def test_mask_account_shows_the_last_four_only_of_a_long_number(number, expected):
    assert mask_account(number) == expected
