"""The review console at /console: sign in, the queue, a task's case file, the decision.

Pages are rendered on the server (Jinja2, every value escaped) and work without JavaScript;
each POST answers with a redirect (303) so a reload never sends a form twice, or with the
page again and a message saying what to fix (409, 422).
"""

import secrets
from datetime import UTC, timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from bankdesk.api.dependencies import App, Session
from bankdesk.console import sessions
from bankdesk.console.auth import (
    COOKIE,
    PATH,
    SIGN_IN_COOKIE,
    FormRejected,
    Posted,
    SignedIn,
    SignedInReviewer,
    SignInRequired,
    safe_after,
    sign_in_form_checked,
)
from bankdesk.console.casefile import case_file
from bankdesk.console.forms import Problem, decision_from
from bankdesk.console.pages import field_label, pretty
from bankdesk.domain.errors import ReviewConflict, ReviewNotFound, SignInRefused
from bankdesk.reviews import service
from bankdesk.reviews.schemas import PRIORITY_NAMES, ReviewOutcome
from bankdesk.store.models import utcnow
from bankdesk.store.unit_of_work import UnitOfWork

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters |= {
    "label": field_label,
    "pretty": pretty,
    "when": lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    "money": lambda amount: f"{amount:,.2f}",
}
# No script runs on a console page, and nothing is loaded from anywhere but the console.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make Origin "null"
    "Cache-Control": "no-store",
}
DONE = {
    "claimed": "You hold this task now.",
    "released": "The task is back in the queue.",
    "decided": "Your decision is recorded.",
    "awaiting_second": "Your decision is recorded; a second underwriter must confirm it.",
    "reopened": "The two decisions differ; the task is back in the queue for a fresh decision.",
    "empty": "The queue has nothing you can claim.",
    "raced": "Another reviewer claimed that task at the same moment; try again.",
}
StatusFilter = Literal["active", "open", "claimed", "awaiting_second", "resolved", "all"]
router = APIRouter(prefix=PATH, include_in_schema=False)


def page(
    request: Request, name: str, code: int = status.HTTP_200_OK, **context: object
) -> Response:
    """A console page, with the headers every console page carries."""
    response = templates.TemplateResponse(request, name, context, status_code=code)
    response.headers.update(SECURITY_HEADERS)
    return response


def redirect(to: str) -> RedirectResponse:
    """See Other: the browser loads `to` with a GET."""
    response = RedirectResponse(to, status_code=status.HTTP_303_SEE_OTHER)
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, after: str | None = None) -> Response:
    """The sign-in form (its token is set in a cookie beside it)."""
    return _sign_in_form(request, after=safe_after(after))


def _sign_in_form(
    request: Request, *, after: str, error: str | None = None, code: int = status.HTTP_200_OK
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(request, "sign_in.html", code, csrf=token, after=after, error=error)
    response.set_cookie(
        SIGN_IN_COOKIE, token, max_age=3600, path=PATH, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/sign-in")
async def sign_in(
    request: Request,
    uow: Session,
    app: App,
    key: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    after: Annotated[str, Form(max_length=500)] = PATH,
) -> Response:
    """Exchange an API key for a session cookie (the key is never stored in the browser)."""
    sign_in_form_checked(request, csrf)
    lifetime = timedelta(hours=app.settings.console_session_hours)
    try:
        opened = await sessions.sign_in(uow, key, now=utcnow(), lifetime=lifetime)
    except SignInRefused as refused:
        code = status.HTTP_401_UNAUTHORIZED
        return _sign_in_form(request, after=safe_after(after), error=str(refused), code=code)
    response = redirect(safe_after(after))
    response.set_cookie(
        COOKIE, opened.token, max_age=int(lifetime.total_seconds()), path=PATH, httponly=True,
        samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    response.delete_cookie(SIGN_IN_COOKIE, path=PATH)
    return response


@router.post("/sign-out")
async def sign_out(reviewer: Posted, uow: Session) -> Response:
    """End the session and forget its cookie."""
    await sessions.sign_out(uow, reviewer.session, now=utcnow())
    response = redirect(f"{PATH}/sign-in")
    response.delete_cookie(COOKIE, path=PATH)
    return response


@router.get("")
async def queue(
    request: Request,
    reviewer: SignedIn,
    uow: Session,
    status_filter: Annotated[StatusFilter, Query(alias="status")] = "active",
    kind: Literal["application", "case", ""] = "",
    priority: Annotated[str, Query(max_length=1)] = "",
    mine: bool = False,
    done: str | None = None,
) -> Response:
    """The queue in the order to work it, with counts and filters."""
    now = utcnow()
    # The form sends priority= for "Any"; anything but a known priority means any.
    level = int(priority) if priority.isdigit() and int(priority) in PRIORITY_NAMES else None
    tasks = await uow.reviews.queue(
        now=now, status=None if status_filter == "all" else status_filter, kind=kind or None,
        priority=level, assignee=reviewer.key.id if mine else None,
    )  # fmt: skip
    return page(
        request, "queue.html", me=reviewer, csrf=reviewer.session.csrf_token, now=now,
        items=await service.views(uow, tasks, now=now),
        counts=await uow.reviews.counts(now=now), names=await _names(uow),
        filters={"status": status_filter, "kind": kind, "priority": level, "mine": mine},
        priorities=PRIORITY_NAMES, done=DONE.get(done or ""),
    )  # fmt: skip


@router.post("/claim-next")
async def claim_next(reviewer: Posted, uow: Session, app: App) -> Response:
    """Claim the first task you may take and open it."""
    minutes = app.settings.review_claim_minutes
    try:
        claimed = await service.claim_next(uow, reviewer.key.id, minutes=minutes)
    except ReviewConflict:  # another reviewer took it between the look and the claim
        return redirect(f"{PATH}?done=raced")
    if claimed is None:
        return redirect(f"{PATH}?done=empty")
    return redirect(f"{PATH}/reviews/{claimed.id}?done=claimed")


@router.get("/reviews/{task_id}")
async def task_page(
    task_id: str, request: Request, reviewer: SignedIn, uow: Session, done: str | None = None
) -> Response:
    """A task's case file, its decisions and the decision form."""
    return await _task_page(request, uow, reviewer, task_id, done=DONE.get(done or ""))


async def _task_page(
    request: Request,
    uow: UnitOfWork,
    reviewer: SignedInReviewer,
    task_id: str,
    *,
    code: int = status.HTTP_200_OK,
    done: str | None = None,
    errors: list[Problem] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    task = await uow.reviews.get(task_id) if _well_formed(task_id) else None
    if task is None:
        return page(request, "missing.html", status.HTTP_404_NOT_FOUND, me=reviewer,
                    csrf=reviewer.session.csrf_token, task_id=task_id)  # fmt: skip
    view = await service.view(uow, task)
    me = reviewer.key.id
    return page(
        request, "task.html", code, me=reviewer, csrf=reviewer.session.csrf_token,
        file=await case_file(uow, task, view, reviewer.key), names=await _names(uow),
        holds=view.claimed_by == me and view.status != "resolved",
        can_claim=view.claimed_by is None and _claimable(view.status, view.first_reviewer, me),
        done=done, errors=errors or [], form=form or {}, outcomes=list(ReviewOutcome),
    )  # fmt: skip


def _well_formed(task_id: str) -> bool:
    """Whether the id could name a task at all (no database is asked about control bytes)."""
    return 0 < len(task_id) <= 64 and task_id.isprintable()


def _claimable(status: str, first_reviewer: str | None, me: str) -> bool:
    """Open tasks; and tasks awaiting a second underwriter, for anyone but the first."""
    return status == "open" or (status == "awaiting_second" and first_reviewer != me)


@router.post("/reviews/{task_id}/claim")
async def claim(
    task_id: str, request: Request, reviewer: Posted, uow: Session, app: App
) -> Response:
    """Take the task (409 with the reason when you may not)."""
    if not _well_formed(task_id):
        return await _task_page(request, uow, reviewer, task_id)
    minutes = app.settings.review_claim_minutes
    try:
        await service.claim(uow, task_id, reviewer.key.id, minutes=minutes)
    except (ReviewConflict, ReviewNotFound) as refused:
        return await _refused(request, uow, reviewer, task_id, refused)
    return redirect(f"{PATH}/reviews/{task_id}?done=claimed")


@router.post("/reviews/{task_id}/release")
async def release(task_id: str, request: Request, reviewer: Posted, uow: Session) -> Response:
    """Hand the task back to the queue."""
    if not _well_formed(task_id):
        return await _task_page(request, uow, reviewer, task_id)
    try:
        await service.release(uow, task_id, reviewer.key.id)
    except (ReviewConflict, ReviewNotFound) as refused:
        return await _refused(request, uow, reviewer, task_id, refused)
    return redirect(f"{PATH}?done=released")


@router.post("/reviews/{task_id}/decision")
async def decide(
    task_id: str,
    request: Request,
    reviewer: Posted,
    uow: Session,
    app: App,
    outcome: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
    reason_codes: Annotated[str, Form()] = "",
) -> Response:
    """Record the decision; with a message saying what to fix (422) when it is incomplete."""
    # The form's own limits are the decision's (the body limit caps what is read at all).
    if not _well_formed(task_id):
        return await _task_page(request, uow, reviewer, task_id)
    form = {"outcome": outcome, "justification": justification, "reason_codes": reason_codes}
    decision = decision_from(
        outcome=outcome, justification=justification, reason_codes=reason_codes
    )
    if isinstance(decision, list):
        return await _task_page(
            request, uow, reviewer, task_id, code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            errors=decision, form=form,
        )  # fmt: skip
    try:
        decided = await service.decide(
            uow, task_id, reviewer.key.id, decision,
            four_eyes_amount=app.settings.review_four_eyes_amount,
        )  # fmt: skip
    except (ReviewConflict, ReviewNotFound) as refused:
        return await _refused(request, uow, reviewer, task_id, refused, form=form)
    done = {"awaiting_second": "awaiting_second", "open": "reopened"}.get(decided.status, "decided")
    return redirect(f"{PATH}/reviews/{task_id}?done={done}")


async def _refused(
    request: Request,
    uow: UnitOfWork,
    reviewer: SignedInReviewer,
    task_id: str,
    refused: Exception,
    *,
    form: dict[str, str] | None = None,
) -> Response:
    # A refused action wrote nothing: the guarded update found nothing to change.
    code = (
        status.HTTP_404_NOT_FOUND
        if isinstance(refused, ReviewNotFound)
        else status.HTTP_409_CONFLICT
    )
    return await _task_page(
        request, uow, reviewer, task_id, code=code, errors=[Problem("task", str(refused))],
        form=form,
    )  # fmt: skip


async def _names(uow: UnitOfWork) -> dict[str, str]:
    """Key ids to the names they were created with, to say who holds and who decided."""
    return {key.id: key.name for key in await uow.keys.all()}


async def _sign_in_required(request: Request, error: Exception) -> Response:
    after = error.after if isinstance(error, SignInRequired) else PATH
    return redirect(f"{PATH}/sign-in?{urlencode({'after': after})}")


async def _form_rejected(request: Request, error: Exception) -> Response:
    return page(request, "rejected.html", status.HTTP_403_FORBIDDEN, message=str(error))


def install(api: FastAPI) -> None:
    """Serve the console from the API's app: its pages, its stylesheet, its error pages."""
    api.include_router(router)
    api.mount(f"{PATH}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    api.add_exception_handler(SignInRequired, _sign_in_required)
    api.add_exception_handler(FormRejected, _form_rejected)
