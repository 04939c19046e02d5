"""The `lending-decision-function`: the seed's policy step as a function, and its client.

The seed's own event `{loan_id, borrower_name, income, monthly_debt, requested_amount}` is
stored as an application and decided, exactly as `POST /lending/decisions` does, and the
answer is the seed's `{decision, dti, loan_id, ...}`. The lending flow, which has stored
the application already, sends `evaluate_only` with the checked inputs and gets the
policy's verdict back (outcome, figures as exact decimals, reasons, trace).
"""

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bankdesk.domain.application import LoanApplication
from bankdesk.domain.decision import Outcome, PolicyRef, PolicyResult, Reason
from bankdesk.domain.errors import PolicyInputRejected, PolicyNotFound
from bankdesk.lending.flow import policy_inputs
from bankdesk.lending.schemas import DecisionEvent, seed_response
from bankdesk.lending.service import decide_event
from bankdesk.policy.engine import PolicyInput
from bankdesk.runtime.executor import LENDING_DECISION, Executor, FunctionRefused, invoke
from bankdesk.runtime.responses import invalid, not_an_object, refused, respond
from bankdesk.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bankdesk.bootstrap import Bankdesk

REJECTED = "policy_input_rejected"
APPLICATION = TypeAdapter(LoanApplication)


class PolicyQuestion(BaseModel):
    """The flow's `evaluate_only` event: a policy and an application's checked inputs, named
    as the application's fields (money as decimal strings, so nothing is rounded)."""

    model_config = ConfigDict(extra="forbid")

    evaluate_only: bool
    policy_id: str = Field(min_length=1, max_length=100)
    inputs: dict[str, Any]

    def values(self) -> dict[str, Decimal | int | str | None]:
        """The inputs, typed as the application types them, as the policy is given them."""
        return policy_inputs(APPLICATION.validate_python(self.inputs))


async def lending_decision(app: "Bankdesk", event: dict[str, Any]) -> dict[str, Any]:
    """Decide a seed event (stored first), or evaluate the flow's question."""
    if (refusal := not_an_object(event)) is not None:
        return refusal
    if event.get("evaluate_only") is True:
        return _evaluate(app, event)
    try:
        parsed = DecisionEvent.model_validate(event)
    except ValidationError as error:
        return invalid(error)
    async with UnitOfWork(app.database.sessions, actor=f"lambda:{LENDING_DECISION}") as uow:
        row, decision = await decide_event(
            uow,
            app.lending,
            raw_request=json.dumps(event, ensure_ascii=False),
            event=parsed,
            channel="lambda",
            checkpoint=uow.commit,  # what was received is kept, whatever happens next
        )
        await uow.commit()
    if decision is None:  # stored as failed and referred to a person
        return refused(
            "the application could not be processed and was referred to an underwriter",
            error="processing_failed",
            status=500,
        ) | {"application_id": row.id}
    return seed_response(decision, application_id=row.id)


def _evaluate(app: "Bankdesk", event: dict[str, Any]) -> dict[str, Any]:
    try:
        question = PolicyQuestion.model_validate(event)
        result = app.policies.evaluate(question.policy_id, question.values())
    except ValidationError as error:
        return invalid(error)
    except PolicyNotFound as error:
        return refused(str(error), error="policy_not_found", status=404)
    except PolicyInputRejected as error:
        return refused(error.detail, error=REJECTED)
    return respond(
        200,
        {
            "decision": result.outcome.value,
            "policy": {"id": result.policy.id, "version": result.policy.version},
            "figures": {name: str(value) for name, value in result.figures.items()},
            "reasons": [{"code": r.code, "message": r.message} for r in result.reasons],
            "trace": result.trace,
        },
    )


class PolicyFunction:
    """The lending flow's evaluator: asks the lending decision function, wherever it runs."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def __call__(self, policy_id: str, values: PolicyInput) -> PolicyResult:
        """The policy's verdict on the values; PolicyInputRejected as the engine raises it."""
        inputs = {name: str(v) if isinstance(v, Decimal) else v for name, v in values.items()}
        event = {"evaluate_only": True, "policy_id": policy_id, "inputs": inputs}
        try:
            body = await invoke(self._executor, LENDING_DECISION, event)
        except FunctionRefused as refusal:
            if refusal.body.get("error") == REJECTED:
                raise PolicyInputRejected(policy_id, str(refusal.body.get("detail"))) from None
            raise
        return PolicyResult(
            outcome=Outcome(body["decision"]),
            policy=PolicyRef(id=body["policy"]["id"], version=body["policy"]["version"]),
            figures={name: Decimal(value) for name, value in body["figures"].items()},
            reasons=tuple(Reason(code=r["code"], message=r["message"]) for r in body["reasons"]),
            trace=body["trace"],
        )
