"""Where personal data sits in a text: the spans `redaction` masks, found with python-stdnum.

Each Unicode decimal digit (full-width, Arabic-Indic) is read as its ASCII digit, one
character for one, so spans point into the original text. Digit runs are the raw material:
a narrow run joins digits by single spaces, dashes or dots (``4111 1111-1111.1111``); a wide
run joins groups by one to three of: any whitespace, ``/ _ . ,``, hyphens and dashes. A run
joined by a hyphen to a word holding digits (a UUID's segments), or glued to hex letters in
a word with digits or hyphens (``7f3a2b10``), is part of an identifier, never a number.
Kinds are claimed in this order; a span overlapping one already claimed is dropped:

1. IBAN: two letters, two check digits and the country's BBAN length (any case, spaces or
   none) passing the mod-97 check and the country's BBAN format; a national check digit
   (Spain's, say) is not required, as a mistyped one still names someone's account. The
   check is far stronger than Luhn's one in ten, so an IBAN's digits are never a card.
2. Card: a whole wide run of 13-19 digits passing Luhn (``4111/1111/1111/1111``) with no
   span of rule 4 in it (``12.50, 13.75, 8.99, 10.00`` is a list of amounts), then a whole
   narrow run the same; either may be glued to letters (``card4111111111111111``).
3. Phone: ``+`` international forms (8-15 digits) and US forms such as ``(415) 555-0134``,
   ``415-555-0134``, ``415.555.0134`` (separators required: bare ten digits are read as
   an account number, which is masked too). A leading ``+`` or the 3-3-4 shape is a
   stronger sign than a date's, so ``+33 1 23 45 67 89`` is a phone, not a date.
4. Never masked, and blocking what follows: money amounts (a currency symbol or code
   beside it, two decimals: ``12.50``, ``12,345.67``, ``12.345.678,90``), dates
   (``2026-11-21``, ``21/11/2026``, ``21.11.2026``, ``21 11 2026``), times, percentages
   and US ZIP+4 codes after a state (``CA 94105-1234``).
5. E-mail. It sits above account numbers so ``12345678@bank.example`` is one e-mail.
6. What is left of each wide run: card groups (4-4-4-4, 4-6-5, one of 13-19 digits...)
   passing Luhn are a card; 3-2-4 groups joined twice by one separator, unlike any beside
   them (``123/45/6789``), are an SSN when valid or labelled "SSN" (not if glued to a word).
7. What is left of each narrow run not glued to a word, piece by piece:
   a. 13-19 digits passing Luhn: a card.
   b. 9 digits: an SSN when written 3-2-4 with separators and valid for
      ``stdnum.us.ssn`` or ``stdnum.us.itin``; otherwise the nearest label decides:
      "SSN" makes it an SSN, "routing"/"ABA"/"RTN" a routing number when the ABA
      checksum holds (an account number when not), "account" an account number; with
      no label a valid SSN is an SSN and anything else an account number.
   c. 8 digits or more: an account number (no checksum, so length is the signal: nothing
      in ordinary banking text is that long once amounts, dates, times and phones are out;
      IPv4 addresses are masked too, the safe side). ``0.12345678`` is a quantity.
   d. 5-7 digits: an account number only when the nearest label within three words
      before it is "account", "acct", "acc", "a/c" (with "no", "number" or "#"), or a
      bare "#". Labels such as "case #", "ticket", "order" or "card" win when nearer, and
      a label with digits or brackets between it and the number does not count, so a
      mask's own words never label the next number.
   Shorter numbers ("4 days", "card ending 4242", case numbers) stay readable.

Every pattern is precompiled and bounded or anchored so that each is linear in the text.
"""

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from stdnum import iban, luhn, numdb
from stdnum.us import itin, rtn, ssn


class PiiKind(StrEnum):
    """A kind of personal data that never reaches a customer reply or a log line."""

    CARD = "card"
    IBAN = "iban"
    SSN = "ssn"
    ROUTING = "routing"
    ACCOUNT = "account"
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data and its span in the original text."""

    kind: PiiKind
    start: int
    end: int


_NO_SEPARATORS = str.maketrans("", "", " .-")
_RUN = re.compile(r"(?<!\w)[0-9](?:[ .-]?[0-9])*(?!\w)")
_NARROW_RUN = re.compile(r"[0-9](?:[ .-]?[0-9])*")
# Any whitespace, _ / . , and the hyphen, dash, slash and zero-width forms seen between groups.
_SEPARATOR = r"[\s_./,\-\u00ad\u200b\u2060\ufeff\u2010-\u2015\u2044\u2212\u2215\uff0c-\uff0f]"
_WIDE_RUN = re.compile(rf"[0-9](?:{_SEPARATOR}{{0,3}}[0-9])*")
_GROUP = re.compile(r"[0-9]+")
_NON_DIGITS = re.compile(r"[^0-9]+")
_DIGITS_SPAN = re.compile(r"[0-9](?:.*[0-9])?", re.DOTALL)
_UNICODE_DIGIT = re.compile(r"(?![0-9])\d")
_WORD_BEFORE = re.compile(r"\w+\Z")
_WORD_AFTER = re.compile(r"\w+")
_TOKEN_BEFORE = re.compile(r"[\w-]*\Z")
_TOKEN_AFTER = re.compile(r"[\w-]*")
_HEX_TOKEN = re.compile(r"[0-9A-Fa-f_-]*")
_CARD_GROUPINGS = ([4, 4, 4, 4, 3], [4, 4, 4, 4], [4, 6, 5], [4, 6, 4], [4, 4, 4, 3], [4, 4, 5])

_IBAN = re.compile(r"(?<!\w)(?=([A-Za-z]{2}[0-9]{2}(?:[ .-]?[A-Za-z0-9]){11,30}))")
_IBAN_REGISTRY = numdb.get("iban")

_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:[0-9]{4}|[0-9]{2})"
_SYMBOL = r"[$€£¥₹]"
_CODE = (
    r"(?i:usd|eur|gbp|chf|jpy|cad|aud|nzd|sek|nok|dkk|pln|czk|huf|inr|cny|hkd|sgd|mxn|brl"
    r"|zar|dollars?|euros?|pounds?)"
)
_NUMBER = r"(?:[0-9]{1,3}(?:[,.\u00a0 ][0-9]{3}){1,6}|[0-9]{1,15})(?:[.,][0-9]{1,2})?"
_PROTECTED = (
    re.compile(
        rf"(?<![0-9])(?:[12][0-9]{{3}}([-/. ]){_MONTH}\1{_DAY}"
        rf"|(?:{_DAY}([-/.]){_MONTH}|{_MONTH}([-/.]){_DAY})(?:\2|\3){_YEAR}"
        rf"|(?:{_DAY} {_MONTH}|{_MONTH} {_DAY}) [12][0-9]{{3}})(?![0-9])"
    ),
    re.compile(
        r"(?<![0-9])(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,9})?)?(?![0-9])"
    ),
    re.compile(r"(?<![0-9])[0-9]{1,3}(?:[.,][0-9]{1,4})?\s?%"),
    re.compile(
        rf"(?:{_SYMBOL}|(?<![A-Za-z]){_CODE}\b)\s?-?{_NUMBER}(?![0-9])"
        rf"|(?<![0-9.,]){_NUMBER}(?![0-9])\s?(?:{_SYMBOL}|{_CODE}\b)"
        r"|(?<![0-9.,])[0-9]{1,3}(?:[.\u00a0 ][0-9]{3}){1,6},[0-9]{1,2}(?![0-9])"
        r"|(?<![0-9])(?<![0-9][.,])(?:[0-9]{1,3}(?:,[0-9]{3}){1,6}|[0-9]{1,7})[.,][0-9]{2}"
        r"(?![0-9]|[.,][0-9])"
    ),
    re.compile(r"(?<=\b[A-Z]{2} )[0-9]{5}-[0-9]{4}(?![0-9])"),
)
_PHONE = re.compile(
    r"(?:(?<!\+)\+[0-9](?:[ .-]?(?:\([0-9]{1,4}\)|[0-9])){6,14}"
    r"|(?:(?<![\w+])1[ .-]?)?\([0-9]{3}\)[ .-]?[0-9]{3}[ .-][0-9]{4}"
    r"|(?<![\w+])(?:1[ .-]?)?[0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4})"
    r"(?![0-9]|[.-][0-9])"
)
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[^\W\d_][\w-]{1,23}"
)

_LABEL_WINDOW = 48
_LABEL = re.compile(
    r"(?P<reference>\b(?:case|ticket|ref|reference|order|invoice|claim|request|application"
    r"|confirmation|tracking)\b(?:\s*(?:#|(?:no|nr|number|id)\b\.?))*)"
    r"|(?P<routing>\b(?:routing|aba|rtn|transit)\b)"
    r"|(?P<ssn>\b(?:ssn|social security)\b)"
    r"|(?P<card>\b(?:card|pan)\b)"
    r"|(?P<account>(?:\b(?:accounts?|acct|acc)\b|\ba/c\b)\.?(?:\s*(?:#|(?:no|nr|number)\b\.?))*|#)",
    re.IGNORECASE,
)
_LABEL_GAP_WORDS = 3
_SSN_SHAPE = re.compile(r"[0-9]{3}[ .-]?[0-9]{2}[ .-]?[0-9]{4}")
_DECIMAL = re.compile(r"[0-9]{1,3}\.[0-9]+")


def find_pii(text: str) -> tuple[Finding, ...]:
    """Every piece of personal data in text, sorted by position and never overlapping."""
    text = ascii_digits(text)
    claims = _Claims()
    for start, end in _ibans(text):
        claims.add(start, end, PiiKind.IBAN)
    protected = [match.span() for pattern in _PROTECTED for match in pattern.finditer(text)]
    wide_runs = [run.span() for run in _WIDE_RUN.finditer(text)]
    wide_runs = [(start, end) for start, end in wide_runs if not _is_identifier(text, start, end)]
    _claim_whole_runs(text, claims, protected, wide_runs)
    for match in _PHONE.finditer(text):
        if 8 <= sum(char.isdigit() for char in match.group()) <= 15:
            claims.add(match.start(), match.end(), PiiKind.PHONE)
    for start, end in protected:
        claims.add(start, end, None)
    for match in _EMAIL.finditer(text):
        claims.add(match.start(), match.end(), PiiKind.EMAIL)
    for start, end in wide_runs:
        glued = _is_word_char(text, start - 1) or _is_word_char(text, end)
        for gap_start, gap_end in _gaps(text, claims, start, end):
            _claim_groups(text, gap_start, gap_end, claims, ssns=not glued)
    for run in _RUN.finditer(text):
        if not _is_identifier(text, *run.span()):
            _claim_pieces(text, *run.span(), claims)
    return claims.findings()


def ascii_digits(text: str) -> str:
    """text with every Unicode decimal digit written as its ASCII digit, at the same index."""
    if text.isascii():
        return text
    return _UNICODE_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit.group())), text)


class _Claims:
    """Disjoint spans of the text in order; a span with no kind is protected, not masked."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._kinds: list[PiiKind | None] = []

    def add(self, start: int, end: int, kind: PiiKind | None) -> bool:
        """Claim a span unless it overlaps one already claimed."""
        index = bisect_right(self._starts, start)
        if index and self._ends[index - 1] > start:
            return False
        if index < len(self._starts) and self._starts[index] < end:
            return False
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        self._kinds.insert(index, kind)
        return True

    def within(self, start: int, end: int) -> Iterator[tuple[int, int, PiiKind | None]]:
        """The claimed spans overlapping start..end, in order."""
        index = bisect_right(self._ends, start)
        while index < len(self._starts) and self._starts[index] < end:
            yield self._starts[index], self._ends[index], self._kinds[index]
            index += 1

    def findings(self) -> tuple[Finding, ...]:
        """The masked spans (protected ones left out), in order."""
        spans = zip(self._kinds, self._starts, self._ends, strict=True)
        return tuple(Finding(kind, start, end) for kind, start, end in spans if kind)


def _ibans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of valid IBANs: exactly the country's length, ending where a word ends."""
    for match in _IBAN.finditer(text):
        candidate = match.group(1)
        length = _iban_length(candidate[:2].upper())
        count = 0
        for offset, char in enumerate(candidate):
            count += char.isalnum()
            if count == length:
                end = match.start() + offset + 1
                if not _is_word_char(text, end) and iban.is_valid(
                    text[match.start() : end], check_country=False
                ):
                    yield match.start(), end
                break


@cache
def _iban_length(country: str) -> int:
    """The IBAN length for a country code, 0 for a code without IBANs."""
    bban = _IBAN_REGISTRY.info(country)[0][1].get("bban")
    return 4 + sum(int(size) for size in re.findall(r"[0-9]+", bban)) if bban else 0


def _is_word_char(text: str, position: int) -> bool:
    return 0 <= position < len(text) and (text[position].isalnum() or text[position] == "_")


def _claim_whole_runs(
    text: str, claims: _Claims, protected: list[tuple[int, int]], wide_runs: list[tuple[int, int]]
) -> None:
    """Claim whole runs that are cards: wide ones holding no protected span, then narrow ones."""
    covered = bytearray(len(text))
    for start, end in protected:
        covered[start:end] = b"\x01" * (end - start)
    for start, end in wide_runs:
        if _is_card(text[start:end]) and covered.find(1, start, end) < 0:
            claims.add(start, end, PiiKind.CARD)
    for run in _NARROW_RUN.finditer(text):
        if _is_card(run.group()) and not _is_identifier(text, *run.span()):
            claims.add(run.start(), run.end(), PiiKind.CARD)


def _is_identifier(text: str, start: int, end: int) -> bool:
    """Whether a run is part of an identifier: a UUID's segment or a hex string, say."""
    if _is_word_char(text, start - 1) or _is_word_char(text, end):
        # Glued: a hash or UUID is hex letters with digits, unlike "card4111..." or "...USD".
        before = _TOKEN_BEFORE.findall(text, max(0, start - 64), start)
        token = "".join(before[:1] + _TOKEN_AFTER.findall(text, end, end + 64)[:1])
        if _HEX_TOKEN.fullmatch(token) and any(char.isdigit() or char == "-" for char in token):
            return True
    if start >= 2 and text[start - 1] == "-":
        before = _WORD_BEFORE.search(text, max(0, start - 65), start - 1)
        if before and any(char.isdigit() for char in before.group()):
            return True
    if text[end : end + 1] == "-":
        after = _WORD_AFTER.match(text, end + 1, end + 65)
        if after and any(char.isdigit() for char in after.group()):
            return True
    return False


def _is_card(number: str) -> bool:
    digits = _NON_DIGITS.sub("", number)
    return 13 <= len(digits) <= 19 and luhn.is_valid(digits)


def _claim_groups(text: str, start: int, end: int, claims: _Claims, *, ssns: bool) -> None:
    """Claim the cards and (when ssns) SSNs written as groups in an unclaimed piece of a run."""
    if _is_card(text[start:end]):
        claims.add(start, end, PiiKind.CARD)
        return
    groups = [group.span() for group in _GROUP.finditer(text, start, end)]
    sizes = [group_end - group_start for group_start, group_end in groups]
    index = 0
    while index < len(groups):
        taken = _claim_card_at(text, groups, sizes, index, claims)
        if not taken and ssns and sizes[index : index + 3] == [3, 2, 4]:
            taken = _claim_ssn_at(text, groups, index, claims)
        index += taken or 1


def _claim_card_at(
    text: str, groups: list[tuple[int, int]], sizes: list[int], index: int, claims: _Claims
) -> int:
    """Claim a card written in card groups from groups[index]; how many groups it took."""
    widths = [len(shape) for shape in _CARD_GROUPINGS if sizes[index : index + len(shape)] == shape]
    for width in [1] if sizes[index] >= 13 else widths:
        start, end = groups[index][0], groups[index + width - 1][1]
        if _is_card(text[start:end]):
            claims.add(start, end, PiiKind.CARD)
            return width
    return 0


def _claim_ssn_at(text: str, groups: list[tuple[int, int]], index: int, claims: _Claims) -> int:
    """Claim an SSN written 3-2-4 with one separator from groups[index]; 3 when claimed."""
    (start, first), (second_start, second), (third_start, end) = groups[index : index + 3]
    separator = text[first:second_start]
    before = text[groups[index - 1][1] : start] if index else None
    after = text[end : groups[index + 3][0]] if index + 3 < len(groups) else None
    if text[second:third_start] != separator or separator in (before, after):
        return 0
    digits = _NON_DIGITS.sub("", text[start:end])
    if not (ssn.is_valid(digits) or itin.is_valid(digits) or _label_before(text, start) == "ssn"):
        return 0
    claims.add(start, end, PiiKind.SSN)
    return 3


def _claim_pieces(text: str, start: int, end: int, claims: _Claims) -> None:
    """Classify what no earlier rule claimed in a run."""
    for gap_start, gap_end in _gaps(text, claims, start, end):
        kind = _classify(text, gap_start, gap_end)
        if kind:
            claims.add(gap_start, gap_end, kind)


def _gaps(text: str, claims: _Claims, start: int, end: int) -> list[tuple[int, int]]:
    """The unclaimed pieces of start..end, trimmed to digits."""
    pieces = []
    position = start
    for span_start, span_end, _ in claims.within(start, end):
        pieces.append(_trim(text, position, span_start))
        position = max(position, span_end)
    pieces.append(_trim(text, position, end))
    return [piece for piece in pieces if piece]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """start..end from its first digit to its last; None when it holds no digit."""
    digits = _DIGITS_SPAN.search(text, start, end)
    return digits.span() if digits else None


def _classify(text: str, start: int, end: int) -> PiiKind | None:
    """What an unclaimed piece of a digit run is, if it is personal data."""
    piece = text[start:end]
    digits = piece.translate(_NO_SEPARATORS)
    if _is_card(digits):
        return PiiKind.CARD
    if _DECIMAL.fullmatch(piece):
        return None
    if len(digits) == 9:
        return _nine_digit_kind(piece, digits, _label_before(text, start))
    if len(digits) >= 8:
        return PiiKind.ACCOUNT
    if len(digits) >= 5 and _label_before(text, start) == "account":
        return PiiKind.ACCOUNT
    return None


def _nine_digit_kind(piece: str, digits: str, label: str | None) -> PiiKind:
    """SSN, routing or account number: the written shape first, then the label."""
    ssn_like = bool(_SSN_SHAPE.fullmatch(piece)) and (ssn.is_valid(digits) or itin.is_valid(digits))
    if ssn_like and piece != digits:
        return PiiKind.SSN
    if label == "ssn":
        return PiiKind.SSN
    if label == "routing":
        return PiiKind.ROUTING if rtn.is_valid(digits) else PiiKind.ACCOUNT
    if label == "account" or not ssn_like:
        return PiiKind.ACCOUNT
    return PiiKind.SSN


def _label_before(text: str, start: int) -> str | None:
    """The nearest label ("account", "routing", "ssn", "card", "reference") just before."""
    window = text[max(0, start - _LABEL_WINDOW) : start]
    labels = list(_LABEL.finditer(window))
    if not labels:
        return None
    nearest = labels[-1]
    gap = window[nearest.end() :]
    if len(gap.split()) > _LABEL_GAP_WORDS or any(char in "[]" or char.isdigit() for char in gap):
        return None
    return nearest.lastgroup
