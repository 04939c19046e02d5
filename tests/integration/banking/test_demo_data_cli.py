"""Loading the demo bank: its rows and audit event land on SQLite and PostgreSQL, a second
load is refused, `bankdesk demo-data` prints what to try, and `serve`'s first start loads one."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bankdesk.banking.demo_data import DemoDataExists, demo_bank, load_demo_data
from bankdesk.bootstrap import Bankdesk
from bankdesk.cli.demo_data import demo_data
from bankdesk.cli.service import first_start, first_start_notes
from bankdesk.settings import get_settings
from bankdesk.store.audit import verify_chain
from bankdesk.store.banking_models import DepositAccount, Transaction
from bankdesk.store.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."


async def load(app: Bankdesk, *, customers: int = 6) -> None:
    async with UnitOfWork(app.database.sessions, actor="test") as uow:
        await load_demo_data(uow, bank=demo_bank(customers=customers, seed=7, as_of=NOW))
        await uow.commit()


async def test_the_rows_and_an_audit_event_land(bankdesk: Bankdesk) -> None:
    bank = demo_bank(customers=6, seed=7, as_of=NOW)
    expected = {row.id: row.balance for row in bank.rows if isinstance(row, DepositAccount)}
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        await load_demo_data(uow, bank=bank)
        await uow.commit()

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert await uow.customers.count() == 6
        accounts = await uow.customers.accounts("cust_12345")
        history = await uow.customers.transactions("cust_12345", since=NOW.replace(hour=0))
        loans = await uow.customers.loans("cust_12345")
        trail = await uow.audit.trail("demo_data", "seed-7")
        chain = await verify_chain(uow.session)

    assert {account.id: account.balance for account in accounts} == {
        key: value for key, value in expected.items() if key.startswith("acct_12345")
    }
    unfamiliar = await _transaction(bankdesk, "tx_12345_unfamiliar")
    assert unfamiliar.occurred_at.tzinfo is not None and unfamiliar.amount < Decimal(-200)
    assert all(item.occurred_at < NOW for item in history)
    assert len(loans) == 1 and len(loans[0].installments) == loans[0].term_months
    assert [event.action for event in trail] == ["demo_data.loaded"]
    assert trail[0].after["seed"] == 7
    assert trail[0].after["as_of"] == NOW.isoformat()
    assert trail[0].after["counts"] == bank.counts.as_dict()
    assert trail[0].after["showcase"][0] == "cust_12345"
    assert chain.intact


async def test_a_second_load_is_refused_and_changes_nothing(bankdesk: Bankdesk) -> None:
    await load(bankdesk)

    with pytest.raises(DemoDataExists, match=r"already has 6 customers.*BANKDESK_DATABASE_URL"):
        await load(bankdesk, customers=3)

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert await uow.customers.count() == 6
        assert len(await uow.audit.trail("demo_data", "seed-7")) == 1


async def test_the_first_start_loads_a_small_demo_bank_once(bankdesk: Bankdesk) -> None:
    started = await first_start(bankdesk, now=NOW, demo_data=True)
    again = await first_start(bankdesk, now=NOW, demo_data=True)

    assert started.key is not None and started.demo is not None
    assert started.demo.counts.customers == 25
    assert (again.key, again.demo) == (None, None)
    notes = "\n".join(first_start_notes(started, url="http://127.0.0.1:8000"))
    assert "cust_12345" in notes
    assert "curl -X POST http://127.0.0.1:8000/banking/messages" in notes
    assert f"Bearer {started.key.token}" in notes
    assert MESSAGE in notes
    assert first_start_notes(again, url="http://127.0.0.1:8000") == []
    assert "opened 5 review tasks; work them at http://127.0.0.1:8000/console" in notes
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert await uow.customers.count() == 25
        tasks = await uow.reviews.queue(now=NOW + timedelta(minutes=5))
        # The first showcase customer's message is left for the person trying the service.
        assert not await uow.cases.for_customer("cust_12345")
    assert started.review_tasks == len(tasks) == 5
    assert sorted(task.reason for task in tasks) == [
        "decline", "decline", "escalated", "incomplete", "review"
    ]  # fmt: skip


async def test_without_the_demo_flag_a_first_start_adds_no_customers(bankdesk: Bankdesk) -> None:
    started = await first_start(bankdesk, now=NOW)

    assert started.key is not None and started.demo is None
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert await uow.customers.count() == 0


@pytest.fixture
def run_demo_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run `demo-data ARGS...` in this process against a new SQLite file."""
    monkeypatch.setenv("BANKDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    get_settings.cache_clear()  # the settings are read once per process
    cli = typer.Typer()
    cli.command("demo-data")(demo_data)
    cli.callback()(lambda: None)  # a group, so the command is called by its name
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, ["demo-data", *args], env={"COLUMNS": "200"})
    get_settings.cache_clear()


def test_the_command_loads_the_bank_says_what_to_try_and_loads_only_once(run_demo_data) -> None:
    done = run_demo_data("--customers", "6", "--seed", "7", "--as-of", "2026-11-22T11:30:00+01:00")
    again = run_demo_data("--customers", "3")

    assert done.exit_code == 0, done.output
    assert "as of 2026-11-22 10:30 UTC" in done.stdout
    assert re.search(r"^ *customers +6 *$", done.stdout, re.MULTILINE)
    assert f'bankdesk triage "{MESSAGE}" --customer cust_12345' in done.stdout
    for customer_id in ("cust_12345", "cust_10002", "cust_10003", "cust_10004"):
        assert f"--customer {customer_id}" in done.stdout
    assert again.exit_code == 2
    assert "error: the database already has 6 customers" in again.stderr
    assert "BANKDESK_DATABASE_URL" in again.stderr


async def _transaction(app: Bankdesk, transaction_id: str):
    async with UnitOfWork(app.database.sessions) as uow:
        found = await uow.session.get(Transaction, transaction_id)
    assert found is not None
    return found
