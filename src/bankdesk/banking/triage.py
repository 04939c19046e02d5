"""Triage: the offline classifier answers, and a model is asked only when it is unsure.

The cascade saves cost: a message the offline classifier is confident about (at least
BANKDESK_TRIAGE_THRESHOLD) never reaches the model. Either way every classification is a
model call on the record, the offline one included, so an auditor sees who decided.
"""

import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal

from pydantic import BaseModel, Field, create_model

from bankdesk.banking.classifier import IntentModel, Prediction
from bankdesk.banking.clues import says_unfamiliar
from bankdesk.banking.redaction import contains_pii, redact
from bankdesk.banking.schemas import Classification, Intent
from bankdesk.llm.prompts import load_prompt
from bankdesk.llm.protocol import CallStatus, ModelCall, Provider, StructuredRequest

AGENT = "triage"
PROMPT_ID = "banking-triage"
SUMMARIES: dict[str, str] = {
    Intent.BALANCE_INQUIRY: "Customer asks about account balances or recent activity.",
    Intent.CARD_DISPUTE: "Customer wants to dispute a card transaction.",
    Intent.LOAN_QUESTION: "Customer has a question about a loan.",
    Intent.FRAUD_REPORT: "Customer reports possible fraud on their card or account.",
    Intent.GENERAL_SUPPORT: "Customer needs general help with their banking.",
}
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Triaged:
    """A classification, who made it (offline, model, or offline after a failed model), and
    every call made for it."""

    classification: Classification
    source: str
    calls: tuple[ModelCall, ...]
    failure: str | None = None
    unsure: bool = False  # nothing sure enough classified it: a person should check the routing


class TriageAnswer(BaseModel):
    """What a model answers (the intent is constrained to the classifier's labels)."""

    intent: str
    confidence: float = Field(ge=0, le=1)
    summary: str = Field(max_length=500)
    secondary_intents: list[str]


@cache
def answer_schema(labels: tuple[str, ...]) -> type[TriageAnswer]:
    """The answer schema with `intent` limited to these labels (built once per label set)."""
    label = Literal[labels]  # type: ignore[valid-type]
    return create_model(
        "TriageAnswer",
        __base__=TriageAnswer,
        intent=(label, ...),
        secondary_intents=(list[label], ...),
    )


class Triage:
    """Classifies customer messages: offline first, the provider's model when unsure."""

    def __init__(
        self,
        model: IntentModel,
        provider: Provider,
        *,
        threshold: float,
        secondary_threshold: float,
    ) -> None:
        self.model = model
        self._provider = provider
        self._threshold = threshold
        self._secondary = secondary_threshold

    @property
    def cascades(self) -> bool:
        """Whether unsure messages go to a model (only when a remote one is configured)."""
        return self._provider.info.remote

    async def classify(self, message: str) -> Triaged:
        """The message's intent, confidence, summary and secondary intents."""
        offline, call = self._offline(message)
        unsure = offline.confidence < self._threshold
        if not self.cascades or not unsure:
            return Triaged(offline, "offline", (call,), unsure=unsure)
        request = StructuredRequest(
            schema=answer_schema(self.model.labels),
            prompt=load_prompt(PROMPT_ID),
            text=message,
            agent=AGENT,
            tag="message",
        )
        completion = await self._provider.complete(request)
        calls = (call, *completion.calls)
        if completion.value is None:
            return Triaged(
                offline, "offline (model failed)", calls, completion.failure, unsure=True
            )
        answer = completion.value
        secondary = [label for label in answer.secondary_intents if label != answer.intent]
        classification = Classification(
            intent=answer.intent,
            confidence=answer.confidence,
            summary=_safe_summary(answer.summary, fallback=offline.summary),
            secondary_intents=list(dict.fromkeys(secondary)),
        )
        return Triaged(classification, "model", calls)

    def _offline(self, message: str) -> tuple[Classification, ModelCall]:
        started = time.perf_counter()
        whole = self.model.predict_one(message)
        secondary = self._secondary_intents(message, whole)
        classification = Classification(
            intent=whole.label,
            confidence=round(whole.confidence, 4),
            summary=summarise(whole.label, secondary, message),
            secondary_intents=secondary,
        )
        call = ModelCall(
            provider="offline",
            model=f"triage-classifier {self.model.metadata.get('training_sha256', '')[:12]}",
            agent=AGENT,
            prompt_id="triage-classifier",
            prompt_version=str(self.model.metadata.get("training_sha256", "unknown")),
            attempt=1,
            status=CallStatus.OK,
            request={"text_chars": len(message)},
            raw_response=json.dumps({"ranked": [list(pair) for pair in whole.ranked[:5]]}),
            parsed=classification.model_dump(mode="json"),
            latency_ms=round((time.perf_counter() - started) * 1000),
            cost=Decimal(0),
        )
        return classification, call

    def _secondary_intents(self, message: str, whole: Prediction) -> list[str]:
        """Other intents the whole message leans to, and those single sentences are sure of.

        The leanings count only when the main intent is itself sure: a vague message spreads
        its probability over every intent, and none of them is then a second request."""
        found = {
            label: probability
            for label, probability in whole.ranked
            if label != whole.label
            and probability >= self._secondary
            and whole.confidence >= self._threshold
        }
        sentences = [part for part in SENTENCE.split(message) if len(part.split()) >= 3]
        if len(sentences) > 1:
            for prediction in self.model.predict(sentences):
                if prediction.label != whole.label and prediction.confidence >= self._threshold:
                    found[prediction.label] = max(
                        found.get(prediction.label, 0.0), prediction.confidence
                    )
        return sorted(found, key=lambda label: -found[label])


def _safe_summary(summary: str, *, fallback: str) -> str:
    """A model's summary with identifiers masked; the offline one if anything still shows.

    Models copy what they read, and the summary goes to the channel and into the case."""
    masked = redact(summary).text.strip()
    return masked if masked and not contains_pii(masked) else fallback


def summarise(intent: str, secondary: list[str], message: str) -> str:
    """A one-sentence summary built from the intents, without copying the customer's text."""
    if intent == Intent.CARD_DISPUTE and says_unfamiliar(message):
        summary = "Customer reports an unfamiliar card transaction and wants to dispute it."
    else:
        readable = intent.replace("_", " ")
        summary = SUMMARIES.get(intent, f"Customer message about {readable}.")
    if secondary:
        also = ", ".join(label.replace("_", " ") for label in secondary)
        summary = f"{summary[:-1]}; also: {also}."
    return summary
