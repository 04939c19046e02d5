"""`bankdesk lambda serve` speaks the Lambda Invoke API: the seeds' own boto3 client code
runs against it unchanged but for `endpoint_url`, on both databases."""

import json

import boto3
import botocore.exceptions
import pytest
from tests.support.lambda_endpoint import FAKE_CREDENTIALS, lambda_client, point_functions_at

from bankdesk.runtime.aws import LambdaExecutor
from bankdesk.runtime.executor import FunctionFailed, FunctionUnavailable, PayloadTooLarge, invoke
from bankdesk.settings import Settings
from bankdesk.store.banking_models import Case
from bankdesk.store.models import LoanApplication
from bankdesk.store.unit_of_work import UnitOfWork

MAYA = {
    "loan_id": "LN-1001",
    "borrower_name": "Maya Chen",
    "income": 7200,
    "monthly_debt": 1800,
    "requested_amount": 45000,
}
SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."


@pytest.fixture
def functions(lambda_url: str, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The endpoint, its functions on this test's database; boto3 finds credentials."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    point_functions_at(lambda_url, database_url)
    return lambda_url


async def test_the_lending_seeds_client_code_gets_the_seed_decision(functions, bankdesk) -> None:
    # The seed's code, with endpoint_url added.
    lambda_client = boto3.client("lambda", region_name="us-east-1", endpoint_url=functions)
    lambda_response = lambda_client.invoke(
        FunctionName="lending-decision-function",
        InvocationType="RequestResponse",
        Payload=json.dumps(MAYA).encode("utf-8"),
    )
    result = json.loads(lambda_response["Payload"].read().decode("utf-8"))

    assert lambda_response["StatusCode"] == 200
    assert "FunctionError" not in lambda_response
    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    assert (body["decision"], body["dti"], body["loan_id"]) == ("approve", 0.25, "LN-1001")
    assert body["next_step"] == "send approval notice"
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        stored = await uow.session.get(LoanApplication, body["application_id"])
        assert stored is not None
        assert json.loads(stored.raw_request) == MAYA  # stored as received, then decided
        assert (stored.channel, stored.status) == ("lambda", "decided")


async def test_the_routers_client_code_gets_the_seed_analysis(functions, bankdesk, seeded) -> None:
    lambda_client = boto3.client("lambda", region_name="us-east-1", endpoint_url=functions)

    def route_to_agent(classification: dict, payload: dict) -> dict:  # the seed's function
        intent_to_function = {
            "fraud_report": "fraud-check-agent",
            "card_dispute": "customer-service-agent",
            "loan_question": "loan-assistant-agent",
            "balance_inquiry": "account-summary-agent",
            "general_support": "general-support-agent",
        }
        function_name = intent_to_function.get(classification["intent"], "general-support-agent")
        event = {"classification": classification, "payload": payload}
        result = lambda_client.invoke(
            FunctionName=function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode("utf-8"),
        )
        return json.loads(result["Payload"].read().decode("utf-8"))

    classification = {
        "intent": "card_dispute",
        "confidence": 0.94,
        "summary": "Customer reports an unfamiliar card transaction.",
    }
    result = route_to_agent(
        classification, {"message": SEED_MESSAGE, "customer_id": seeded.customer_id}
    )

    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    assert body["agent"] == "customer-service-agent"
    assert body["analysis"] == {
        "issue_type": "card_dispute",
        "urgency": "high",
        "flags": ["potential_fraud"],
    }
    assert "notes" not in body  # a direct caller gets the channel's view
    assert seeded.checking_number not in result["body"]
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        contact = await uow.cases.get(body["case_id"])
        assert contact is not None and contact.message == SEED_MESSAGE
        assert contact.details["triage"]["source"] == "caller"
        children = await uow.cases.children(body["case_id"])
    assert [child.kind for child in children] == ["dispute"]


async def test_the_router_function_triages_and_fans_out(functions, bankdesk, seeded) -> None:
    client = lambda_client(functions)
    event = {"message": "What is my checking balance?", "customer_id": seeded.customer_id}

    response = client.invoke(FunctionName="retail-banking-router", Payload=json.dumps(event))

    result = json.loads(response["Payload"].read())
    body = json.loads(result["body"])
    assert body["intent"] == "balance_inquiry"
    assert {a["agent"]: a["status"] for a in body["agents"]} == {
        "account-summary-agent": "ok",
        "compliance-review-agent": "ok",
    }
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        runs = await uow.cases.runs(body["case_id"])
    assert sorted(run.agent for run in runs) == ["account-summary-agent", "compliance-review-agent"]


async def test_an_unknown_function_is_resource_not_found(functions) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        lambda_client(functions).invoke(FunctionName="wire-money-agent", Payload=b"{}")

    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


async def test_a_payload_over_six_megabytes_is_refused(functions) -> None:
    event = {"message": "x" * (6 * 1024 * 1024)}

    with pytest.raises(botocore.exceptions.ClientError) as raised:
        lambda_client(functions).invoke(FunctionName="fraud-check-agent", Payload=json.dumps(event))

    assert raised.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


async def test_a_payload_that_is_not_json_is_refused(functions) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        lambda_client(functions).invoke(FunctionName="fraud-check-agent", Payload=b"{not json")

    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"


@pytest.mark.parametrize(
    ("function", "event", "says"),
    [
        ("lending-decision-function", {"income": "a lot"}, "income"),
        ("lending-decision-function", [1, 2], "JSON object"),
        ("fraud-check-agent", {"payload": {"customer_id": "cust_1"}}, "payload.message"),
        ("retail-banking-router", {"message": "   "}, "blank"),
    ],
)
async def test_a_bad_event_gets_a_400_body_that_says_what_is_wrong(
    functions, function, event, says
) -> None:
    response = lambda_client(functions).invoke(FunctionName=function, Payload=json.dumps(event))

    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result["statusCode"] == 400
    assert says in json.loads(result["body"])["detail"]


async def test_a_handler_that_raises_is_a_function_error(functions, tmp_path) -> None:
    # A database that was never migrated: the handler's query fails, unhandled.
    point_functions_at(functions, f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")

    response = lambda_client(functions).invoke(
        FunctionName="lending-decision-function", Payload=json.dumps(MAYA)
    )

    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "HandlerError"
    # The error's type only: a database error's text can carry a customer's words.
    assert (
        error["errorMessage"]
        == "OperationalError in lending-decision-function; see the function's log"
    )


async def test_a_direct_call_stores_the_message_as_a_contact_case(
    functions, bankdesk, seeded
) -> None:
    event = {"payload": {"message": "Is my card blocked?", "customer_id": seeded.customer_id}}

    lambda_client(functions).invoke(FunctionName="fraud-check-agent", Payload=json.dumps(event))

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        contacts = await uow.cases.for_customer(seeded.customer_id)
    assert any(c.kind == "service" and c.message == "Is my card blocked?" for c in contacts)


async def test_the_executor_refuses_an_oversized_event_before_sending_it(functions) -> None:
    executor = LambdaExecutor.from_settings(Settings(lambda_endpoint_url=functions))  # type: ignore[call-arg]

    with pytest.raises(PayloadTooLarge, match="at most 6,291,456"):
        await executor.invoke("fraud-check-agent", {"message": "x" * (6 * 1024 * 1024)})


async def test_the_executor_reports_unknown_and_failing_functions(functions, tmp_path) -> None:
    executor = LambdaExecutor.from_settings(Settings(lambda_endpoint_url=functions))  # type: ignore[call-arg]
    point_functions_at(functions, f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")

    with pytest.raises(FunctionUnavailable, match="ResourceNotFoundException"):
        await executor.invoke("wire-money-agent", {})
    with pytest.raises(FunctionFailed, match="OperationalError") as failed:
        await executor.invoke("lending-decision-function", MAYA)
    assert failed.value.error_type == "HandlerError"


@pytest.mark.parametrize(
    ("prefix", "explicit", "found"),
    [
        ("", {}, True),
        ("bankdesk-prod-", {}, False),  # no function of that name on this endpoint
        (
            "bankdesk-prod-",
            {"lending-decision-function": "arn:aws:lambda:us-east-1:000000000000:function:"
             "lending-decision-function"},
            True,
        ),
    ],
)  # fmt: skip
async def test_function_names_come_from_the_prefix_or_the_map(
    functions, prefix, explicit, found
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        lambda_endpoint_url=functions,
        lambda_function_prefix=prefix,
        lambda_functions=explicit,
    )
    executor = LambdaExecutor.from_settings(settings)
    event = {"evaluate_only": True, "policy_id": "seed-dti", "inputs": MAYA}

    if found:
        body = await invoke(executor, "lending-decision-function", event)
        assert body["decision"] == "approve"
    else:
        with pytest.raises(FunctionUnavailable):
            await invoke(executor, "lending-decision-function", event)


async def test_an_agent_works_only_on_a_run_the_orchestrator_dispatched(
    functions, bankdesk, seeded
) -> None:
    # A caller who knows a case's id cannot attach work to it, or choose the agent's clock.
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        contact = Case(kind="service", status="triaged", channel="test", message=SEED_MESSAGE,
                       customer_id=seeded.customer_id)  # fmt: skip
        await uow.cases.open(contact)
        await uow.commit()
    event = {
        "payload": {"message": SEED_MESSAGE, "customer_id": seeded.customer_id},
        "run": {"case_id": contact.id, "run_id": "forged0run"},
    }

    response = lambda_client(functions).invoke(
        FunctionName="customer-service-agent", Payload=json.dumps(event)
    )

    result = json.loads(response["Payload"].read())
    assert result["statusCode"] == 409
    assert json.loads(result["body"])["error"] == "run_refused"
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert await uow.cases.children(contact.id) == []
        assert await uow.cases.runs(contact.id) == []


async def test_the_router_classifies_messages_itself(functions, seeded) -> None:
    event = {
        "payload": {"message": "What is my balance?", "customer_id": seeded.customer_id},
        "classification": {"intent": "fraud_report", "confidence": 1.0, "summary": "x"},
    }

    response = lambda_client(functions).invoke(
        FunctionName="retail-banking-router", Payload=json.dumps(event)
    )

    result = json.loads(response["Payload"].read())
    assert result["statusCode"] == 400
    assert "classification" in json.loads(result["body"])["detail"]
