"""The real service, started with `bankdesk serve`, answers the lending seed's own client steps
over HTTP, on a fresh SQLite file and on a fresh PostgreSQL database."""

import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from tests.support.databases import empty_postgres_database, require_postgres
from tests.support.served import SCRIPT, Server, create_key

ADMIN_KEY_LINE = re.compile(r"^\s*(bdk_[0-9a-f]{12}_\S+)\s*$")
TOKEN = re.compile(r"bdk_[0-9a-f]{12}_\S+")
SEED_PAYLOAD = {"applicant_id": "cust_1001", "amount": 5000, "income": 90000, "employment_years": 6}
REVIEW_PAYLOAD = {
    "applicant_id": "cust_2002",
    "amount": 100000,
    "income": 50000,
    "employment_years": 0,
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def service_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a service on a fresh, empty database of each kind."""
    if not SCRIPT.exists():
        pytest.fail(f"the bankdesk console script is not installed at {SCRIPT}")
    if request.param == "sqlite":
        yield {**os.environ, "BANKDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"}
        return
    require_postgres()
    with empty_postgres_database("bankdesk_e2e") as url:
        yield {**os.environ, "BANKDESK_DATABASE_URL": url}


@pytest.fixture
def start_server(service_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[], Server]]:
    """Start `bankdesk serve` on the test's database; every server is gone after the test."""
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(service_env, tmp_path))
        return started[-1]

    yield start
    for server in started:
        server.kill()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed_evaluate_borrower(client: httpx.Client, applicant_id: str) -> str:
    """The seed's agent step, as its tutorial writes it: act on the applicant's history."""
    response = client.get(f"/lending/applicants/{applicant_id}/history")
    response.raise_for_status()
    history = response.json()
    if not history:
        return "request_more_data"
    if history[0]["decision"] == "review":
        return "manual_review"
    return "auto_process"


def test_the_seed_client_steps_over_http(
    start_server: Callable[[], Server], service_env: dict[str, str], tmp_path: Path
) -> None:
    server = start_server()
    admin_key = server.wait_for_line(ADMIN_KEY_LINE)[1]
    server.wait_until_ready()
    intake_key = create_key(
        service_env, tmp_path, role="intake", name="e2e"
    )  # while the server runs

    anonymous = httpx.post(f"{server.url}/lending/apply", json=SEED_PAYLOAD, timeout=10)
    with httpx.Client(base_url=server.url, timeout=10, headers=bearer(intake_key)) as client:
        applied = client.post("/lending/apply", json=SEED_PAYLOAD)
        reviewed = client.post("/lending/apply", json=REVIEW_PAYLOAD)
        history = client.get("/lending/applicants/cust_1001/history")
        as_admin = client.get("/lending/applicants/cust_1001/history", headers=bearer(admin_key))
        evaluations = {
            applicant: (
                client.get(f"/lending/applicants/{applicant}/evaluation").json()["evaluation"],
                seed_evaluate_borrower(client, applicant),
            )
            for applicant in ("cust_9999", "cust_1001", "cust_2002")
        }

    assert anonymous.status_code == 401
    assert applied.status_code == 200, applied.text
    assert applied.json() == {
        "applicant_id": "cust_1001",
        "risk_score": 1830.0,
        "decision": "approved",
    }
    assert reviewed.json()["decision"] == "review"
    assert history.status_code == 200
    [record] = history.json()
    assert {key: value for key, value in record.items() if key != "created_at"} == {
        "amount": 5000.0,
        "income": 90000.0,
        "employment_years": 6,
        "risk_score": 1830.0,
        "decision": "approved",
    }
    assert datetime.fromisoformat(record["created_at"]).utcoffset() is not None
    assert as_admin.json() == history.json()
    assert evaluations == {
        "cust_9999": ("request_more_data", "request_more_data"),
        "cust_1001": ("auto_process", "auto_process"),
        "cust_2002": ("manual_review", "manual_review"),
    }
    assert server.stop() == 0


def test_a_second_start_prints_no_new_admin_key(start_server: Callable[[], Server]) -> None:
    first = start_server()
    admin_key = first.wait_for_line(ADMIN_KEY_LINE)[1]
    first.wait_until_ready()
    assert first.stop() == 0

    second = start_server()
    second.wait_until_ready()
    history = httpx.get(
        f"{second.url}/lending/applicants/cust_1001/history", headers=bearer(admin_key), timeout=10
    )
    assert second.stop() == 0

    assert history.status_code == 200
    assert "bankdesk is serving at" in second.output
    assert "admin API key" not in second.output
    assert not TOKEN.search(second.output)
