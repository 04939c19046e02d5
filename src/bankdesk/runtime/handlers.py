"""AWS Lambda entry points: `bankdesk.runtime.handlers.<name>`, one per seed function, and
`api` for the HTTP API (FastAPI through Mangum).

Each process wires bankdesk once, from its environment (BANKDESK_*), on its first
invocation, and runs every invocation on one event loop of its own, so the database pool
is reused while the sandbox is warm. A handler returns the seeds' `{"statusCode", "body"}`;
a bad event gets a 400 body; anything else unhandled is reported by the runtime as a
FunctionError, as Lambda does, naming only the error's type.
"""

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from typing import Any

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.runtime.executor import LENDING_DECISION, ROUTER
from bankdesk.runtime.functions import FUNCTIONS
from bankdesk.runtime.secrets import load_secrets

Handler = Callable[[Any, Any], dict[str, Any]]
log = logging.getLogger(__name__)


@functools.cache
def _loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # Mangum runs the API on the current loop: this one
    return loop


@functools.cache
def _app() -> Bankdesk:
    load_secrets(os.environ)
    return bootstrap()


class HandlerError(Exception):
    """What the runtime reports when a function fails: the error's type, never its message
    (a database error can quote the customer's words or a connection string)."""


def handler_for(name: str) -> Handler:
    """The Lambda handler of the function the seeds call `name`."""
    function = FUNCTIONS[name]

    def handle(event: Any, context: Any) -> dict[str, Any]:
        try:
            return _loop().run_until_complete(function(_app(), event))
        except Exception as error:
            kind = type(error).__name__
            log.error("function failed", extra={"function": name, "error": kind})
            raise HandlerError(f"{kind} in {name}; see the function's log") from None

    handle.__name__ = name.replace("-", "_")
    handle.__doc__ = f"The `{name}` function."
    return handle


lending_decision_function = handler_for(LENDING_DECISION)
retail_banking_router = handler_for(ROUTER)
fraud_check_agent = handler_for("fraud-check-agent")
customer_service_agent = handler_for("customer-service-agent")
loan_assistant_agent = handler_for("loan-assistant-agent")
account_summary_agent = handler_for("account-summary-agent")
general_support_agent = handler_for("general-support-agent")
compliance_review_agent = handler_for("compliance-review-agent")


@functools.cache
def _api() -> Handler:
    from mangum import Mangum

    from bankdesk.api.app import create_app

    _loop()
    return Mangum(create_app(_app()), lifespan="off")


def api(event: Any, context: Any) -> dict[str, Any]:
    """The HTTP API (API Gateway HTTP API events) through Mangum."""
    return _api()(event, context)
