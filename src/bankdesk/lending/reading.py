"""Two readers, one verdict: the offline extractor always reads; a model reads when configured.

Where only one reader finds a grounded value, it is used. Where both find the same value,
the agreement is recorded. Where they differ, or one is unsure where the other is certain,
the field is conflicting: a model that swaps income and debt (both numbers are in the
text, so grounding alone cannot see it) does not get an automatic decision.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from bankdesk.domain.application import REQUIRED_FIELDS, ExtractedValue, Extraction, Field
from bankdesk.lending.extraction import extract_application
from bankdesk.lending.facts import LoanFacts
from bankdesk.lending.grounding import Grounded, ground_facts
from bankdesk.lending.guardrails import FIELD_LABELS, Problem
from bankdesk.llm.prompts import Prompt, load_prompt
from bankdesk.llm.protocol import Completion, ModelCall, Provider, StructuredRequest

EXTRACTION_PROMPT = "lending-extraction"
EXTRACTION_AGENT = "lending-extractor"
# Fields a decision depends on: a conflict here sends the case to a person.
DECISIVE_FIELDS = frozenset({*REQUIRED_FIELDS, Field.CURRENCY, Field.LOAN_ID})
# Figures the policy decides on: one the model alone read is confirmed by a person, since
# the offline reader's checks (whose income, when, negated, hoped for) did not see it.
FIGURES = frozenset({Field.INCOME, Field.MONTHLY_DEBT, Field.REQUESTED_AMOUNT})
Fallback = Literal["offline", "none"]


class Source(StrEnum):
    """Which reader a field's value came from."""

    OFFLINE = "offline"
    MODEL = "model"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Reading:
    """The extraction a decision uses, where each value came from, and the model calls."""

    extraction: Extraction
    provider: str = "offline"
    model: str | None = None
    sources: dict[Field, Source] = field(default_factory=dict)
    conflicts: dict[Field, str] = field(default_factory=dict)
    grounding_failures: tuple[str, ...] = ()
    degraded: bool = False
    failure: str | None = None
    calls: tuple[ModelCall, ...] = ()

    @property
    def referrals(self) -> tuple[Problem, ...]:
        """What keeps this reading from an automatic decision: a person must look."""
        problems = [
            Problem(
                name,
                "EXTRACTION_CONFLICT",
                f"The {FIELD_LABELS[name]} could not be read with certainty; "
                "a person will check it.",
            )
            for name in self.conflicts
            if name in DECISIVE_FIELDS
        ]
        problems += [
            Problem(
                name,
                "MODEL_ONLY_VALUE",
                f"The {FIELD_LABELS[name]} was read by the model alone; a person will confirm it.",
            )
            for name, source in self.sources.items()
            if source is Source.MODEL and name in FIGURES
        ]
        if self.failure and not self.degraded:
            problems.append(
                Problem(
                    None,
                    "EXTRACTION_FAILED",
                    "The application could not be read automatically; a person will check it.",
                )
            )
        return tuple(problems)


def offline_reading(text: str) -> Reading:
    """The offline extractor's reading alone."""
    extraction = extract_application(text)
    return Reading(extraction, sources=dict.fromkeys(extraction.values, Source.OFFLINE))


def with_known_borrower(reading: Reading, name: str, *, source: str) -> Reading:
    """The reading with the borrower's name from a verified source (a signed-in customer's
    record) when the text gives none; a name the text states is kept."""
    extraction = reading.extraction
    if Field.BORROWER_NAME in extraction.values:
        return reading
    known = ExtractedValue(Field.BORROWER_NAME, name, spans=(), note=f"from {source}")
    values = {**extraction.values, Field.BORROWER_NAME: known}
    unsure = {key: why for key, why in extraction.unsure.items() if key != Field.BORROWER_NAME}
    return replace(reading, extraction=replace(extraction, values=values, unsure=unsure))


@dataclass(frozen=True, slots=True)
class ApplicationReader:
    """Reads loan applications with the offline extractor and, when configured, a model."""

    provider: Provider
    fallback: Fallback = "offline"
    prompt: Prompt = field(default_factory=lambda: load_prompt(EXTRACTION_PROMPT))

    async def read(self, text: str) -> Reading:
        """Read one borrower message; never raises for anything the model does."""
        offline = offline_reading(text)
        if not self.provider.info.remote:
            return offline
        request = StructuredRequest(LoanFacts, self.prompt, text, agent=EXTRACTION_AGENT)
        try:
            completion = await self.provider.complete(request)
        except Exception as error:  # a provider's own bug must not cost the application
            info = self.provider.info
            failure = f"the provider failed: {type(error).__name__}"
            completion = Completion(info.name, info.model, None, failure=failure)
        if completion.value is None:
            return self._without_model(offline, completion, completion.failure or "no answer")
        grounded = ground_facts(text, completion.value)
        if not grounded.values and grounded.failures:
            why = "none of the values the model gave is in the text"
            return self._without_model(offline, completion, why, grounded.failures)
        return reconcile(offline.extraction, grounded, completion)

    def _without_model(
        self,
        offline: Reading,
        completion: Completion[LoanFacts],
        failure: str,
        failures: list[str] | None = None,
    ) -> Reading:
        return Reading(
            offline.extraction,
            provider="offline" if self.fallback == "offline" else completion.provider,
            model=completion.model,
            sources=offline.sources,
            grounding_failures=tuple(failures or ()),
            degraded=self.fallback == "offline",
            failure=failure,
            calls=completion.calls,
        )


def reconcile(
    offline: Extraction, grounded: Grounded, completion: Completion[LoanFacts]
) -> Reading:
    """One extraction from the two readings, field by field."""
    model = grounded.extraction
    values: dict[Field, ExtractedValue] = {}
    unsure: dict[Field, str] = {}
    sources: dict[Field, Source] = {}
    conflicts: dict[Field, str] = {}
    for name in Field:
        mine, theirs = offline.values.get(name), model.values.get(name)
        doubt = offline.unsure.get(name) or model.unsure.get(name)
        if mine is not None and theirs is not None and _same(mine.value, theirs.value):
            values[name], sources[name] = mine, Source.BOTH
        elif mine is not None and theirs is not None:
            conflicts[name] = f"offline read {mine.value}, the model read {theirs.value}"
        elif (mine or theirs) is not None and doubt:
            found = mine or theirs
            reader = "offline" if mine is not None else "the model"
            conflicts[name] = f"{reader} read {found.value if found else ''}; the other: {doubt}"
        elif mine is not None:
            values[name], sources[name] = mine, Source.OFFLINE
        elif theirs is not None:
            values[name], sources[name] = theirs, Source.MODEL
        elif doubt:
            unsure[name] = doubt
        if name in conflicts:
            unsure[name] = "the offline reader and the model read it differently"
    return Reading(
        Extraction(text=offline.text, values=values, unsure=unsure),
        provider=completion.provider,
        model=completion.model,
        sources=sources,
        conflicts=conflicts,
        grounding_failures=tuple(grounded.failures),
        calls=completion.calls,
    )


def _same(mine: Decimal | str, theirs: Decimal | str) -> bool:
    if isinstance(mine, Decimal) and isinstance(theirs, Decimal):
        return mine == theirs
    return _words(str(mine)) == _words(str(theirs))


def _words(value: str) -> str:
    return " ".join(value.replace(".", " ").replace(",", " ").split()).casefold()
