"""The FastAPI application, built from one wired Bankdesk."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bankdesk import __version__
from bankdesk.api import banking, health, lending, reviews
from bankdesk.api.errors import install_error_handlers
from bankdesk.api.logs import configure_logging
from bankdesk.api.metrics import Metrics
from bankdesk.api.middleware import BodyLimit, RequestContext
from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.console.endpoints import install as install_console

DESCRIPTION = """
Auditable lending decisions and retail banking triage. Every request is stored as
received before it is processed; every state change is appended to a hash-linked audit
chain.

Authenticate with `Authorization: Bearer <key>` (create keys with `bankdesk keys create`).
Roles: `intake` submits and reads applications and submits customer messages, `underwriter`
reads applications and banking cases, `auditor` also reads the audit trail, `admin` may do
everything. 401 means no valid key; 403 means the key's role does not allow the operation.
"""


def create_app(bankdesk: Bankdesk | None = None) -> FastAPI:
    """The HTTP API over a wired Bankdesk (built from the environment when none is given)."""
    wired = bankdesk or bootstrap()
    configure_logging(wired.settings.log_level)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(_api: FastAPI) -> AsyncIterator[None]:
        yield
        await wired.close()

    api = FastAPI(title="bankdesk", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    api.state.bankdesk = wired
    api.state.metrics = metrics
    api.add_middleware(BodyLimit, max_bytes=wired.settings.max_body_bytes)
    api.add_middleware(RequestContext, metrics=metrics)  # outermost: sees every response
    install_error_handlers(api)
    api.include_router(health.router)
    api.include_router(lending.router)
    api.include_router(banking.router)
    api.include_router(reviews.router)
    install_console(api)
    return api
