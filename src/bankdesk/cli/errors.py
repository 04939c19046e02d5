"""The one place that turns domain errors into a one-line message and an exit code."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from bankdesk.domain.errors import (
    BankdeskError,
    InvalidEvent,
    InvalidPolicy,
    InvalidSettings,
    PolicyInputRejected,
    PolicyNotApplicable,
    PolicyNotFound,
    TextTooLong,
)

USAGE_ERROR = 2  # the input cannot be used as given
CONFIG_ERROR = 3  # bankdesk itself is misconfigured (e.g. a broken policy file)


class UnusableInput(BankdeskError):
    """The command's input cannot be read (missing, unreadable or not text)."""


EXIT_CODES: dict[type[BankdeskError], int] = {
    UnusableInput: USAGE_ERROR,
    InvalidEvent: USAGE_ERROR,
    TextTooLong: USAGE_ERROR,
    PolicyNotFound: USAGE_ERROR,
    PolicyInputRejected: USAGE_ERROR,
    PolicyNotApplicable: USAGE_ERROR,
    InvalidPolicy: CONFIG_ERROR,
    InvalidSettings: CONFIG_ERROR,
}

stderr = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = USAGE_ERROR) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    stderr.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command, reporting a domain error as one line and its exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BankdeskError as error:
            code = next(
                (code for kind, code in EXIT_CODES.items() if isinstance(error, kind)),
                USAGE_ERROR,
            )
            raise fail(str(error), code) from None

    return run
