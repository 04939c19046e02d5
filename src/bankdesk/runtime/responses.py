"""The seeds' function answers: `{"statusCode": ..., "body": "<json>"}`."""

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from bankdesk.lending.schemas import describe_errors


def respond(status: int, body: Mapping[str, Any]) -> dict[str, Any]:
    """A status and a JSON body, as the seeds' handlers return them."""
    return {"statusCode": status, "body": json.dumps(body, separators=(",", ":"))}


def refused(detail: str, *, error: str = "invalid_event", status: int = 400) -> dict[str, Any]:
    """A refusal with a message a person can act on; nothing was processed."""
    return respond(status, {"error": error, "detail": detail})


def invalid(error: ValidationError) -> dict[str, Any]:
    """A refusal listing every problem pydantic found in the event."""
    return refused(describe_errors(error))


def not_an_object(event: object) -> dict[str, Any] | None:
    """The refusal for an event that is not a JSON object, or None when it is one."""
    if isinstance(event, dict):
        return None
    return refused(f"the event must be a JSON object, not {type(event).__name__}")
