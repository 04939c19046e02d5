"""The banking functions: `retail-banking-router` and one function per specialist agent.

An orchestrator invokes an agent with the seed's `{classification, payload}` and a `run`
(its case, run id and clock): the agent works and its run is stored in one transaction, and
the full result (analysis, actions, answer, notes) goes back to the orchestrator. The
seeds' client invokes an agent without a `run`: the message is then stored as a contact
case first and the answer is the channel's view (`{agent, analysis, actions, ...}`, the
reply, the case id), never the internal notes.
"""

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.exc import IntegrityError

from bankdesk.banking.agents import AGENTS
from bankdesk.banking.context import Agent
from bankdesk.banking.runs import RunRefused, Workbench, perform
from bankdesk.banking.schemas import AgentInvocation, Classification, MessageRequest
from bankdesk.domain.errors import UnknownCustomer
from bankdesk.runtime.executor import ROUTER, Function
from bankdesk.runtime.responses import invalid, not_an_object, refused, respond
from bankdesk.store.banking_models import AgentRun

if TYPE_CHECKING:
    from bankdesk.bootstrap import Bankdesk


class RouterEvent(BaseModel):
    """The router's event: the message and customer, at the top or as the seed's `payload`
    (the router classifies the message itself)."""

    model_config = ConfigDict(extra="forbid")

    payload: MessageRequest


class DirectEvent(RouterEvent):
    """A specialist invoked directly, as the seeds' `route_to_agent` does: the message and
    the caller's classification, which chose this agent."""

    classification: Classification | None = None


def agent_function(name: str, agent: Agent | None = None) -> Function:
    """The function that runs the agent the seeds call `name` (or `agent` under that name)."""
    agent = agent or AGENTS[name]

    async def run(app: "Bankdesk", event: dict[str, Any]) -> dict[str, Any]:
        if (refusal := not_an_object(event)) is not None:
            return refusal
        try:
            invocation = AgentInvocation.model_validate(event)
        except ValidationError as error:
            return invalid(error)
        if invocation.run is None:
            return await _direct(app, event, agent=name)
        bench = Workbench(app.database.sessions, app.policies, app.lending, app.reader)
        try:
            result = await perform(agent, name, invocation, invocation.run, bench=bench)
        except RunRefused as refusal:
            return refused(str(refusal), error="run_refused", status=409)
        except IntegrityError:
            if not await _recorded(app, invocation.run.run_id):
                raise
            # The orchestrator gave the run up and recorded it first: this answer is void.
            return refused(
                f"run {invocation.run.run_id} is already recorded; this answer was not kept",
                error="run_already_recorded",
                status=409,
            )
        return respond(200, result.model_dump(mode="json"))

    return run


async def _direct(app: "Bankdesk", event: dict[str, Any], *, agent: str) -> dict[str, Any]:
    try:
        routed = DirectEvent.model_validate(_with_payload(event))
    except ValidationError as error:
        return invalid(error)
    return await _handle(app, routed, actor=f"lambda:{agent}", agent=agent)


async def retail_banking_router(app: "Bankdesk", event: dict[str, Any]) -> dict[str, Any]:
    """Triage (or take the caller's classification), plan, fan out, answer safely."""
    if (refusal := not_an_object(event)) is not None:
        return refusal
    try:
        routed = RouterEvent.model_validate(_with_payload(event))
    except ValidationError as error:
        return invalid(error)
    return await _handle(app, routed, actor=f"lambda:{ROUTER}", agent=None)


async def _handle(
    app: "Bankdesk", routed: RouterEvent, *, actor: str, agent: str | None
) -> dict[str, Any]:
    classification = routed.classification if isinstance(routed, DirectEvent) else None
    try:
        response = await app.banking.handle(
            routed.payload,
            channel="lambda",
            actor=actor,
            classification=classification,
            agent=agent,
        )
    except UnknownCustomer as error:
        return refused(str(error), error="unknown_customer", status=404)
    if agent is None:
        return respond(200, response.model_dump(mode="json"))
    view = response.agents[0].model_dump(mode="json", exclude_none=True)
    return respond(200, {**view, "case_id": response.case_id, "reply": response.reply.model_dump()})


async def _recorded(app: "Bankdesk", run_id: str) -> bool:
    async with app.database.sessions() as session:
        return await session.get(AgentRun, run_id) is not None


def _with_payload(event: dict[str, Any]) -> dict[str, Any]:
    """The seed's `{"message", "customer_id"}` short form as `{"payload": {...}}`."""
    if "payload" in event:
        return {key: event[key] for key in ("payload", "classification") if key in event}
    routed = {"payload": {key: value for key, value in event.items() if key != "classification"}}
    if "classification" in event:
        routed["classification"] = event["classification"]
    return routed
