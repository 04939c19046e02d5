"""`bankdesk usage`: model calls, tokens and estimated cost by day and model."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import run_with_database
from bankdesk.cli.errors import reports_errors
from bankdesk.store.model_calls import Usage
from bankdesk.store.unit_of_work import UnitOfWork

console = Console()


@reports_errors
def usage(
    days: Annotated[int, typer.Option(min=1, help="How many days back, today included.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Model calls, failures, tokens and estimated cost (USD) by day (UTC) and model."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=days - 1)

    async def work(app: Bankdesk) -> list[Usage]:
        async with UnitOfWork(app.database.sessions) as uow:
            return await uow.model_calls.usage(since=since)

    rows = run_with_database(bootstrap(), work)
    if as_json:
        typer.echo(json.dumps(_as_json(rows, since), indent=2))
        return
    table = Table("day", "provider", "model", "calls", "failed", "tokens in", "tokens out",
                  "cost (USD)", title=f"Model usage since {since:%Y-%m-%d}")  # fmt: skip
    for row in rows:
        cost = f"{row.cost:.6f}" + (f" (+{row.unpriced} unpriced)" if row.unpriced else "")
        table.add_row(f"{row.day}", row.provider, row.model, f"{row.calls:,}", f"{row.failed:,}",
                      f"{row.tokens_in:,}", f"{row.tokens_out:,}", cost)  # fmt: skip
    if not rows:
        table.caption = "no model calls recorded"
    console.print(table)


def _as_json(rows: list[Usage], since: datetime) -> dict[str, object]:
    return {
        "since": since.date().isoformat(),
        "days": [
            {
                "day": row.day.isoformat(),
                "provider": row.provider,
                "model": row.model,
                "calls": row.calls,
                "failed": row.failed,
                "tokens_in": row.tokens_in,
                "tokens_out": row.tokens_out,
                "cost_usd": str(row.cost),
                "unpriced_calls": row.unpriced,
            }
            for row in rows
        ],
        "total": {
            "calls": sum(row.calls for row in rows),
            "tokens_in": sum(row.tokens_in for row in rows),
            "tokens_out": sum(row.tokens_out for row in rows),
            "cost_usd": str(sum((row.cost for row in rows), Decimal(0))),
        },
    }
