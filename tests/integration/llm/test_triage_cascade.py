"""Triage's cascade over real HTTP: the model is asked only when the classifier is unsure."""

import pytest
from tests.support.openai_server import OpenAIServer, Reply, json_reply

from bankdesk.banking.classifier import default_model
from bankdesk.banking.triage import Triage, answer_schema
from bankdesk.llm.openai_compatible import OpenAIConfig, OpenAIProvider
from bankdesk.llm.protocol import CallStatus
from bankdesk.llm.schema import strict_schema
from bankdesk.settings import DEFAULT_PRICES

CONFIDENT = "What is the balance of my checking account?"
UNSURE = "hello?? it's about the thing from before"


def triage_for(server: OpenAIServer, *, threshold: float = 0.6) -> Triage:
    provider = OpenAIProvider(
        OpenAIConfig(
            model="gpt-4.1-mini", api="responses", output="json_schema", api_key="test-key",
            base_url=server.base_url, timeout_seconds=5.0, max_retries=0,
            max_output_tokens=400, temperature=0.0, prices=DEFAULT_PRICES,
        )
    )  # fmt: skip
    return Triage(default_model(), provider, threshold=threshold, secondary_threshold=0.2)


@pytest.fixture
def server():
    with OpenAIServer() as running:
        yield running


def test_the_unsure_message_is_below_the_threshold() -> None:
    # The cases below rely on these two messages falling on either side of 0.6.
    model = default_model()
    assert model.predict_one(CONFIDENT).confidence >= 0.6
    assert model.predict_one(UNSURE).confidence < 0.6


async def test_a_confident_offline_answer_costs_no_model_call(server: OpenAIServer) -> None:
    triaged = await triage_for(server).classify(CONFIDENT)

    assert triaged.classification.intent == "balance_inquiry"
    assert triaged.source == "offline"
    assert server.requests == []
    (call,) = triaged.calls
    assert (call.provider, call.agent, call.status) == ("offline", "triage", CallStatus.OK)


async def test_an_unsure_message_is_classified_by_the_model(server: OpenAIServer) -> None:
    server.script(
        json_reply(
            {
                "intent": "card_dispute",
                "confidence": 0.82,
                "summary": "Customer follows up on a disputed payment.",
                "secondary_intents": ["fraud_report", "card_dispute"],
            }
        )
    )

    triaged = await triage_for(server).classify(UNSURE)

    assert triaged.source == "model"
    assert triaged.classification.intent == "card_dispute"
    assert triaged.classification.confidence == 0.82
    assert triaged.classification.secondary_intents == ["fraud_report"]
    assert [call.provider for call in triaged.calls] == ["offline", "openai"]
    (received,) = server.requests
    assert "<message>" in received.user_text
    sent_schema = received.body["text"]["format"]["schema"]
    assert sent_schema == strict_schema(answer_schema(default_model().labels))
    assert set(sent_schema["properties"]["intent"]["enum"]) == set(default_model().labels)


async def test_a_label_outside_the_taxonomy_is_refused_and_the_offline_answer_stands(
    server: OpenAIServer,
) -> None:
    invented = {"intent": "approve_me", "confidence": 1, "summary": "s", "secondary_intents": []}
    server.script(json_reply(invented), json_reply(invented))

    triaged = await triage_for(server).classify(UNSURE)

    assert triaged.source == "offline (model failed)"
    assert triaged.classification.intent in default_model().labels
    assert [call.status for call in triaged.calls] == [
        CallStatus.OK,
        CallStatus.INVALID,
        CallStatus.INVALID,
    ]


async def test_a_model_outage_falls_back_to_the_offline_answer(server: OpenAIServer) -> None:
    server.script(Reply(status=503))

    triaged = await triage_for(server).classify(UNSURE)

    assert triaged.source == "offline (model failed)"
    assert triaged.failure
    assert triaged.calls[-1].status is CallStatus.ERROR


async def test_a_threshold_of_zero_never_asks_the_model(server: OpenAIServer) -> None:
    triaged = await triage_for(server, threshold=0.0).classify(UNSURE)

    assert triaged.source == "offline"
    assert server.requests == []


async def test_identifiers_a_model_copies_into_its_summary_are_masked(server: OpenAIServer) -> None:
    server.script(
        json_reply(
            {
                "intent": "fraud_report",
                "confidence": 0.9,
                "summary": "Customer with SSN 123-45-6789 reports card 4111 1111 1111 1111 stolen.",
                "secondary_intents": [],
            }
        )
    )

    summary = (await triage_for(server).classify(UNSURE)).classification.summary

    assert "123-45-6789" not in summary
    assert "4111" not in summary.replace("ending 1111", "")
    assert "[SSN]" in summary
