"""`bankdesk demo-data`: load a deterministic demo bank into an empty database."""

import shlex
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bankdesk.banking.demo_data import (
    MAX_CUSTOMERS,
    DemoBank,
    DemoDataExists,
    demo_bank,
    load_demo_data,
)
from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import run_with_database
from bankdesk.cli.errors import reports_errors
from bankdesk.store.unit_of_work import UnitOfWork

console = Console(highlight=False, soft_wrap=True)
FIRST_START_CUSTOMERS = 25
DEFAULT_SEED = 7
TIMES = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


async def load_new_demo_bank(
    app: Bankdesk, *, customers: int, seed: int, as_of: datetime, actor: str
) -> DemoBank:
    """Build a demo bank and store it, committed; refused when the database has customers."""
    async with UnitOfWork(app.database.sessions, actor=actor) as uow:
        existing = await uow.customers.count()
        if existing:  # checked first: building a large bank only to refuse it wastes a minute
            raise DemoDataExists(existing)
        bank = demo_bank(customers=customers, seed=seed, as_of=as_of)
        await load_demo_data(uow, bank=bank)
        await uow.commit()
    return bank


async def demo_bank_if_empty(app: Bankdesk, *, as_of: datetime) -> DemoBank | None:
    """A small demo bank loaded into a database without customers; None when it has some."""
    async with UnitOfWork(app.database.sessions) as uow:
        if await uow.customers.count():
            return None
    return await load_new_demo_bank(
        app, customers=FIRST_START_CUSTOMERS, seed=DEFAULT_SEED, as_of=as_of, actor="serve"
    )


@reports_errors
def demo_data(
    customers: Annotated[
        int, typer.Option(min=1, max=MAX_CUSTOMERS, help="How many customers to create.")
    ] = FIRST_START_CUSTOMERS,
    seed: Annotated[
        int, typer.Option(help="The same seed and --as-of always give the same bank.")
    ] = DEFAULT_SEED,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            formats=TIMES,
            metavar="ISO-8601",
            help="The bank's 'now' (ISO 8601; UTC unless an offset is given). Default: now.",
        ),
    ] = None,
) -> None:
    """Load a demo bank (customers, accounts, cards, transactions, loans) into an empty database."""
    app = bootstrap()
    moment = datetime.now(UTC) if as_of is None else _utc(as_of)
    work = partial(load_new_demo_bank, customers=customers, seed=seed, as_of=moment, actor="cli")
    bank = run_with_database(app, work)
    console.print(
        f"Loaded a demo bank: seed {bank.seed}, as of {bank.as_of:%Y-%m-%d %H:%M} UTC",
        markup=False,
    )
    console.print(counts_table(bank))
    for line in showcase_lines(bank):
        console.print(line, markup=False)


def counts_table(bank: DemoBank) -> Table:
    """How many rows of each kind the demo bank has."""
    table = Table(show_header=False, box=None, padding=(0, 2))
    for name, value in bank.counts.as_dict().items():
        table.add_row(name, f"{value:,}")
    return table


def showcase_lines(bank: DemoBank) -> list[str]:
    """One line per showcase customer on what their data holds, and a command to try."""
    lines = ["", "Showcase customers:"] if bank.showcase else []
    for item in bank.showcase:
        lines.append(f"  {item.customer_id}  {item.story}")
        command = f"bankdesk triage {_quoted(item.message)} --customer {item.customer_id}"
        lines.append(f"    try: {command}")
    return lines


def _quoted(text: str) -> str:
    # Double quotes read best and are safe unless the text holds what a shell expands there.
    return shlex.quote(text) if set(text) & set('"$`\\!') else f'"{text}"'


def _utc(moment: datetime) -> datetime:
    # A time given without an offset is read as UTC, the bank's clock.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
