"""FastAPI dependencies as Annotated aliases: the app, the unit of work, the caller's key."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bankdesk.api.context import request_id
from bankdesk.api.metrics import Metrics
from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Permission, Role, allows
from bankdesk.store.models import ApiKey
from bankdesk.store.unit_of_work import UnitOfWork


def _bankdesk(request: Request) -> Bankdesk:
    return request.app.state.bankdesk


def _metrics(request: Request) -> Metrics:
    return request.app.state.metrics


App = Annotated[Bankdesk, Depends(_bankdesk)]
AppMetrics = Annotated[Metrics, Depends(_metrics)]


async def _unit_of_work(app: App) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(app.database.sessions, request_id=request_id.get()) as uow:
        yield uow
        await uow.commit()


# scope="function": the commit runs before the response is sent, so a failed commit is an
# error the client sees, never a 200 for something that was not stored.
Session = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]
_bearer = HTTPBearer(auto_error=False, description="An API key from `bankdesk keys create`.")


async def _current_key(
    uow: Session,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send an API key as 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    key = await uow.keys.authenticate(credentials.credentials)
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the API key is not valid or has been revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    uow.act_as(f"key:{key.id}")
    return key


CurrentKey = Annotated[ApiKey, Depends(_current_key)]


def requires(permission: Permission) -> Callable[[ApiKey], Awaitable[ApiKey]]:
    """A dependency that lets through only keys whose role grants the permission."""

    async def check(key: CurrentKey) -> ApiKey:
        if not allows(Role(key.role), permission):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"an {key.role} key may not {permission.value}"
            )
        return key

    return check


Submitter = Annotated[ApiKey, Depends(requires(Permission.SUBMIT_APPLICATIONS))]
Reader = Annotated[ApiKey, Depends(requires(Permission.READ_APPLICATIONS))]
Auditor = Annotated[ApiKey, Depends(requires(Permission.READ_AUDIT_TRAIL))]
MessageSubmitter = Annotated[ApiKey, Depends(requires(Permission.SUBMIT_MESSAGES))]
CaseReader = Annotated[ApiKey, Depends(requires(Permission.READ_CASES))]
Reviewer = Annotated[ApiKey, Depends(requires(Permission.REVIEW))]
