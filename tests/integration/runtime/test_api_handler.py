"""The HTTP API served from Lambda: `bankdesk.runtime.handlers.api` (Mangum) answers API
Gateway HTTP API events, in a process of its own as a Lambda sandbox would run it."""

import json
import subprocess
import sys

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Role
from bankdesk.store.unit_of_work import UnitOfWork

CALL = """
import json, sys
from bankdesk.runtime.handlers import api
for event in json.load(sys.stdin):
    print(json.dumps(api(event, None)))
"""


def _event(method: str, path: str, *, token: str | None = None, body: object = None) -> dict:
    headers = {"content-type": "application/json", "host": "api.example.com"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "10.0.0.1",
            },
            "requestId": "test",
            "stage": "$default",
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


async def test_api_gateway_events_reach_the_fastapi_app(bankdesk: Bankdesk, database_url) -> None:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        issued = await uow.keys.create(role=Role.INTAKE, name="lambda")
        await uow.commit()
    seed_event = {"loan_id": "LN-9", "borrower_name": "Maya Chen", "income": 7200,
                  "monthly_debt": 1800, "requested_amount": 45000}  # fmt: skip
    events = [
        _event("GET", "/health/ready"),
        _event("POST", "/lending/decide", token=issued.token, body=seed_event),
        _event("POST", "/lending/decide", body=seed_event),
    ]

    done = subprocess.run(
        [sys.executable, "-c", CALL],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=120,
        env={"BANKDESK_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        check=True,
    )

    ready, decided, anonymous = (json.loads(line) for line in done.stdout.splitlines())
    assert ready["statusCode"] == 200
    assert decided["statusCode"] == 201, decided["body"]
    assert json.loads(decided["body"])["decision"] == "approve"
    assert anonymous["statusCode"] == 401
