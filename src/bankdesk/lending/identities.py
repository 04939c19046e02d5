"""Find who is applying and for what: name, loan id, employment years, term, purpose."""

import re
from collections.abc import Iterator
from decimal import Decimal

from bankdesk.domain.application import ExtractedValue, Field, Span
from bankdesk.lending.cues import Sentences

_LETTER = r"[^\W\d_]"
_PARTICLES = r"(?:de|del|della|der|den|da|di|du|la|le|van|von|bin|al|el|y|dos|das)"
# A capitalised word ("O'Brien", "Ana-Maria") or an initial ("J."); a full stop after a
# longer word ends the sentence, not the name.
_CAP_WORD = rf"(?:[A-ZÀ-ÖØ-ÞĀ-Ž]\.|[A-ZÀ-ÖØ-ÞĀ-Ž]{_LETTER}*(?:['\u2019\-]{_LETTER}+)*)"
_ANY_WORD = rf"(?:{_LETTER}\.|{_LETTER}+(?:['\u2019\-]{_LETTER}+)*)"
# Capitalised words joined by single spaces, with lower-case particles between them.
_CAP_NAME = rf"{_CAP_WORD}(?:[ \t]+(?:{_PARTICLES}[ \t]+)*{_CAP_WORD}){{0,4}}"
_CAP_FULL_NAME = rf"{_CAP_WORD}(?:[ \t]+(?:{_PARTICLES}[ \t]+)*{_CAP_WORD}){{1,4}}"
_LOOSE_NAME = rf"{_ANY_WORD}(?:[ \t]+{_ANY_WORD}){{0,4}}"
_END = r"(?=\s*(?:[,.;!?)\n]|$|\s[a-z]))"
# After "I'm" or "This is" only a full stop, comma or "and" may follow a name: "This is Chase
# Bank calling" and "I'm New York based" are not introductions.
_STRICT_END = r"(?=[ \t]*(?:[,.;!?)\r\n]|$|and\b))"

_NAME_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(?im)(?<![\w-])(?:borrower(?:'s)?(?:[ \t]+name)?|applicant(?:'s)?(?:[ \t]+name)?"
        rf"|full[ \t]+name|name)[ \t]*[:\-\u2013][ \t]*(?P<name>{_LOOSE_NAME})[ \t\r]*"
        r"(?=[,;]|\.(?:\s|$)|\n|$)"
    ),
    re.compile(rf"\b[Mm]y (?:full )?name is[ \t]+(?P<name>{_CAP_NAME}){_END}"),
    re.compile(rf"(?i)\bmy (?:full )?name is[ \t]+(?P<name>{_LOOSE_NAME})[ \t\r]*(?=[,.;!?\n]|$)"),
    re.compile(
        rf"\b(?:I'm|I\u2019m|I am|This is|this is)[ \t]+(?P<name>{_CAP_FULL_NAME}){_STRICT_END}"
    ),
    re.compile(rf"(?:^|(?<=[.!?]\s))[ \t]*(?P<name>{_CAP_FULL_NAME})[ \t]+here\b", re.MULTILINE),
    re.compile(
        r"(?im)^[ \t]*(?:thanks|thank you|regards|best|best regards|kind regards|warm regards"
        rf"|sincerely|cheers|yours truly)[ \t]*[,!.]?[ \t\r]*\n[ \t]*(?P<name>{_CAP_NAME})[ \t\r]*$"
    ),
)
# Words that are not names when written in lower case ("Zoë Kowalczyk and I"), and words that
# are not names even capitalised ("I'm Self Employed"). "An" or "Loan" written as a name is one.
_NOT_NAME_WORDS = frozenset(
    """
    a an and or the i im me my is am are was need want would like looking interested writing
    applying currently hoping trying here not just also really very new single married retired
    unemployed working requesting asking monthly annual income loan debt amount borrower
    applicant request requested payment payments salary unknown none n/a na tbd currency purpose
    """.split()
)
_NOT_NAME_TITLES = frozenset(
    """
    Self Employed Self-Employed Looking Interested Writing Applying Currently Hoping Trying
    Requesting Asking Retired Unemployed Working Married Single Unknown None N/A TBD Here Not
    Just Also Really Very The Applicant Borrower Monthly Annual Income Debt Amount Bank Credit
    Union Team Support Service Customer Department Office Street Avenue Road Inc LLC Ltd
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Morning Afternoon Evening
    January February March April May June July August September October November December
    """.split()
)
# A labelled id needs a word that says it is one ("Loan ID:", "Ref #"); "Loan: 30000" is an amount.
_LOAN_ID = re.compile(
    r"(?i)(?<![\w-])(?:(?:loan|application|app|case)[ \t]*(?:id|no\.?|number|ref(?:erence)?|#)"
    r"|reference(?:[ \t]*(?:id|no\.?|number|#))?|ref(?:[ \t]*(?:id|no\.?|number|#))?)"
    r"[ \t]*[:#]?[ \t]*#?(?P<id>[A-Za-z0-9][A-Za-z0-9_/-]{1,39})"
    r"|(?<![\w-])(?P<bare>(?:LN|LOAN|APP)-?\d{3,})(?![\w-])"
)
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$")
# "my old application LN-1001": another application's id, not this one's.
_OTHER_APPLICATION = re.compile(
    r"\b(?:old|previous|prior|earlier|former|last|another|other|past)\b[^.!?\n]{0,30}$",
    re.IGNORECASE,
)
_EMPLOYMENT = re.compile(
    r"(?i)(?:employ(?:ed|ment)|worked|working|been)\b[^.\n\d]{0,40}?"
    r"\b(?P<years>\d{1,2}(?:\.\d)?)\+?[ \t]*(?:years?|yrs?)\b"
    r"|\b(?P<years2>\d{1,2}(?:\.\d)?)\+?[ \t]*(?:years?|yrs?)[ \t]+(?:at|with|in)[ \t]+"
    r"(?:my|the|this|our|a)?[ \t]*(?:current[ \t]+)?(?:job|company|employer|position|role|firm)\b"
    r"|(?:employment[ \t]+years|years[ \t]+(?:employed|at[ \t]+(?:job|employer)))[ \t]*[:=][ \t]*"
    r"(?P<years3>\d{1,2}(?:\.\d)?)\b"
)
_TERM = re.compile(
    r"(?i)\b(?P<n1>\d{1,3})[- ](?P<u1>months?|years?)[- ](?:loan|term)\b"
    r"|\bterm(?:[ \t]+of)?[ \t]*[:\-]?[ \t]*(?P<n2>\d{1,3})[ \t]*(?P<u2>months?|years?|mos?|yrs?)\b"
    r"|\b(?:over|repay(?:ing)?(?:[ \t]+it)?[ \t]+(?:over|in|within))[ \t]+(?P<n3>\d{1,3})[ \t]*"
    r"(?P<u3>months?|years?|mos?|yrs?)\b"
)
_PURPOSE = re.compile(
    r"(?i)(?:(?:loan[ \t]+)?purpose[ \t]*:[ \t]*(?P<label>[^\n,.;]{3,60}))"
    r"|\b(?:for|to)[ \t]+(?:a|an|my|the|some)?[ \t]*(?P<prose>(?:new |used )?(?:car|truck|vehicle"
    r"|home improvements?|home renovation|renovation|kitchen remodel|roof|debt consolidation"
    r"|consolidate (?:my )?(?:debts?|credit cards?)|wedding|medical (?:bills|expenses)"
    r"|tuition|education|business|boat|vacation|moving costs|furniture))\b"
)


def find_identities(text: str, sentences: Sentences) -> dict[Field, ExtractedValue | str]:
    """Name, loan id, employment years, term and purpose where the text states them."""
    found: dict[Field, ExtractedValue | str] = {}
    for name, value in (
        (Field.BORROWER_NAME, _borrower_name(text, sentences)),
        (Field.LOAN_ID, _loan_id(text, sentences)),
        (Field.EMPLOYMENT_YEARS, _employment_years(text, sentences)),
        (Field.TERM_MONTHS, _term_months(text)),
        (Field.PURPOSE, _purpose(text, sentences)),
    ):
        if value is not None:
            found[name] = value
    return found


def _spans(
    text: str, sentences: Sentences, pattern: re.Pattern[str], *groups: str
) -> Iterator[Span]:
    for match in pattern.finditer(text):
        if sentences.is_instruction(match.start()):
            continue
        for group in groups:
            if match[group]:
                yield Span(match.start(group), match.end(group), match[group])
                break


def _single(name: Field, spans: list[Span], what: str) -> ExtractedValue | str | None:
    values = {span.text for span in spans}
    if not values:
        return None
    if len(values) > 1:
        return f"the text gives more than one {what}: " + ", ".join(sorted(values))
    return ExtractedValue(field=name, value=spans[0].text, spans=tuple(spans))


def _borrower_name(text: str, sentences: Sentences) -> ExtractedValue | str | None:
    for pattern in _NAME_PATTERNS:  # most explicit form first
        names = [span for span in _spans(text, sentences, pattern, "name") if _is_name(span.text)]
        if names:
            return _single(Field.BORROWER_NAME, names, "borrower name")
    return None


def _is_name(candidate: str) -> bool:
    """A candidate with a word that is not a name is left out, never cut short."""
    words = candidate.split()
    return 1 <= len(words) <= 5 and not any(
        word.strip(".") in _NOT_NAME_TITLES
        or (word.islower() and word.strip(".") in _NOT_NAME_WORDS)
        or word.endswith(("'s", "\u2019s"))
        for word in words
    )


def _loan_id(text: str, sentences: Sentences) -> ExtractedValue | str | None:
    spans = [
        span
        for span in _spans(text, sentences, _LOAN_ID, "id", "bare")
        if _has_digit(span.text)
        and not _DATE_LIKE.match(span.text)
        and not _OTHER_APPLICATION.search(text, max(0, span.start - 40), span.start)
    ]
    return _single(Field.LOAN_ID, spans, "loan id")


def _has_digit(value: str) -> bool:
    return any(char.isdigit() for char in value)


def _employment_years(text: str, sentences: Sentences) -> ExtractedValue | str | None:
    spans = list(_spans(text, sentences, _EMPLOYMENT, "years", "years2", "years3"))
    found = _single(Field.EMPLOYMENT_YEARS, spans, "length of employment")
    if isinstance(found, ExtractedValue):
        return ExtractedValue(found.field, Decimal(str(found.value)), found.spans)
    return found


def _term_months(text: str) -> ExtractedValue | str | None:
    terms: dict[int, list[Span]] = {}
    for match in _TERM.finditer(text):
        number, unit = next((match[f"n{i}"], match[f"u{i}"]) for i in (1, 2, 3) if match[f"n{i}"])
        months = int(number) * (12 if unit.lower().startswith(("y", "yr")) else 1)
        if 0 < months <= 600:
            terms.setdefault(months, []).append(Span(match.start(), match.end(), match.group(0)))
    if not terms:
        return None
    if len(terms) > 1:
        return "the text gives more than one loan term"
    months, spans = terms.popitem()
    return ExtractedValue(Field.TERM_MONTHS, Decimal(months), tuple(spans))


def _purpose(text: str, sentences: Sentences) -> ExtractedValue | str | None:
    spans = [
        Span(s.start, s.end, s.text) for s in _spans(text, sentences, _PURPOSE, "label", "prose")
    ]
    trimmed = [Span(s.start, s.start + len(s.text.rstrip()), s.text.rstrip()) for s in spans]
    return _single(Field.PURPOSE, trimmed, "loan purpose") if trimmed else None
