"""Compliance cues: what flags, what does not, and what follows from it."""

from datetime import date

import pytest

from bankdesk.banking.compliance import add_business_days, detect_signals
from bankdesk.banking.schemas import Urgency


@pytest.mark.parametrize(
    ("message", "labels"),
    [
        ("This is unacceptable, I've been waiting three weeks", ["complaint"]),
        ("I want to make a formal complaint about your branch staff", ["complaint"]),
        ("Your customer service is terrible", ["complaint"]),
        ("The service was appalling from start to finish", ["complaint"]),
        ("I'm not happy with this terrible service", ["complaint"]),
        ("I'd like to speak to a manager", ["complaint"]),
        ("I will be contacting my lawyer about this", ["legal_threat"]),
        ("My attorney will be in touch", ["legal_threat"]),
        ("I'm going to sue you", ["legal_threat"]),
        ("I'll take this to small claims court", ["legal_threat"]),
        ("Expect a lawsuit", ["legal_threat"]),
        ("I'm filing a complaint with the CFPB", ["complaint", "regulatory"]),
        ("I will escalate this to the ombudsman", ["regulatory"]),
        ("I'll be writing to the FCA", ["regulatory"]),
        ("Does Regulation E cover this transfer?", ["regulatory"]),
        ("Reg E says you have to refund me", ["regulatory"]),
        ("Isn't this a violation of Regulation Z?", ["regulatory"]),
        ("This is a UDAAP violation", ["regulatory"]),
        ("I think this is discrimination, you denied me because of my age", ["regulatory"]),
        ("Isn't that against fair lending rules?", ["regulatory"]),
        ("Your debt collectors keep harassing me", ["regulatory"]),
        ("I want to submit a data subject access request under GDPR", ["regulatory"]),
        ("My husband passed away last month", ["bereavement"]),
        ("I'm writing about the account of my late mother", ["bereavement"]),
        ("I'm going through chemotherapy for cancer", ["illness"]),
        ("My dad is in hospital after a heart attack", ["illness"]),
        ("I am disabled and can't get to a branch", ["disability"]),
        ("I'm deaf, please don't call me", ["disability"]),
        ("I've been suffering from depression and anxiety", ["mental_health"]),
        ("I can't cope with these letters any more", ["mental_health"]),
        ("I can't afford food this week", ["financial_hardship"]),
        ("I lost my job and I'm behind on my rent", ["financial_hardship"]),
        ("I'm 82 years old and my grandson helps me", ["elderly_or_carer"]),
        ("I care for my elderly mother", ["elderly_or_carer"]),
        ("My partner controls all my money", ["domestic_abuse"]),
        ("I'm leaving an abusive relationship", ["domestic_abuse"]),
        ("They told me to move my savings to a safe account", ["scam_or_coercion"]),
        ("I think I've been scammed", ["scam_or_coercion"]),
        ("I feel suicidal about my debts", ["crisis"]),
        ("Your staff are awful\u2014I\u2019m going to sue", ["legal_threat"]),
    ],
)
def test_cues_flag_what_they_are_evidence_of(message: str, labels: list[str]) -> None:
    assert detect_signals(message).labels == labels


@pytest.mark.parametrize(
    "message",
    [
        "This is not a complaint, just a question about fees",
        "I don't want to complain, but could you check this?",
        "I can't complain, everything works great",
        "I'm not going to sue anyone, I just want my money back",
        "I have no intention of taking legal action",
        "No need for a lawyer, I'm sure we can sort it out",
        "My sister Sue says hi",
        "You disabled my card for no reason",
        "My phone died so I couldn't call",
        "I lost my card yesterday",
        "What is your complaints procedure?",
        "I'm not disabled, I just prefer the phone",
        "I'm not a scam victim, I just want to know",
        "What are the fees for a wire transfer?",
        "I'd like to know my balance",
        "Please register my new address",
        "Can you send me a court order template?",
    ],
)
def test_negated_and_innocent_phrasings_do_not_flag(message: str) -> None:
    assert detect_signals(message).labels == []


@pytest.mark.parametrize(
    ("message", "urgency", "escalate", "complaint"),
    [
        ("This is unacceptable", Urgency.NORMAL, False, True),
        ("I'm going to sue you", Urgency.HIGH, True, True),
        ("Does Regulation E apply?", Urgency.HIGH, True, False),
        ("My wife died and I'm struggling to pay", Urgency.HIGH, True, False),
        ("I'm scared of my husband, he took our money", Urgency.CRITICAL, True, False),
        ("I want to end my life", Urgency.CRITICAL, True, False),
        ("What time do you open?", Urgency.LOW, False, False),
    ],
)
def test_what_follows_from_the_signals(
    message: str, urgency: Urgency, escalate: bool, complaint: bool
) -> None:
    signals = detect_signals(message)

    assert signals.urgency == urgency
    assert signals.escalate is escalate
    assert signals.complaint_made is complaint


def test_evidence_names_the_words_and_what_was_ignored() -> None:
    signals = detect_signals(
        "It's not a complaint as such, but the service was terrible and I'll call my lawyer."
    )

    assert signals.evidence == {
        "complaint": ["service was terrible"],
        "legal_threat": ["lawyer"],
    }
    assert signals.ignored == ["complaint"]
    assert signals.flags == ["complaint", "legal_threat"]


def test_business_days_skip_weekends() -> None:
    friday = date(2026, 11, 20)
    assert add_business_days(friday, 1) == date(2026, 11, 23)
    assert add_business_days(date(2026, 11, 22), 15) == date(2026, 12, 11)
