"""PII redaction: what a customer reply or a log line may and may not show."""

import random
import re
import unicodedata
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
# Characters people put between digit groups: Unicode spaces, tab, newline, slashes,
# underscores, dots, commas, hyphens and en/em dashes.
SEPARATOR_CHARS = [" ", "\u00a0", "\u2009", "\u202f", "\t", "\n", "/", "_", ".", ",", "-"]
SEPARATOR_CHARS += ["\u2013", "\u2014"]
# The zero of each digit set a number may be typed in: ASCII, full-width, Arabic-Indic,
# Eastern Arabic-Indic (Persian), Devanagari.
DIGIT_ZEROS = ["0", "\uff10", "\u0660", "\u06f0", "\u0966"]
# Words a card number gets glued to; none is made of hex letters only, which reads as a hash.
GLUE = ["card", "CARD", "pan", "no", "x", "USD", "EUR", "card_", "Visa"]
FULL_WIDTH = str.maketrans("0123456789", "".join(map(chr, range(0xFF10, 0xFF1A))))
ARABIC_INDIC = str.maketrans("0123456789", "".join(map(chr, range(0x0660, 0x066A))))
DEVANAGARI = str.maketrans("0123456789", "".join(map(chr, range(0x0966, 0x0970))))
CARD_GROUPINGS = [(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 3), (4, 4, 5)]


def digits_of(text):
    """The digits of text, whatever digit set they are written in, as ASCII."""
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


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


separator_runs = st.one_of(
    st.lists(st.sampled_from(SEPARATOR_CHARS), min_size=1, max_size=3).map("".join),
    st.sampled_from([" - ", " / ", ", ", "  ", " \u2013 ", "\u00a0\u00a0"]),
)


@st.composite
def in_any_digits(draw, text):
    """text with its ASCII digits written in one digit set: full-width, Arabic-Indic, ..."""
    zero = ord(draw(st.sampled_from(DIGIT_ZEROS)))
    return "".join(chr(zero + int(char)) if char.isdigit() else char for char in text)


@st.composite
def group_sizes(draw, length):
    """How a number of length digits is split into groups: a card's usual way, or any sizes
    of three to six digits (shorter groups read as dates and amounts, which stay readable)."""
    usual = [grouping for grouping in CARD_GROUPINGS if sum(grouping) == length]
    if usual and draw(st.booleans()):
        return list(draw(st.sampled_from(usual)))
    sizes = []
    while length - sum(sizes) > 6:
        sizes.append(draw(st.integers(3, min(6, length - sum(sizes) - 3))))
    return [*sizes, length - sum(sizes)]


@st.composite
def grouped(draw, digits):
    """digits split into groups joined by runs of one to three separator characters."""
    groups = []
    for size in draw(group_sizes(len(digits))):
        groups.append(digits[sum(map(len, groups)) :][:size])
    written = groups[0] + "".join(draw(separator_runs) + group for group in groups[1:])
    return draw(in_any_digits(written))


@st.composite
def glued(draw, digits):
    """digits glued to a word before, after or on both sides, as in ``card4111...USD``."""
    before, after = draw(st.sampled_from([(True, False), (False, True), (True, True)]))
    word = st.sampled_from(GLUE)
    number = draw(in_any_digits(digits))
    return (draw(word) if before else "") + number + (draw(word) if after else "")


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


@given(card=cards(), data=st.data())
def test_a_card_number_is_masked_in_any_separators_and_digits(card, data):
    text = data.draw(embedded(data.draw(grouped(card))))

    result = redact(text)

    assert card[:12] not in digits_of(result.text)
    assert f"[card ending {card[-4:]}]" in result.text
    assert [finding.kind for finding in result.findings] == [PiiKind.CARD]


@given(card=cards(), data=st.data())
def test_a_card_number_glued_to_letters_is_masked(card, data):
    text = data.draw(embedded(data.draw(glued(card))))

    masked = redact(text).text

    assert digits_of(masked) == card[-4:]
    assert f"[card ending {card[-4:]}]" in masked


@given(number=ibans(), spaced=st.booleans(), lower=st.booleans(), data=st.data())
def test_an_iban_is_masked_in_any_case_with_or_without_spaces(number, spaced, lower, data):
    assert iban.is_valid(number)
    written = iban.format(number) if spaced else number
    text = data.draw(embedded(written.lower() if lower else written))

    result = redact(text)

    assert f"[IBAN ending {number[-4:]}]" in result.text
    assert number[4:-4] not in re.sub(r"[^0-9A-Z]", "", result.text.upper())
    assert [finding.kind for finding in result.findings] == [PiiKind.IBAN]


@given(
    number=ssns(),
    separator=st.one_of(st.sampled_from(["-", " ", ""]), st.sampled_from(SEPARATOR_CHARS)),
    data=st.data(),
)
def test_an_ssn_is_masked_with_or_without_separators(number, separator, data):
    written = separator.join([number[:3], number[3:5], number[5:]])
    text = data.draw(embedded(data.draw(in_any_digits(written))))

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
    ("text", "expected"),
    [
        ("card 4111/1111/1111/1111 ok", "card [card ending 1111] ok"),
        ("card 4111_1111_1111_1111 ok", "card [card ending 1111] ok"),
        ("card 4111\u00a01111\u00a01111\u00a01111 ok", "card [card ending 1111] ok"),
        ("card 4111\u20091111\u20091111\u20091111 ok", "card [card ending 1111] ok"),
        ("card 4111\u202f1111\u202f1111\u202f1111 ok", "card [card ending 1111] ok"),
        ("card 4111\t1111\t1111\t1111 ok", "card [card ending 1111] ok"),
        ("card 4111\n1111\n1111\n1111 ok", "card [card ending 1111] ok"),
        ("card 4111  1111  1111  1111 ok", "card [card ending 1111] ok"),
        ("card 4111 - 1111 - 1111 - 1111 ok", "card [card ending 1111] ok"),
        ("card 4111\u20131111\u20131111\u20131111 ok", "card [card ending 1111] ok"),
        ("card 4111\u20141111\u20141111\u20141111 ok", "card [card ending 1111] ok"),
        ("card 4111,1111,1111,1111 ok", "card [card ending 1111] ok"),
        ("card 4111, 1111, 1111, 1111.", "card [card ending 1111]."),
        ("card 4111 / 1111 / 1111 / 1111 ok", "card [card ending 1111] ok"),
        ("Amex 3782/822463/10005, exp 12/28", "Amex [card ending 0005], exp 12/28"),
        ("exp 12/28, 5555/5555/5555/4444", "exp 12/28, [card ending 4444]"),
        ("5555_5555_5555_4444 on 21/11/2026", "[card ending 4444] on 21/11/2026"),
        ("card 4111 1111 1111 1111".translate(FULL_WIDTH), "card [card ending 1111]"),
        ("card 4012888888881881".translate(ARABIC_INDIC), "card [card ending 1881]"),
        ("card 4111-1111-1111-1111".translate(DEVANAGARI), "card [card ending 1111]"),
        ("card4111111111111111", "card[card ending 1111]"),
        ("4111111111111111USD", "[card ending 1111]USD"),
        ("paid with 378282246310005USD today", "paid with [card ending 0005]USD today"),
        ("pan=card_5555555555554444;", "pan=card_[card ending 4444];"),
        ("card4111111111111111".translate(FULL_WIDTH), "card[card ending 1111]"),
        ("SSN 123/45/6789", "SSN [SSN]"),
        ("SSN 123\u201345\u20136789.", "SSN [SSN]."),
        ("ssn: 123 / 45 / 6789, thanks", "ssn: [SSN], thanks"),
        ("SSN 987/65/4321", "SSN [SSN]"),
        ("SSN 123-45-6789".translate(FULL_WIDTH), "SSN [SSN]"),
        ("SSN 123/45/6789".translate(ARABIC_INDIC), "SSN [SSN]"),
        ("account 12345678".translate(FULL_WIDTH), "account [account ending 5678]"),
        ("reply to 12345678@bank.example".translate(ARABIC_INDIC), "reply to [email]"),
    ],
)  # fmt: skip
def test_numbers_are_masked_in_any_separators_and_digits(text, expected):
    result = redact(text)

    assert result.text == expected
    assert redact(result.text).text == result.text
    assert not contains_pii(result.text)


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
        "Fees of 1,800, 2,400 and 3,100 this year",
        "Totals 1,800, 2,400, 3,100, 4,500, 5,600 and 6,700",
        "Refunds of 12,345.67, 23,456.78 and 34,567.89",
        "Charges 12.50, 13.75, 8.99, 10.00, 5.25 and 7.10",
        "Prices 12,50, 13,75, 8,99, 10,00 and 5,25",
        "$1,234,567.89, $2,345,678.90 and 1,800.00 USD, 2,400.00 USD",
        "Due 21/11/2026, 22/11/2026, 23/11/2026 and 24/11/2026",
        "Due 21.11.2026 / 22.11.2026 / 2026-11-23",
        "Paid 1\u00a0234,56 \u20ac on 21/11/2026, 10:30",
        "Due 2026-11-21 at 10:30, 12.50% off".translate(ARABIC_INDIC),
        "Due 2026-11-21 or 21/11/2026, fee $12.50".translate(FULL_WIDTH),
        "expires 12/28, CVV not needed",
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
    st.integers(0, 10**10).map(str).flatmap(in_any_digits),
    cards().flatmap(with_separators),
    cards().flatmap(grouped),
    cards().flatmap(glued),
    ibans().map(iban.format),
    ssns().map(lambda number: f"{number[:3]}-{number[3:5]}-{number[5:]}"),
    st.tuples(ssns(), separator_runs).map(lambda s: s[1].join([s[0][:3], s[0][3:5], s[0][5:]])),
    routing_numbers(),
    st.text(max_size=12),
)
JOINS = st.one_of(st.sampled_from(["", " ", "-", ".", ", ", "\n"]), separator_runs)


@given(st.lists(st.tuples(FRAGMENTS, JOINS)))
def test_redacting_twice_changes_nothing(parts):
    text = "".join(fragment + separator for fragment, separator in parts)

    once = redact(text)

    assert redact(once.text).text == once.text
    assert not contains_pii(once.text)


@given(st.text())
def test_redacting_any_text_twice_changes_nothing(text):
    once = redact(text).text

    assert redact(once).text == once


@given(st.lists(st.tuples(FRAGMENTS, JOINS)))
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


def test_findings_in_other_digits_point_into_the_original_text():
    text = "Card " + "4111/1111/1111/1111".translate(FULL_WIDTH) + ", SSN "
    text += "123/45/6789".translate(ARABIC_INDIC)

    result = redact(text)

    assert result.findings == (Finding(PiiKind.CARD, 5, 24), Finding(PiiKind.SSN, 30, 41))
    assert result.text == "Card [card ending 1111], SSN [SSN]"


def test_a_long_run_of_digits_and_separators_finishes():
    generator = random.Random(7)
    text = "".join(
        generator.choice("0123456789") + generator.choice(["", "", " ", "-", "."])
        for _ in range(70_000)
    )[:100_000]

    result = redact(text)

    assert result.findings
    assert redact(result.text).text == result.text


def test_a_long_run_of_any_digits_and_separators_finishes():
    generator = random.Random(11)
    joins = ["", "", *SEPARATOR_CHARS, ", ", " - ", "  ", "\u2013 "]
    text = "".join(
        chr(ord(generator.choice(DIGIT_ZEROS)) + generator.randrange(10)) + generator.choice(joins)
        for _ in range(60_000)
    )[:100_000]

    result = redact(text)

    assert result.findings
    assert redact(result.text).text == result.text
    assert not contains_pii(result.text)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("4242 4242 4242 4242", "[card ending 4242]"),
        ("4242-4242-4242-4242", "[card ending 4242]"),
        ("4242", "[card number]"),
        ("4242 4242 4242 4242".translate(FULL_WIDTH), "[card ending 4242]"),
        ("4242424242424242".translate(ARABIC_INDIC), "[card ending 4242]"),
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
        ("000123456789".translate(FULL_WIDTH), "[account ending 6789]"),
    ],
)
def test_mask_account_shows_the_last_four_only_of_a_long_number(number, expected):
    assert mask_account(number) == expected
