"""The JSON request log never carries card numbers, SSNs, IBANs or e-mail addresses."""

import json
import logging

import pytest

from bankdesk.api.logs import configure_logging
from bankdesk.banking.redaction import RedactingFilter

CARD = "4111 1111 1111 1111"
OTHER_CARD = "5555555555554444"
NESTED_CARD = "4012-8888-8888-1881"
SSN = "123-45-6789"
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "maya.chen@example.com"
SECRETS = [CARD, OTHER_CARD, NESTED_CARD, SSN, IBAN, EMAIL, "411111111111", "555555555555"]


@pytest.fixture
def restored_loggers():
    """configure_logging rewires module-level loggers; put them back for the next test."""
    loggers = [logging.getLogger(name) for name in ("bankdesk", "uvicorn.error", "uvicorn.access")]
    saved = [(lg.handlers[:], lg.level, lg.propagate, lg.disabled) for lg in loggers]
    yield
    for logger, (handlers, level, propagate, disabled) in zip(loggers, saved, strict=True):
        logger.handlers = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def test_the_json_log_masks_message_arguments_and_extra_fields(capsys, restored_loggers):
    configure_logging("INFO")
    detail = {"card": NESTED_CARD, "holder": {"iban": IBAN, "notes": [f"ssn {SSN}", EMAIL]}}

    logging.getLogger("bankdesk.banking.test").warning(
        f"card {CARD} declined; retry with %s for %s",
        OTHER_CARD,
        EMAIL,
        extra={"detail": detail, "attempts": 3},
    )

    output = capsys.readouterr().err
    for secret in SECRETS:
        assert secret not in output
        assert secret.replace(" ", "").replace("-", "") not in output
    entry = json.loads(output)
    assert entry["message"] == (
        "card [card ending 1111] declined; retry with [card ending 4444] for [email]"
    )
    assert entry["detail"] == {
        "card": "[card ending 1881]",
        "holder": {"iban": "[IBAN ending 3000]", "notes": ["ssn [SSN]", "[email]"]},
    }
    assert (entry["level"], entry["attempts"]) == ("WARNING", 3)
    assert detail["card"] == NESTED_CARD  # the caller's own objects are left alone


def test_every_logger_routed_to_the_handler_is_masked(capsys, restored_loggers):
    configure_logging("INFO")

    logging.getLogger("uvicorn.error").info("client sent %s", f"SSN {SSN}")

    output = capsys.readouterr().err
    assert json.loads(output)["message"] == "client sent SSN [SSN]"


FULL_WIDTH = str.maketrans("0123456789", "".join(map(chr, range(0xFF10, 0xFF1A))))
ARABIC_INDIC = str.maketrans("0123456789", "".join(map(chr, range(0x0660, 0x066A))))


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("4111/1111/1111/1111", "[card ending 1111]"),
        ("4111_1111_1111_1111", "[card ending 1111]"),
        ("4111\u00a01111\u202f1111\u20091111", "[card ending 1111]"),
        ("4111\t1111\n1111  1111", "[card ending 1111]"),
        ("4111 \u2013 1111 \u2014 1111 - 1111", "[card ending 1111]"),
        ("4111, 1111, 1111, 1111", "[card ending 1111]"),
        ("4111 1111 1111 1111".translate(FULL_WIDTH), "[card ending 1111]"),
        ("4111111111111111".translate(ARABIC_INDIC), "[card ending 1111]"),
        ("card4111111111111111", "card[card ending 1111]"),
        ("4111111111111111USD", "[card ending 1111]USD"),
        ("123/45/6789", "[SSN]"),
        ("123\u201345\u20136789", "[SSN]"),
        ("123-45-6789".translate(FULL_WIDTH), "[SSN]"),
    ],
)
def test_a_log_line_masks_cards_and_ssns_however_they_are_written(
    written, masked, capsys, restored_loggers
):
    configure_logging("INFO")

    logging.getLogger("bankdesk.banking.test").info("customer wrote %s today", written)

    output = capsys.readouterr().err
    assert json.loads(output)["message"] == f"customer wrote {masked} today"


def test_a_traceback_formatted_by_another_handler_is_masked():
    record = _record_with_exception(f"card {CARD} could not be read")

    RedactingFilter().filter(record)
    line = logging.Formatter("%(message)s").format(record)

    assert "[card ending 1111]" in line
    assert "4111 1111" not in line


def test_a_broken_format_string_is_reported_masked():
    record = logging.LogRecord("bankdesk", logging.INFO, __file__, 1, "%d %s", (EMAIL,), None)

    RedactingFilter().filter(record)

    assert record.args == ("[email]",)


def _record_with_exception(message):
    try:
        raise RuntimeError(message)
    except RuntimeError as error:
        return logging.LogRecord(
            "bankdesk",
            logging.ERROR,
            __file__,
            1,
            "failed",
            (),
            (type(error), error, error.__traceback__),
        )
