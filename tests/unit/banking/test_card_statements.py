"""What a customer says happened to their card, and what only sounds like it: questions,
conditionals, denials and a card found again report nothing."""

import pytest

from bankdesk.banking.statements import card_statement, mentions_card_trouble


@pytest.mark.parametrize(
    ("message", "statement"),
    [
        ("My card was stolen this morning", "stolen"),
        ("I lost my debit card", "lost"),
        ("Someone has my card details", "compromised"),
        ("Help, I think I lost my card at the airport this morning!", "lost"),
        ("My card was stolen, what should I do?", "stolen"),
        ("What do I do? My wallet was stolen on the bus.", "stolen"),
        ("How do I report my stolen card?", "stolen"),
        ("If you can, please block my card, it was stolen", "stolen"),
        ("I haven't lost my card but someone has my card details", "compromised"),
        ("I found my wallet, but my card was stolen from it", "stolen"),
        ("I can't find my wallet anywhere", "lost"),
        ("My card has gone missing", "lost"),
        ("I think my card details were phished", "compromised"),
        ("My card details have been compromised", "compromised"),
    ],
)
def test_a_report_is_read_as_one(message: str, statement: str) -> None:
    assert card_statement(message) == statement
    assert mentions_card_trouble(message)


@pytest.mark.parametrize(
    "message",
    [
        # asked about, not reported
        "What should I do if my card is stolen?",
        "What should I do when my card gets stolen?",
        "How do I report a stolen card?",
        "How to report a lost card?",
        "What happens if my card is lost?",
        "In case my wallet is stolen while travelling, how do I block my cards?",
        "If my card details were leaked, would I get my money back?",
        "Just wondering whether a stolen card is covered by your fraud guarantee",
        # denied
        "I have not lost my card",
        "I haven't lost my card, I just want to know my balance",
        "I never lost my card",
        "My card wasn't stolen, it's just not working",
        "I don't think my card was stolen",
        "My card details have not been compromised",
        # taken back
        "I thought I lost my wallet yesterday but I found it",
        "I lost my card this morning but I found it in my coat",
        "I lost my card but it turned up",
        "My wallet was missing but I found my card in the car",
    ],
)
def test_a_question_denial_or_card_found_is_not_a_report(message: str) -> None:
    assert card_statement(message) is None
    assert mentions_card_trouble(message)


@pytest.mark.parametrize(
    "message",
    ["I lost money on a bad investment", "I saw an unfamiliar card payment from last night"],
)
def test_other_messages_do_not_mention_card_trouble(message: str) -> None:
    assert card_statement(message) is None
    assert not mentions_card_trouble(message)
