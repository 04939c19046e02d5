"""Who is signed in to the console, and whether a form really came from it.

The session cookie is HttpOnly and SameSite=Strict, scoped to /console, and Secure when the
console is served over HTTPS. Every form that changes something carries the session's CSRF
token (a synchronizer token, compared in constant time), and a request whose Origin names
another site is refused before the token is even read. The sign-in form, which has no
session yet, carries a token that must match a cookie set with it (a double submit).
"""

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Form, Request

from bankdesk.api.dependencies import Session
from bankdesk.console.sessions import may_review
from bankdesk.store.models import ApiKey, ConsoleSession, utcnow

COOKIE = "bankdesk_console"
SIGN_IN_COOKIE = "bankdesk_sign_in"
PATH = "/console"


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page, then back to `after`."""

    def __init__(self, after: str) -> None:
        self.after = after
        super().__init__(after)


class FormRejected(Exception):
    """A form without this session's CSRF token, or posted from another site."""


@dataclass(frozen=True, slots=True)
class SignedInReviewer:
    """The signed-in person's key and session."""

    key: ApiKey
    session: ConsoleSession


async def _signed_in(request: Request, uow: Session) -> SignedInReviewer:
    token = request.cookies.get(COOKIE)
    found = await uow.console_sessions.find(token, now=utcnow()) if token else None
    if found is None or not may_review(found[1]):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(here if request.method == "GET" else PATH)
    session, key = found
    uow.act_as(f"key:{key.id}")
    return SignedInReviewer(key=key, session=session)


SignedIn = Annotated[SignedInReviewer, Depends(_signed_in)]


def same_site(request: Request) -> None:
    """Refuse a request that the browser says came from another site."""
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        raise FormRejected("This form was sent from another site; it was not accepted.")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise FormRejected("This form was sent from another site; it was not accepted.")


def _token_matches(sent: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(sent.encode(), expected.encode())


async def _posted(
    request: Request, reviewer: SignedIn, csrf: Annotated[str, Form(max_length=100)] = ""
) -> SignedInReviewer:
    same_site(request)
    if not _token_matches(csrf, reviewer.session.csrf_token):
        raise FormRejected(
            "This form has expired (you may have signed out and in again since it was "
            "loaded); reload the page and try again."
        )
    return reviewer


Posted = Annotated[SignedInReviewer, Depends(_posted)]


def sign_in_form_checked(request: Request, csrf: str) -> None:
    """The sign-in form's token must match the cookie set with the form."""
    same_site(request)
    if not _token_matches(csrf, request.cookies.get(SIGN_IN_COOKIE)):
        raise FormRejected(
            "The sign-in form has expired or your browser did not keep its cookie; reload "
            "the page and sign in again (the console needs cookies)."
        )


def safe_after(after: str | None) -> str:
    """Where to go after signing in: a console page, never another site."""
    inside = after is not None and (after == PATH or after.startswith((f"{PATH}/", f"{PATH}?")))
    if not after or not inside or "\\" in after:
        return PATH
    parts = urlsplit(after)
    if parts.scheme or parts.netloc:
        return PATH
    return after
