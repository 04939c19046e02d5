"""Mask personal data in text bound for a customer or a log line.

What counts as personal data, and which reading wins when two overlap, is set out in
`bankdesk.banking.pii`. Masks are bracketed words that never look like personal data
themselves, so redacting twice gives the same text as redacting once:

- card: ``[card ending 4242]``; IBAN: ``[IBAN ending 3000]``; other account numbers:
  ``[account ending 6789]`` (the last four digits stay, as customers recognise them;
  a number under 8 characters shows none: ``[account number]``, ``[card number]``; the
  ending is written in ASCII digits whatever digits the number was written in)
- SSN: ``[SSN]``; routing number: ``[routing number]``; e-mail: ``[email]``;
  phone: ``[phone]``
"""

import logging
from bisect import bisect_right
from dataclasses import dataclass

from bankdesk.banking.pii import Finding, PiiKind, ascii_digits, find_pii

__all__ = [
    "Finding",
    "PiiKind",
    "Redacted",
    "RedactingFilter",
    "contains_pii",
    "mask",
    "mask_account",
    "mask_card",
    "redact",
]

_MIN_CHARS_FOR_ENDING = 8
_FIXED_MASKS = {
    PiiKind.SSN: "[SSN]",
    PiiKind.ROUTING: "[routing number]",
    PiiKind.EMAIL: "[email]",
    PiiKind.PHONE: "[phone]",
}
# Every attribute a bare LogRecord has; anything else on a record came from `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)))
_MAX_DEPTH = 8
_TRACEBACKS = logging.Formatter()


@dataclass(frozen=True, slots=True)
class Redacted:
    """Masked text and what was masked, with spans in the original text."""

    text: str
    findings: tuple[Finding, ...]


def redact(text: str) -> Redacted:
    """Mask every card, IBAN, SSN, routing and account number, e-mail and phone in text."""
    findings = find_pii(text)
    if not findings:
        return Redacted(text=text, findings=())
    masked, masks_at = _masked(text, findings)
    # A mask can free what it touched: "[phone]ann@bank.example" reads as an e-mail once
    # the digits glued to it are gone. Mask until nothing more is found, so that redacting
    # twice gives what redacting once did and a masked text never contains_pii.
    while more := _in_original(find_pii(masked), findings, masks_at):
        findings = tuple(sorted((*findings, *more), key=lambda finding: finding.start))
        masked, masks_at = _masked(text, findings)
    return Redacted(text=masked, findings=findings)


def contains_pii(text: str) -> bool:
    """Whether redacting text would mask anything."""
    return bool(find_pii(text))


def mask_card(number: str) -> str:
    """A card number as customers may see it: ``[card ending 4242]``."""
    digits = "".join(char for char in ascii_digits(number) if char.isascii() and char.isdigit())
    if len(digits) < _MIN_CHARS_FOR_ENDING:
        return "[card number]"
    return f"[card ending {digits[-4:]}]"


def mask_account(number: str) -> str:
    """An account number as customers may see it: ``[account ending 6789]``."""
    characters = "".join(char for char in ascii_digits(number) if char.isalnum())
    if len(characters) < _MIN_CHARS_FOR_ENDING:
        return "[account number]"
    return f"[account ending {characters[-4:].upper()}]"


def mask(kind: PiiKind, original: str) -> str:
    """The mask that stands for one piece of personal data of this kind."""
    if kind is PiiKind.CARD:
        return mask_card(original)
    if kind is PiiKind.ACCOUNT:
        return mask_account(original)
    if kind is PiiKind.IBAN:
        characters = "".join(char for char in ascii_digits(original) if char.isalnum())
        return f"[IBAN ending {characters[-4:].upper()}]"
    return _FIXED_MASKS[kind]


def _masked(text: str, findings: tuple[Finding, ...]) -> tuple[str, list[tuple[int, int]]]:
    """text with findings masked, and where each mask starts and ends in it."""
    parts = []
    masks_at = []
    position = 0
    length = 0
    for finding in findings:
        shown = mask(finding.kind, text[finding.start : finding.end])
        parts += [text[position : finding.start], shown]
        length += finding.start - position
        masks_at.append((length, length + len(shown)))
        length += len(shown)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts), masks_at


def _in_original(
    found: tuple[Finding, ...], findings: tuple[Finding, ...], masks_at: list[tuple[int, int]]
) -> tuple[Finding, ...]:
    """Findings in masked text moved to the original text; any touching a mask is dropped."""
    moved = []
    for finding in found:
        index = bisect_right(masks_at, finding.start, key=lambda span: span[0])
        if index and masks_at[index - 1][1] > finding.start:
            continue
        if index < len(masks_at) and masks_at[index][0] < finding.end:
            continue
        shift = findings[index - 1].end - masks_at[index - 1][1] if index else 0
        moved.append(Finding(finding.kind, finding.start + shift, finding.end + shift))
    return tuple(moved)


class RedactingFilter(logging.Filter):
    """Mask personal data in a record's message, arguments, traceback and `extra` fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place so no handler sees personal data; always keep it."""
        _redact_message(record)
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so they print the masked traceback.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text).text
        if record.stack_info:
            record.stack_info = redact(record.stack_info).text
        for key, value in list(vars(record).items()):
            if key not in _RECORD_FIELDS:
                setattr(record, key, redact_values(value))
        return True


def _redact_message(record: logging.LogRecord) -> None:
    """Merge the arguments into the message and mask the result."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: the handler reports it, with masked parts
        record.msg = redact_values(record.msg)
        record.args = redact_values(record.args)
        return
    record.msg = redact(message).text
    record.args = ()


def redact_values(value: object, depth: int = 0) -> object:
    """A value (a log field, an API view) with every string in it masked; containers are
    copied, never changed."""
    if isinstance(value, str):
        return redact(value).text
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth < _MAX_DEPTH and isinstance(value, dict):
        return {key: redact_values(item, depth + 1) for key, item in value.items()}
    if depth < _MAX_DEPTH and isinstance(value, list | tuple | set | frozenset):
        items = [redact_values(item, depth + 1) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    # Anything else would be written with str() (JsonLines does), so mask that text.
    try:
        return redact(str(value)).text
    except Exception:  # logging must never fail the caller over a broken __str__
        return f"[unprintable {type(value).__name__}]"
