"""`bankdesk serve` and `bankdesk db upgrade`."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import typer
import uvicorn

from bankdesk.banking.demo_data import DemoBank
from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.cli.database import first_admin_key, run_with_database
from bankdesk.cli.demo_data import demo_bank_if_empty
from bankdesk.cli.errors import reports_errors, stderr
from bankdesk.llm.protocol import ProviderInfo
from bankdesk.reviews.demo import demo_review_work
from bankdesk.settings import Settings
from bankdesk.store.keys import IssuedKey
from bankdesk.store.migrations import upgrade

db_app = typer.Typer(help="Manage the database schema.")


@dataclass(frozen=True, slots=True)
class FirstStart:
    """What a start created: the first admin key, a demo bank (None when already there)."""

    key: IssuedKey | None
    demo: DemoBank | None
    review_tasks: int = 0


async def first_start(app: Bankdesk, *, now: datetime, demo_data: bool = False) -> FirstStart:
    """On a new database, an admin key and (when asked) a small demo bank as of now."""
    # The demo bank first: were loading it to fail, the key (shown only once) is not yet made.
    demo = await demo_bank_if_empty(app, as_of=now) if demo_data else None
    tasks = 0
    if demo is not None:
        # The first showcase customer's message is left for the person trying the service.
        messages = {showcase.customer_id: showcase.message for showcase in demo.showcase[1:]}
        tasks = await demo_review_work(app, messages=messages)
    key = await first_admin_key(app)
    return FirstStart(key=key, demo=demo, review_tasks=tasks)


def first_start_notes(started: FirstStart, *, url: str) -> list[str]:
    """What to tell the person starting the server about what the first start created."""
    notes = []
    if started.key is not None:
        token = started.key.token
        notes.append(
            f"first start: an admin API key was created; it is shown only once:\n  {token}"
            f"\ntry: curl -H 'Authorization: Bearer {token}' {url}/lending/applicants/"
            "cust_1001/history"
        )
    if started.demo is not None and started.demo.showcase:
        token = started.key.token if started.key else "<your API key>"
        notes.append(_demo_note(started.demo, token=token, url=url))
    if started.review_tasks:
        notes.append(
            f"first start: demo loan requests and customer messages opened "
            f"{started.review_tasks} review tasks; work them at {url}/console (sign in with "
            "the admin key above; `bankdesk keys create --role underwriter --name <name>` "
            "makes a second underwriter for four-eyes approvals)"
        )
    return notes


@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    demo_data: Annotated[
        bool,
        typer.Option(
            "--demo-data",
            help="Load a small demo bank when the database has no customers (`make run` does); "
            "never on a bank's own database.",
        ),
    ] = False,
) -> None:
    """Migrate the database, then serve the HTTP API."""
    app = bootstrap()
    settings = app.settings
    started = run_with_database(
        app, partial(first_start, now=datetime.now(UTC), demo_data=demo_data)
    )
    host, port = host or settings.host, port or settings.port
    url = f"http://{host}:{port}"
    stderr.print(f"bankdesk is serving at {url}  (API docs: {url}/docs)", markup=False)
    stderr.print(f"review console: {url}/console", markup=False)
    stderr.print(f"database: {_safe(settings.database_url)}", markup=False)
    stderr.print(f"reading applications with: {_reader(app.provider.info)}", markup=False)
    stderr.print(f"agents and the policy step run: {_executor(settings)}", markup=False)
    for note in first_start_notes(started, url=url):
        stderr.print(note, markup=False)
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


def _demo_note(demo: DemoBank, *, token: str, url: str) -> str:
    showcase = demo.showcase[0]
    body = json.dumps({"customer_id": showcase.customer_id, "message": showcase.message})
    return (
        f"first start: loaded a demo bank ({demo.counts.customers} customers, seed {demo.seed});"
        f" {showcase.customer_id} has an unfamiliar card payment from last night, try:\n"
        f"  curl -X POST {url}/banking/messages -H 'Authorization: Bearer {token}'"
        f" -H 'Content-Type: application/json' -d '{body}'"
    )


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


def _executor(settings: Settings) -> str:
    if settings.executor == "local":
        return "in this process"
    where = settings.lambda_endpoint_url or "boto3's endpoint for the region"
    return f"on AWS Lambda ({where}, prefix {settings.lambda_function_prefix!r})"
