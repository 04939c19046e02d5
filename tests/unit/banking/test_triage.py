"""Offline triage: intents, summaries and secondary intents from the shipped model."""

import pytest

from bankdesk.banking.classifier import default_model
from bankdesk.banking.triage import Triage
from bankdesk.llm.offline import OfflineProvider


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage(default_model(), OfflineProvider({}), threshold=0.6, secondary_threshold=0.25)


async def test_the_seed_example_is_a_card_dispute_about_an_unfamiliar_payment(triage) -> None:
    triaged = await triage.classify(
        "I saw an unfamiliar card payment from last night and I want to dispute it."
    )

    classification = triaged.classification
    assert classification.intent == "card_dispute"
    assert classification.confidence >= 0.6
    assert classification.summary == (
        "Customer reports an unfamiliar card transaction and wants to dispute it."
    )
    assert triaged.source == "offline"
    assert not triage.cascades


@pytest.mark.parametrize(
    ("message", "intents"),
    [
        (
            "What is my checking balance? Also I lost my card yesterday.",
            {"balance_inquiry", "fraud_report"},
        ),
        (
            "When is my next loan payment due? And what's the balance in my savings account?",
            {"loan_question", "balance_inquiry"},
        ),
    ],
)
async def test_a_message_with_two_requests_names_both(triage, message, intents) -> None:
    classification = (await triage.classify(message)).classification

    assert {classification.intent, *classification.secondary_intents} >= intents
    assert classification.intent not in classification.secondary_intents


async def test_a_vague_message_is_unsure_and_claims_no_second_request(triage) -> None:
    classification = (await triage.classify("hello?? it's about the thing")).classification

    assert classification.confidence < 0.6
    assert classification.secondary_intents == []


async def test_the_offline_classification_is_recorded_as_a_call(triage) -> None:
    (call,) = (await triage.classify("How do I order a cheque book?")).calls

    assert (call.provider, call.agent, call.prompt_id) == ("offline", "triage", "triage-classifier")
    assert call.parsed is not None and call.parsed["intent"] == "general_support"
    assert call.cost == 0
