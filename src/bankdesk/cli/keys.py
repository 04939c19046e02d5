"""`bankdesk keys`: create, list and revoke API keys."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import issue_key, run_with_database
from bankdesk.cli.errors import UnusableInput, reports_errors, stderr
from bankdesk.domain.access import Role
from bankdesk.store.models import ApiKey
from bankdesk.store.unit_of_work import UnitOfWork

keys_app = typer.Typer(help="Create, list and revoke API keys.")
console = Console()


@keys_app.command("create")
@reports_errors
def create(
    role: Annotated[Role, typer.Option(help="What the key may do.")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "unnamed",
) -> None:
    """Create a key and print it once: the key alone on stdout, everything else on stderr."""

    async def work(app: Bankdesk) -> str:
        issued = await issue_key(app, role=role, name=name, actor="cli")
        return issued.token

    token = run_with_database(bootstrap(), work)
    typer.echo(token)
    stderr.print(
        f"created a {role.value} key named {name!r}; it cannot be shown again", markup=False
    )


@keys_app.command("list")
@reports_errors
def list_keys() -> None:
    """List keys (never the keys themselves)."""

    async def work(app: Bankdesk) -> list[ApiKey]:
        async with UnitOfWork(app.database.sessions) as uow:
            return await uow.keys.all()

    table = Table("id", "name", "role", "created", "revoked")
    for key in run_with_database(bootstrap(), work):
        revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else ""
        table.add_row(key.id, key.name, key.role, key.created_at.isoformat(timespec="seconds"),
                      revoked)  # fmt: skip
    console.print(table)


@keys_app.command("revoke")
@reports_errors
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id (see `keys list`).")]) -> None:
    """Stop a key from authenticating."""

    async def work(app: Bankdesk) -> None:
        async with UnitOfWork(app.database.sessions, actor="cli") as uow:
            key = await uow.keys.get(key_id)
            if key is None:
                raise UnusableInput(f"no API key with id {key_id!r}")
            await uow.keys.revoke(key)
            await uow.audit.record(
                "api_key.revoked", entity_type="api_key", entity_id=key.id,
                before={"revoked": False}, after={"revoked": True},
            )  # fmt: skip
            await uow.commit()

    run_with_database(bootstrap(), work)
    stderr.print(f"revoked key {key_id}", markup=False)
