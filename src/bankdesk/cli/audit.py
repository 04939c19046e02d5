"""`bankdesk audit verify`: walk the hash chain and report the first broken link."""

import typer

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import run_with_database
from bankdesk.cli.errors import reports_errors
from bankdesk.store.audit import ChainReport, verify_chain
from bankdesk.store.unit_of_work import UnitOfWork

audit_app = typer.Typer(help="Check the audit trail.")
BROKEN = 1


@audit_app.command("verify")
@reports_errors
def verify() -> None:
    """Recompute every event's hash and link; exit 1 at the first one that does not hold."""

    async def work(app: Bankdesk) -> ChainReport:
        async with UnitOfWork(app.database.sessions) as uow:
            return await verify_chain(uow.session)

    report = run_with_database(bootstrap(), work)
    if report.intact:
        typer.echo(f"audit chain intact: {report.checked} events verified")
        return
    typer.echo(
        f"audit chain BROKEN at event {report.broken_at}: {report.problem} "
        f"({report.checked} events before it verified)"
    )
    raise typer.Exit(BROKEN)
