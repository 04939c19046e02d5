"""What running the functions on AWS Lambda costs in latency, against running them in process.

Starts `bankdesk lambda serve` on a fresh SQLite bank, then times, in the same run:
- baseline: the lending decision function's policy step through the in-process executor;
- the same call through boto3 to the local endpoint (a warm sandbox: HTTP, the Runtime API,
  awslambdaric, JSON both ways);
- a cold start: the first call after a new configuration retires the warm sandboxes;
- a banking message (triage, three agents, reply) with BANKDESK_EXECUTOR=local and =lambda.

    .venv/bin/python benchmarks/lambda_invoke.py [--calls 200] [--messages 20] [--json]
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.bank import seed_customer
from tests.support.lambda_endpoint import (
    FAKE_CREDENTIALS,
    lambda_client,
    lambda_endpoint,
    point_functions_at,
)

from bankdesk.banking.schemas import MessageRequest
from bankdesk.bootstrap import bootstrap
from bankdesk.runtime.executor import LENDING_DECISION, invoke
from bankdesk.settings import Settings
from bankdesk.store.migrations import upgrade
from bankdesk.store.unit_of_work import UnitOfWork

QUESTION = {
    "evaluate_only": True,
    "policy_id": "seed-dti",
    "inputs": {"borrower_name": "Maya Chen", "income": "7200", "monthly_debt": "1800",
               "requested_amount": "45000", "currency": "USD"},
}  # fmt: skip
MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."


def _summary(name: str, seconds: list[float], baseline: float | None) -> dict:
    p50 = statistics.median(seconds) * 1000
    p95 = sorted(seconds)[int(len(seconds) * 0.95) - 1] * 1000
    return {
        "name": name,
        "calls": len(seconds),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "ratio_to_baseline": round(p50 / baseline, 1) if baseline else 1.0,
    }


async def _timed(call, times: int) -> list[float]:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return seconds


async def measure(url: str, database_url: str, calls: int, messages: int) -> list[dict]:
    local = bootstrap(Settings(database_url=database_url, executor="local"))  # type: ignore[call-arg]
    remote = bootstrap(  # type: ignore[call-arg]
        Settings(database_url=database_url, executor="lambda", lambda_endpoint_url=url)
    )
    rows = []
    in_process = await _timed(lambda: invoke(local.executor, LENDING_DECISION, QUESTION), calls)
    baseline = statistics.median(in_process) * 1000
    rows.append(_summary("policy step, in process (baseline)", in_process, None))
    await invoke(remote.executor, LENDING_DECISION, QUESTION)  # warm one sandbox
    warm = await _timed(lambda: invoke(remote.executor, LENDING_DECISION, QUESTION), calls)
    rows.append(_summary("policy step, Lambda endpoint, warm", warm, baseline))
    cold = []
    for _ in range(5):
        point_functions_at(url, database_url)
        cold += await _timed(lambda: invoke(remote.executor, LENDING_DECISION, QUESTION), 1)
    rows.append(_summary("policy step, Lambda endpoint, cold start", cold, baseline))

    async with UnitOfWork(local.database.sessions, actor="bench") as uow:
        customer = await seed_customer(uow)
        await uow.commit()
    request = MessageRequest(customer_id=customer.customer_id, message="What is my balance?")
    handled = []
    for app in (local, remote):
        await app.banking.handle(request, channel="bench", actor="bench")  # warm
        handled.append(
            await _timed(lambda a=app: a.banking.handle(request, channel="b", actor="b"), messages)
        )
    message_baseline = statistics.median(handled[0]) * 1000
    rows.append(_summary("banking message, in process (baseline)", handled[0], None))
    rows.append(_summary("banking message, Lambda endpoint", handled[1], message_baseline))
    await local.close()
    await remote.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    os.environ.update(FAKE_CREDENTIALS)
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade(database_url)
        with lambda_endpoint() as url:
            point_functions_at(url, database_url)
            lambda_client(url)  # fail early if the endpoint does not answer
            rows = asyncio.run(measure(url, database_url, options.calls, options.messages))
    if options.json:
        print(json.dumps({"cpus": os.cpu_count(), "results": rows}))
        return
    for row in rows:
        print(
            f"{row['name']:<45} p50 {row['p50_ms']:>8.2f} ms  p95 {row['p95_ms']:>8.2f} ms  "
            f"x{row['ratio_to_baseline']}"
        )


if __name__ == "__main__":
    main()
