"""The lending decision flow: text -> extraction -> guardrails -> policy -> next step."""

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from bankdesk.domain.application import Extraction, Field, LoanApplication
from bankdesk.domain.decision import (
    NextAction,
    Outcome,
    PolicyRef,
    PolicyResult,
    Reason,
    next_action_for,
)
from bankdesk.domain.errors import PolicyInputRejected, PolicyNotApplicable, TextTooLong
from bankdesk.domain.money import round_ratio
from bankdesk.lending.guardrails import Limits, Problem, check_application
from bankdesk.lending.reading import Reading, offline_reading
from bankdesk.policy.engine import PolicyEngine, PolicyInput


@dataclass(frozen=True, slots=True)
class LendingDecision:
    """Everything about one application, from the text to the next step.

    Either the policy decided (`policy_result`), or the reading needs a person (`referrals`,
    outcome review), or the application had problems that kept it from the policy
    (`problems`, outcome incomplete); the outcome, reasons and next step follow from which.
    """

    application: LoanApplication
    policy: PolicyRef
    problems: tuple[Problem, ...] = ()
    policy_result: PolicyResult | None = None
    reading: Reading | None = None
    loan_id_assigned: bool = False
    referrals: tuple[Problem, ...] = ()
    # Checked and complete, but the policy has not been asked yet (see LendingFlow.settle).
    awaiting_policy: bool = False

    @property
    def extraction(self) -> Extraction | None:
        """What was read from the borrower's text, when the application came as text."""
        return self.reading.extraction if self.reading else None

    @property
    def outcome(self) -> Outcome:
        """What happens to the application."""
        if self.policy_result:
            return self.policy_result.outcome
        return Outcome.REVIEW if self.referrals else Outcome.INCOMPLETE

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The policy's reasons, or why a person must look, or what must be supplied."""
        if self.policy_result:
            return self.policy_result.reasons
        return tuple(problem.reason for problem in (*self.referrals, *self.problems))

    @property
    def next_action(self) -> NextAction:
        """The step that follows the outcome."""
        return next_action_for(self.outcome)

    @property
    def missing_fields(self) -> tuple[Field, ...]:
        """Fields that must be supplied or corrected before a policy can decide."""
        problems = (*self.referrals, *self.problems)
        fields = (problem.field for problem in problems if problem.field is not None)
        return tuple(dict.fromkeys(fields))

    @property
    def dti(self) -> Decimal | None:
        """Debt-to-income ratio as the policy computed it, when it did."""
        if self.policy_result is None:
            return None
        return self.policy_result.figures.get("dti")

    @property
    def dti_rounded(self) -> Decimal | None:
        """The ratio rounded to two places, as the seed reports it."""
        return None if self.dti is None else round_ratio(self.dti)


class Evaluator(Protocol):
    """Evaluates a policy on an application's inputs somewhere (here, or in a function)."""

    async def __call__(self, policy_id: str, values: PolicyInput) -> PolicyResult:
        """The policy's verdict; PolicyInputRejected when its schema refuses the inputs."""
        ...


@dataclass(frozen=True, slots=True)
class LendingFlow:
    """Decides loan applications with one policy engine, policy and set of limits."""

    engine: PolicyEngine
    policy_id: str
    limits: Limits
    default_currency: str
    max_text_chars: int = 20_000
    # Where the policy is evaluated when the flow is persisted (the lending decision function,
    # through the executor); None evaluates in this process.
    evaluator: Evaluator | None = None

    def decide_text(self, text: str, *, policy_id: str | None = None) -> LendingDecision:
        """Decide a borrower's free-text request with the offline extractor alone."""
        self.check_length(text)
        return self.decide_reading(offline_reading(text), policy_id=policy_id)

    def check_length(self, text: str) -> None:
        """Refuse a message longer than any real one before anything reads it."""
        if len(text) > self.max_text_chars:
            raise TextTooLong(len(text), self.max_text_chars)

    def decide_reading(self, reading: Reading, *, policy_id: str | None = None) -> LendingDecision:
        """Decide what was read from a borrower's text with the policy engine in this process."""
        return self.settle_here(self.check_reading(reading, policy_id=policy_id))

    def check_reading(self, reading: Reading, *, policy_id: str | None = None) -> LendingDecision:
        """Check what was read from a borrower's text; a reading that needs a person is referred
        to review without asking the policy, and a complete one awaits the policy."""
        extraction = reading.extraction
        if referrals := reading.referrals:
            decision = self.check(
                extraction.application, policy_id=policy_id, unsure=extraction.unsure, ask=False
            )
            # A referred field is listed once, as referred, not also as missing.
            referred = {problem.field for problem in referrals if problem.field is not None}
            problems = tuple(p for p in decision.problems if p.field not in referred)
            return replace(decision, reading=reading, referrals=referrals, problems=problems)
        decision = self.check(extraction.application, policy_id=policy_id, unsure=extraction.unsure)
        return replace(decision, reading=reading)

    def decide(
        self,
        application: LoanApplication,
        *,
        policy_id: str | None = None,
        unsure: dict[Field, str] | None = None,
        ask: bool = True,
    ) -> LendingDecision:
        """Check an application and, when it is complete (and `ask`), let the policy engine in
        this process decide."""
        return self.settle_here(
            self.check(application, policy_id=policy_id, unsure=unsure, ask=ask)
        )

    def check(
        self,
        application: LoanApplication,
        *,
        policy_id: str | None = None,
        unsure: dict[Field, str] | None = None,
        ask: bool = True,
    ) -> LendingDecision:
        """Check an application: incomplete when it has problems (or `ask` is false),
        otherwise a decision that awaits the policy (`settle` or `settle_here` gets it)."""
        policy = self.engine.get(policy_id or self.policy_id)
        foreign = sorted(policy.required_inputs - {name.value for name in Field})
        if foreign:
            raise PolicyNotApplicable(policy.id, foreign)
        if application.currency is None and Field.CURRENCY not in (unsure or {}):
            application = replace(application, currency=self.default_currency)
        assigned = application.loan_id is None
        if assigned:
            application = replace(application, loan_id=new_loan_id())
        problems = check_application(application, limits=self.limits, unsure=unsure)
        return LendingDecision(
            application=application,
            policy=policy.ref,
            problems=problems,
            loan_id_assigned=assigned,
            awaiting_policy=not problems and ask,
        )

    def settle_here(self, decision: LendingDecision) -> LendingDecision:
        """The decision with the policy's verdict, evaluated in this process."""
        if not decision.awaiting_policy:
            return decision
        try:
            result = self.engine.evaluate(decision.policy.id, policy_inputs(decision.application))
        except PolicyInputRejected as rejected:
            return answered(decision, rejected)
        return answered(decision, result)

    async def settle(self, decision: LendingDecision) -> LendingDecision:
        """The decision with the policy's verdict, from the evaluator (the lending decision
        function, through the executor) when the flow has one, else from this process."""
        if not decision.awaiting_policy or self.evaluator is None:
            return self.settle_here(decision)
        try:
            result = await self.evaluator(decision.policy.id, policy_inputs(decision.application))
        except PolicyInputRejected as rejected:
            return answered(decision, rejected)
        return answered(decision, result)


def answered(
    decision: LendingDecision, verdict: PolicyResult | PolicyInputRejected
) -> LendingDecision:
    """A decision that awaited the policy, with the policy's result or its refusal of the inputs."""
    if isinstance(verdict, PolicyInputRejected):
        problem = Problem(_field_named(verdict.detail), "POLICY_INPUT_REJECTED", verdict.detail)
        return replace(decision, problems=(problem,), awaiting_policy=False)
    return replace(decision, policy=verdict.policy, policy_result=verdict, awaiting_policy=False)


def new_loan_id() -> str:
    """An application id for a request whose text names none."""
    return "APP-" + uuid.uuid4().hex[:12].upper()


def policy_inputs(application: LoanApplication) -> dict[str, Decimal | int | str | None]:
    """The application's known fields, named as the policies' input schemas name them."""
    return {name.value: value for name in Field if (value := application.value(name)) is not None}


def _field_named(detail: str) -> Field | None:
    """The application field a policy's schema complaint is about, if it names one."""
    return next(
        (name for name in Field if f'"{name.value}"' in detail or f"{name.value}:" in detail), None
    )
