"""JSON-lines logging with the request id; values from requests are never logged.

Personal data that reaches a log line anyway (in a message, its arguments or an `extra`
field) is masked by `RedactingFilter` before the line is written.
"""

import json
import logging
from datetime import UTC, datetime

from bankdesk.api.context import request_id
from bankdesk.banking.redaction import RedactingFilter

# Attributes every LogRecord has; anything else was passed in `extra` and is logged as a field.
# uvicorn's "color_message" repeats the message with terminal colour codes.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: an exception's message can quote a borrower's text.
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    """Send bankdesk's and uvicorn's logs to stderr as JSON lines, personal data masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    # On the handler rather than the loggers: a logger's filters skip records propagated
    # from its children, a handler's see every record it writes.
    handler.addFilter(RedactingFilter())
    for name in ("bankdesk", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # bankdesk logs each request itself
