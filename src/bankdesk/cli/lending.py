"""`bankdesk apply` and `decide`: the lending decision flow from the terminal."""

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import run_with_database
from bankdesk.cli.errors import UnusableInput, reports_errors
from bankdesk.cli.render import decision_panel
from bankdesk.lending.reading import Reading
from bankdesk.lending.schemas import DecisionEvent, DecisionView, seed_response
from bankdesk.lending.service import record_model_calls
from bankdesk.store.unit_of_work import UnitOfWork

console = Console()

PolicyOption = Annotated[
    str | None, typer.Option("--policy", help="Policy id to decide with (see `policy list`).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@reports_errors
def apply(
    text: Annotated[
        str | None,
        typer.Argument(help="The borrower's message, or - to read it from standard input."),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the message from a file.")
    ] = None,
    as_json: JsonFlag = False,
    policy: PolicyOption = None,
) -> None:
    """Decide a loan application written in free text.

    With a model configured (BANKDESK_LLM_PROVIDER=openai) the model reads the text beside
    the offline extractor, and every call it makes is stored (see `bankdesk usage`)."""
    message = read_message(text, file)
    app = bootstrap()
    app.policies.get(policy or app.lending.policy_id)  # a wrong --policy costs no model call
    app.lending.check_length(message)
    if app.provider.info.remote:
        reading = run_with_database(app, lambda app: _read_and_record(app, message))
    else:
        reading = asyncio.run(app.reader.read(message))
    decision = app.lending.decide_reading(reading, policy_id=policy)
    if as_json:
        typer.echo(DecisionView.of(decision).model_dump_json(indent=2))
        return
    console.print(decision_panel(decision))


@reports_errors
def decide(
    event: Annotated[
        str,
        typer.Option(
            "--json",
            help="The seed's decision event as JSON "
            '(\'{"loan_id": ..., "income": ..., "monthly_debt": ..., "requested_amount": ...}\'),'
            " or - for standard input.",
        ),
    ],
    policy: PolicyOption = None,
) -> None:
    """Evaluate a structured seed-style event; prints the seed's {statusCode, body} response."""
    payload = _read_stdin() if event == "-" else event
    app = bootstrap()
    application = DecisionEvent.parse(payload).application()
    decision = app.lending.decide(application, policy_id=policy)
    typer.echo(json.dumps(seed_response(decision)))


async def _read_and_record(app: Bankdesk, message: str) -> Reading:
    reading = await app.reader.read(message)
    async with UnitOfWork(app.database.sessions, actor="cli:apply") as uow:
        await record_model_calls(uow, application_id=None, reading=reading)
        await uow.commit()
    return reading


def read_message(text: str | None, file: Path | None) -> str:
    """The application text from the argument, standard input or a file."""
    if (text is None) == (file is None):
        raise UnusableInput("give the message as an argument, - for standard input, or --file")
    if file is not None:
        try:
            message = file.read_bytes().decode("utf-8")
        except OSError as error:
            raise UnusableInput(f"cannot read {file}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise UnusableInput(f"{file} is not UTF-8 text") from None
        if not message.strip():
            raise UnusableInput(f"{file} is empty")
        return message
    message = _read_stdin() if text == "-" else str(text)
    if not message.strip():
        raise UnusableInput("the message is empty")
    return message


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableInput("standard input is not UTF-8 text") from None
