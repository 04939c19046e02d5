"""`bankdesk triage`: a customer's message worked by the agents, and the intent model."""

from typing import Annotated

import click
import typer
from pydantic import ValidationError
from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text
from typer.core import TyperGroup

from bankdesk.banking.schemas import MAX_MESSAGE_CHARS, MessageRequest, MessageResponse
from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import run_with_database
from bankdesk.cli.errors import UnusableInput, reports_errors
from bankdesk.cli.triage_model import evaluate, train

console = Console()


class _MessageByDefault(TyperGroup):
    """`bankdesk triage TEXT` works the message; `train` and `eval` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["message", *args]
        return super().parse_args(ctx, args)


triage_app = typer.Typer(
    cls=_MessageByDefault,
    help="Triage a customer's message and run the agents it needs: "
    'bankdesk triage "TEXT" [--customer ID] [--json]. Also: train and eval the intent model.',
    no_args_is_help=True,
)


@triage_app.command("message", hidden=True)
@reports_errors
def message(
    text: Annotated[str, typer.Argument(help="The customer's message.")],
    customer: Annotated[
        str | None,
        typer.Option("--customer", help="The customer's id (e.g. cust_12345 in the demo data)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON object.")] = False,
) -> None:
    """Triage TEXT, run the agents it needs on the bank's data, and print the safe reply."""
    try:
        request = MessageRequest(customer_id=customer, message=text)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise UnusableInput(
            f"{problems} (a message is 1 to {MAX_MESSAGE_CHARS:,} characters, a customer id 1 "
            "to 32 printable characters)"
        ) from None
    app = bootstrap()

    async def work(app: Bankdesk) -> MessageResponse:
        return await app.banking.handle(request, channel="cli", actor="cli")

    answered = run_with_database(app, work)
    if as_json:
        typer.echo(answered.model_dump_json(indent=2))
        return
    console.print(_answer(answered))


triage_app.command("train")(train)
triage_app.command("eval")(evaluate)


def _answer(answered: MessageResponse) -> Group:
    heading = Text.assemble(
        ("intent ", "dim"), (answered.intent, "bold"), f"  confidence {answered.confidence:.2f}",
        ("  by ", "dim"), answered.triaged_by, ("  case ", "dim"), answered.case_id,
    )  # fmt: skip
    reply_style = "red" if answered.reply.escalation_required else "green"
    title = "reply (a person takes over)" if answered.reply.escalation_required else "reply"
    return Group(
        heading,
        Text(answered.summary),
        _agents(answered),
        Panel(Text(answered.reply.message), title=title, border_style=reply_style),
    )


def _agents(answered: MessageResponse) -> Text:
    """One line per agent: it reads in a narrow terminal, where a table would cut names."""
    lines = Text()
    for view in answered.agents:
        status_style = "green" if view.status == "ok" else "red"
        lines.append(view.agent, style="bold").append("  ").append(view.status, style=status_style)
        if view.error is not None:
            lines.append(f" ({view.error})")
        if view.analysis is not None:
            analysis = view.analysis
            lines.append(f"  {analysis.issue_type}, urgency {analysis.urgency.value}")
            if analysis.flags:
                lines.append(f"\n    flags: {', '.join(analysis.flags)}", style="dim")
        if view.actions:
            kinds = ", ".join(action.kind for action in view.actions)
            lines.append(f"\n    actions: {kinds}", style="dim")
        lines.append("\n")
    return lines
