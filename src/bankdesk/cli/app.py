"""The `bankdesk` Typer application: every command group registered in one place."""

import typer

from bankdesk.cli.demo import demo
from bankdesk.cli.lending import apply, decide
from bankdesk.cli.policy import policy_app

app = typer.Typer(
    name="bankdesk",
    help="Auditable AI agents for lending and retail banking.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(apply)
app.command()(decide)
app.command()(demo)
app.add_typer(policy_app, name="policy")


def main() -> None:
    """Entry point of the `bankdesk` console script."""
    app()
