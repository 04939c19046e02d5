"""`bankdesk policy`: list the installed policies and show how one decides."""

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bankdesk.bootstrap import bootstrap
from bankdesk.cli.errors import reports_errors
from bankdesk.cli.render import policy_panel, short_version
from bankdesk.policy.describe import describe
from bankdesk.policy.registry import PACKAGED_POLICY_DIR

policy_app = typer.Typer(help="Inspect the decision policies (GoRules JDM graphs).")
console = Console()


@policy_app.command("list")
@reports_errors
def list_policies() -> None:
    """List installed policies with their versions (content hashes) and where they come from."""
    engine = bootstrap().policies
    table = Table("id", "version", "source", "inputs")
    for policy_id in engine.ids():
        policy = engine.get(policy_id)
        packaged = policy.path.parent == PACKAGED_POLICY_DIR
        inputs = ", ".join(field.name for field in describe(policy).inputs)
        source = "packaged" if packaged else str(policy.path)
        table.add_row(policy.id, short_version(policy.version), source, inputs)
    console.print(table)


@policy_app.command("show")
@reports_errors
def show_policy(
    policy_id: Annotated[str, typer.Argument(help="Policy id, e.g. seed-dti.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the JDM graph itself.")] = False,
) -> None:
    """Show a policy's inputs, decision tables and expressions."""
    policy = bootstrap().policies.get(policy_id)
    if as_json:
        typer.echo(json.dumps(policy.graph, indent=2, ensure_ascii=False))
        return
    console.print(policy_panel(describe(policy)))
