"""`bankdesk serve` and `bankdesk db upgrade`."""

from typing import Annotated

import typer
import uvicorn

from bankdesk.bootstrap import bootstrap
from bankdesk.cli.database import first_admin_key, run_with_database
from bankdesk.cli.errors import reports_errors, stderr
from bankdesk.llm.protocol import ProviderInfo
from bankdesk.store.migrations import upgrade

db_app = typer.Typer(help="Manage the database schema.")


@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Migrate the database, then serve the HTTP API."""
    app = bootstrap()
    settings = app.settings
    issued = run_with_database(app, first_admin_key)
    host, port = host or settings.host, port or settings.port
    url = f"http://{host}:{port}"
    stderr.print(f"bankdesk is serving at {url}  (API docs: {url}/docs)", markup=False)
    stderr.print(f"database: {_safe(settings.database_url)}", markup=False)
    stderr.print(f"reading applications with: {_reader(app.provider.info)}", markup=False)
    if issued is not None:
        stderr.print(
            f"first start: an admin API key was created; it is shown only once:\n  {issued.token}"
            f"\ntry: curl -H 'Authorization: Bearer {issued.token}' {url}/lending/applicants/"
            "cust_1001/history",
            markup=False,
        )
    uvicorn.run(
        "bankdesk.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
    )


@db_app.command("upgrade")
@reports_errors
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    settings = bootstrap().settings
    upgrade(settings.database_url)
    stderr.print(f"database is at the latest schema: {_safe(settings.database_url)}", markup=False)


def _reader(info: ProviderInfo) -> str:
    if not info.remote:
        return "the offline extractor (no model configured)"
    where = _safe(info.settings.get("base_url", ""))
    return f"{info.model} at {where} ({info.settings.get('api')} API), with the offline extractor"


def _safe(url: str) -> str:
    """A database URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    credentials, at, location = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{location}"
