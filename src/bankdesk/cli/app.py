"""The `bankdesk` Typer application: every command group registered in one place."""

import typer

from bankdesk.cli.audit import audit_app
from bankdesk.cli.banking import triage_app
from bankdesk.cli.demo import demo
from bankdesk.cli.demo_data import demo_data
from bankdesk.cli.keys import keys_app
from bankdesk.cli.lambdas import lambda_app
from bankdesk.cli.lending import apply, decide
from bankdesk.cli.policy import policy_app
from bankdesk.cli.service import db_app, serve
from bankdesk.cli.usage import usage

app = typer.Typer(
    name="bankdesk",
    help="Auditable AI agents for lending and retail banking.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(apply)
app.command()(decide)
app.command()(demo)
app.command("demo-data")(demo_data)
app.command()(serve)
app.command()(usage)
app.add_typer(policy_app, name="policy")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(triage_app, name="triage")
app.add_typer(lambda_app, name="lambda")


def main() -> None:
    """Entry point of the `bankdesk` console script."""
    app()
