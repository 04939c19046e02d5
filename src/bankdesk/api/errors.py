"""The one place domain errors become HTTP statuses with a message a person can act on."""

import logging

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bankdesk.api.context import request_id
from bankdesk.domain.errors import (
    BankdeskError,
    CaseNotFound,
    InvalidEvent,
    InvalidPolicy,
    PolicyInputRejected,
    PolicyNotApplicable,
    PolicyNotFound,
    ReviewConflict,
    ReviewNotFound,
    TextTooLong,
    UnknownCustomer,
)

log = logging.getLogger(__name__)

STATUS_CODES: dict[type[BankdeskError], int] = {
    InvalidEvent: status.HTTP_422_UNPROCESSABLE_CONTENT,
    TextTooLong: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PolicyInputRejected: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PolicyNotApplicable: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PolicyNotFound: status.HTTP_404_NOT_FOUND,
    UnknownCustomer: status.HTTP_404_NOT_FOUND,
    CaseNotFound: status.HTTP_404_NOT_FOUND,
    ReviewNotFound: status.HTTP_404_NOT_FOUND,
    ReviewConflict: status.HTTP_409_CONFLICT,
    InvalidPolicy: status.HTTP_500_INTERNAL_SERVER_ERROR,
}


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    code = next(
        (code for kind, code in STATUS_CODES.items() if isinstance(error, kind)),
        status.HTTP_400_BAD_REQUEST,
    )
    if code >= 500:
        log.error("configuration error", extra={"error": type(error).__name__})
    return JSONResponse({"detail": str(error)}, status_code=code)


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """422 naming each field and what is wrong, without echoing the input back (it may be
    large, carry personal data, or not even be encodable)."""
    errors = error.errors() if isinstance(error, RequestValidationError) else []
    detail = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")}
        for item in errors
    ]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    """A bug: JSON with the request id to quote, and a log line naming the error's type."""
    log.error("unexpected error", extra={"error": type(error).__name__})
    return JSONResponse(
        {"detail": "internal error; quote the request id", "request_id": request_id.get()},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every domain error to its status code, shape validation errors, catch the rest."""
    app.add_exception_handler(BankdeskError, _domain_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
