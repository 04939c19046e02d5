"""Requests per second of bankdesk's HTTP API on PostgreSQL, against the seed's minimal app.

Run from the repository root: `.venv/bin/python benchmarks/api_load.py [--seconds N]
[--concurrency C] [--json]`. It creates two fresh databases, starts `bankdesk serve` and
`minimal_app.py` (uvicorn, one worker each), checks that every target answers correctly, then
drives each in turn with an async httpx client at a fixed concurrency. Whatever it started or
created is stopped and dropped at the end, also when it fails.
"""

import argparse
import asyncio
import importlib
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from rich.console import Console
from rich.table import Table

from decision_inputs import borrower_texts
from report import describe_ratio

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
ADMIN_KEY_MARKER = "an admin API key was created"
START_TIMEOUT, REQUEST_TIMEOUT = 60.0, 10.0
BANKDESK_TABLES = ("loan_applications", "decisions", "notices", "audit_events", "applicants")
LOCK_WAITS = """
SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database
WHERE pg_database.datname = $1 AND NOT pg_locks.granted
"""
INTAKE_AUDIT = ["application.received", "application.decided", "notice.queued"]
CPU_USERS = ("server", "postgres", "client", "machine")
Process = subprocess.Popen[bytes]
# The servers get this environment, so no BANKDESK_ setting of the caller's changes the run.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("BANKDESK_")}


@dataclass(frozen=True, slots=True)
class Server:
    """A running server, its log file and the database it writes to."""

    url: str
    process: Process
    log: Path
    database: str
    tables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """An endpoint to load, and how to check each answer before anything is timed."""

    name: str
    server: Server
    path: str
    status: int
    cases: list[tuple[bytes, Any]]  # (JSON body, what `pick` must find in the answer)
    pick: Callable[[dict[str, Any]], Any]
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Result:
    """One target's figures; the ratio compares its requests/s with the baseline's."""

    name: str
    requests: int  # answered with the expected status within the time
    errors: int
    seconds: float
    requests_per_sec: float
    mean_ms: float
    p50_ms: float
    p99_ms: float
    applications_per_sec: float
    rows_per_request: float
    rows_written: dict[str, int]
    cpu_percent: dict[str, float]  # server, its database's backends, load generator, machine
    cpu_ms_per_request: dict[str, float]  # server and its database's backends
    lock_waits: float  # how many of its database's backends wait for a lock, on average
    ratio_to_baseline: float = 1.0


# --- inputs, and the checks made before anything is timed ----------------------------------


def seed_rules() -> Any:
    """The plain-Python oracle the test suite checks policies against."""
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))  # the script's folder is on sys.path, not the root
    return importlib.import_module("tests.support.seed_rules")


def apply_cases() -> list[tuple[dict[str, Any], tuple[str, float]]]:
    """240 seed requests over 120 applicants, approved and review, with the expected answer."""
    rules = seed_rules()
    amounts, incomes = (5000, 12000, 25000, 40000, 75000, 150000), (24000, 38000, 52000, 90000)
    cases = []
    for i in range(240):
        amount, income, years = amounts[i % 6], incomes[(i // 6) % 4], (i * 7) % 15
        body = {"applicant_id": f"cust_{i % 120:04d}", "amount": amount, "income": income}
        score = rules.seed_risk_score(Decimal(income), Decimal(amount), years)
        expected = ("approved" if score >= 80 else "review", float(score))
        cases.append(({**body, "employment_years": years}, expected))
    return cases


def intake_cases() -> list[tuple[dict[str, Any], str]]:
    """The decisions benchmark's 220 borrower texts (22 templates) with the rules' outcome."""
    rules = seed_rules()
    return [
        ({"text": text, "applicant_id": f"cust_{i % 120:04d}"}, rules.seed_dti_outcome(*v.triple))
        for i, (text, v) in enumerate(borrower_texts())
    ]


async def check(client: httpx.AsyncClient, target: Target) -> list[dict[str, Any]]:
    """Send every body once; abort unless each answer has the status and the expected value."""
    answers, url = [], target.server.url + target.path
    for body, want in target.cases:
        response = await client.post(url, content=body, headers=target.headers)
        answer = response.json() if response.status_code == target.status else {}
        if not answer or target.pick(answer) != want:
            raise SystemExit(
                f"benchmark aborted: {target.name} answered {response.status_code} "
                f"{response.text[:300]!r}; expected {target.status} and {want!r} for {body!r}"
            )
        answers.append(answer)
    return answers


# --- load -----------------------------------------------------------------------------------


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time used by a process, or by the whole machine (all cores) when pid is None."""
    if pid is None:  # /proc/stat: user nice system idle iowait irq softirq steal ...
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_snapshot(server: Server) -> dict[str, Any]:
    """CPU seconds so far of the server, its database's backends, this process, the machine."""
    backends = {}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with suppress(OSError, ValueError):  # the process may end meanwhile
            if f" {server.database} ".encode() in cmdline.read_bytes():  # in a backend's title
                backends[int(cmdline.parent.name)] = cpu_seconds(int(cmdline.parent.name))
    return {
        "server": cpu_seconds(server.process.pid),
        "postgres": backends,
        "client": time.process_time(),
        "machine": cpu_seconds(),
    }


def cpu_percent(before: dict[str, Any], after: dict[str, Any], elapsed: float) -> dict[str, float]:
    """CPU used between two snapshots, in percent of one core; backends may come and go."""
    spent = {who: after[who] - before[who] for who in ("server", "client", "machine")}
    backends = after["postgres"].items()
    spent["postgres"] = sum(t - before["postgres"].get(pid, 0.0) for pid, t in backends)
    return {who: round(100 * spent[who] / elapsed, 1) for who in CPU_USERS}


async def count_rows(server: Server) -> dict[str, int]:
    connection = await asyncpg.connect(f"{POSTGRES}/{server.database}", timeout=REQUEST_TIMEOUT)
    try:
        return {t: await connection.fetchval(f"SELECT count(*) FROM {t}") for t in server.tables}
    finally:
        await connection.close()


async def watch(server: Server, deadline: float) -> tuple[float, dict[str, Any], float]:
    """Sample lock waits in the server's database until the deadline, then take the CPU figures.

    Taken at the deadline, before the clients stop: connections that the server's pool closes
    when the load ends would take their backends' CPU time with them.
    """
    connection = await asyncpg.connect(f"{POSTGRES}/postgres", timeout=REQUEST_TIMEOUT)
    waiting = []
    try:
        while time.perf_counter() < deadline:
            waiting.append(await connection.fetchval(LOCK_WAITS, server.database))
            await asyncio.sleep(0.05)
    finally:
        await connection.close()
    return statistics.fmean(waiting or [0]), cpu_snapshot(server), time.perf_counter()


async def drive(target: Target, *, concurrency: int, seconds: float, max_requests: int) -> Result:
    """`concurrency` clients send requests back to back until time or the request budget is up.

    Each client has its own connection: one httpx pool shared by all of them costs the load
    generator about twice the CPU per request (encode/httpx#3215), and CPU is what it lacks.
    """
    latencies: list[int] = []
    errors = issued = 0
    url, server = target.server.url + target.path, target.server

    async def client_loop() -> None:
        nonlocal errors, issued
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, headers=target.headers) as client:
            while issued < max_requests and time.perf_counter() < deadline:
                body = target.cases[issued % len(target.cases)][0]
                issued += 1
                start = time.perf_counter_ns()
                try:
                    response = await client.post(url, content=body)
                except httpx.HTTPError:
                    errors += 1
                    continue
                if response.status_code == target.status:
                    latencies.append(time.perf_counter_ns() - start)
                else:
                    errors += 1

    before = await count_rows(server)
    cpu = cpu_snapshot(server)
    started = time.perf_counter()
    deadline = started + seconds
    watcher = asyncio.ensure_future(watch(server, deadline))
    loops = asyncio.gather(*(client_loop() for _ in range(concurrency)))
    await asyncio.wait_for(loops, seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    lock_waits, cpu_after, watched = await asyncio.wait_for(watcher, REQUEST_TIMEOUT)
    cpu_used = cpu_percent(cpu, cpu_after, watched - started)
    after = await count_rows(server)
    written = {t: after[t] - before[t] for t in server.tables}
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
    return Result(
        name=target.name,
        requests=len(latencies),
        errors=errors,
        seconds=round(elapsed, 3),
        requests_per_sec=len(latencies) / elapsed,
        mean_ms=statistics.fmean(latencies) / 1e6 if latencies else 0.0,
        p50_ms=cuts[49] / 1e6 if cuts else 0.0,
        p99_ms=cuts[98] / 1e6 if cuts else 0.0,
        applications_per_sec=written["loan_applications"] / elapsed,
        rows_per_request=sum(written.values()) / max(len(latencies), 1),
        rows_written=written,
        cpu_percent=cpu_used,
        cpu_ms_per_request={
            who: round(10 * cpu_used[who] / max(len(latencies) / elapsed, 1e-9), 2)
            for who in ("server", "postgres")
        },
        lock_waits=round(lock_waits, 1),
    )


# --- servers and databases ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def create_or_drop(names: Sequence[str], *, create: bool) -> str:
    """Create (or drop) the databases; returns the server's version."""
    connection = await asyncpg.connect(f"{POSTGRES}/postgres", timeout=REQUEST_TIMEOUT)
    try:
        for name in names:
            sql = f'CREATE DATABASE "{name}"' if create else f'DROP DATABASE IF EXISTS "{name}"'
            await connection.execute(sql if create else f"{sql} WITH (FORCE)")
        return await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()


def launch(command: list[str], env: dict[str, str], log: Path, cleanup: ExitStack) -> Process:
    """Start a server whose output goes to a file (never a pipe that could fill and block)."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=CLEAN_ENV | env, stdout=sink, stderr=sink)
    cleanup.callback(stop, process)
    return process


def stop(process: Process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def start_bankdesk(database: str, folder: Path, cleanup: ExitStack) -> tuple[Server, str, str]:
    """`bankdesk serve` on a fresh database: the server, its first admin key, an intake key."""
    env = {"BANKDESK_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
           "BANKDESK_LOG_LEVEL": "WARNING"}  # fmt: skip
    port, log = free_port(), folder / "bankdesk.log"
    serve = [str(BIN / "bankdesk"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = launch([*serve, "--workers", "1"], env, log, cleanup)
    give_up, admin = time.monotonic() + START_TIMEOUT, None
    while admin is None and time.monotonic() < give_up and process.poll() is None:
        lines = log.read_text(errors="replace").splitlines()
        admin = next((lines[i + 1].strip() for i, line in enumerate(lines[:-1])
                      if ADMIN_KEY_MARKER in line), None)  # fmt: skip
        time.sleep(0.1)
    if admin is None:
        raise SystemExit(f"benchmark aborted: no admin key from bankdesk serve:\n{log.read_text()}")
    created = subprocess.run(
        [str(BIN / "bankdesk"), "keys", "create", "--role", "intake", "--name", "api_load"],
        env=CLEAN_ENV | env, capture_output=True, text=True, timeout=START_TIMEOUT,
    )  # fmt: skip
    if created.returncode != 0:
        raise SystemExit(f"benchmark aborted: bankdesk keys create failed:\n{created.stderr}")
    server = Server(f"http://127.0.0.1:{port}", process, log, database, BANKDESK_TABLES)
    return server, admin, created.stdout.strip()


def start_minimal(database: str, folder: Path, cleanup: ExitStack) -> Server:
    port, log = free_port(), folder / "minimal.log"
    uvicorn = [sys.executable, "-m", "uvicorn", "minimal_app:app", "--app-dir", str(HERE)]
    options = ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log"]
    env = {"DATABASE_URL": f"{POSTGRES}/{database}"}
    process = launch([*uvicorn, *options, "--log-level", "warning"], env, log, cleanup)
    return Server(f"http://127.0.0.1:{port}", process, log, database, ("loan_applications",))


async def wait_ready(server: Server, path: str) -> None:
    give_up = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < give_up and server.process.poll() is None:
            try:
                if (await client.get(server.url + path)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"benchmark aborted: {server.url} not ready:\n{server.log.read_text()}")


# --- the run --------------------------------------------------------------------------------


def build_targets(minimal: Server, bankdesk: Server, key: str) -> list[Target]:
    """The baseline first, then bankdesk's two endpoints; both apply rows send the same bodies."""
    apply = [(json.dumps(body).encode(), want) for body, want in apply_cases()]
    intake = [(json.dumps(body).encode(), want) for body, want in intake_cases()]
    by_score = lambda answer: (answer["decision"], answer["risk_score"])  # noqa: E731
    plain = {"content-type": "application/json"}
    auth = {**plain, "authorization": f"Bearer {key}"}
    return [
        Target("minimal app /lending/apply", minimal, "/lending/apply", 200, apply, by_score,
               plain),
        Target("bankdesk /lending/apply", bankdesk, "/lending/apply", 200, apply, by_score, auth),
        Target("bankdesk /lending/intake", bankdesk, "/lending/intake", 201, intake,
               lambda answer: answer["decision"], auth),
    ]  # fmt: skip


async def measure(targets: list[Target], admin: str, **load: Any) -> list[Result]:
    """Wait for both servers, check every target, then warm up and time each in turn."""
    await wait_ready(targets[0].server, "/openapi.json")
    await wait_ready(targets[1].server, "/health/ready")
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:
        answers = [await check(client, target) for target in targets]
        # An intake leaves its received, decided and notice events in the audit chain.
        url = f"{targets[2].server.url}/lending/applications/{answers[2][0]['application_id']}"
        trail = await client.get(f"{url}/audit", headers={"authorization": f"Bearer {admin}"})
    actions = [event["action"] for event in trail.json()] if trail.status_code == 200 else []
    if actions != INTAKE_AUDIT:
        raise SystemExit(f"benchmark aborted: unexpected audit trail {trail.text[:300]!r}")
    results = []
    for target in targets:
        await drive(target, **{**load, "seconds": min(2.0, load["seconds"] / 5)})  # warm-up
        results.append(await drive(target, **load))
    baseline = max(results[0].requests_per_sec, 1e-9)
    return [replace(r, ratio_to_baseline=r.requests_per_sec / baseline) for r in results]


def run(**load: Any) -> tuple[list[Result], dict[str, Any]]:
    """Create the databases, start the servers and measure; then stop and drop everything."""
    suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
    databases = [f"bench_bankdesk_{suffix}", f"bench_minimal_{suffix}"]
    with tempfile.TemporaryDirectory(prefix="api_load_") as folder, ExitStack() as cleanup:
        cleanup.callback(lambda: asyncio.run(create_or_drop(databases, create=False)))
        postgres = asyncio.run(create_or_drop(databases, create=True))
        bankdesk, admin, key = start_bankdesk(databases[0], Path(folder), cleanup)
        minimal = start_minimal(databases[1], Path(folder), cleanup)
        targets = build_targets(minimal, bankdesk, key)
        results = asyncio.run(measure(targets, admin, **load))
    context = {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "postgres": postgres, "uvicorn_workers": 1,
        **{name: version(name) for name in ("uvicorn", "fastapi", "httpx", "asyncpg")},
        **load, "warmup_seconds": min(2.0, load["seconds"] / 5),
        "apply_bodies": len(targets[0].cases), "intake_texts": len(targets[2].cases),
    }  # fmt: skip
    return results, context


# --- report ---------------------------------------------------------------------------------


def cpu_column(cpu: dict[str, float]) -> str:
    """Server / its PostgreSQL backends / load generator / everything else on the machine."""
    other = cpu["machine"] - cpu["server"] - cpu["postgres"] - cpu["client"]
    return "/".join(f"{v:.0f}" for v in (cpu["server"], cpu["postgres"], cpu["client"], other))


COLUMNS = ("req/s", "mean ms", "p50 ms", "p99 ms", "errors", "apps stored/s", "rows/req",
           "CPU % srv/pg/cli/other", "CPU ms/req srv+pg", "lock waits")  # fmt: skip
NOTES = """\
Both servers run uvicorn with 1 worker; they, PostgreSQL and this load generator share {cpus} CPUs.
CPU %: of one core, for the server process, the PostgreSQL backends of its database, this load
generator and every other process (a busy machine shows there). CPU ms/req: the server's and
its backends' CPU time per request. Lock waits: its backends waiting for a lock, on average.\
"""


def print_table(results: Sequence[Result], context: dict[str, Any]) -> None:
    table = Table(
        title=f"HTTP API on PostgreSQL {context['postgres'].split()[0]}: {context['seconds']:g} s "
        f"per target, {context['concurrency']} concurrent clients, {context['cpus']} CPUs"
    )
    table.add_column("target", no_wrap=True)
    for column in COLUMNS:
        table.add_column(column, justify="right")
    table.add_column("vs baseline", no_wrap=True)
    for r in results:
        table.add_row(
            r.name, f"{r.requests_per_sec:,.0f}", f"{r.mean_ms:.1f}", f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}", str(r.errors), f"{r.applications_per_sec:,.0f}",
            f"{r.rows_per_request:.2f}", cpu_column(r.cpu_percent),
            "+".join(f"{v:.1f}" for v in r.cpu_ms_per_request.values()), f"{r.lock_waits:.1f}",
            describe_ratio(r.ratio_to_baseline),
        )  # fmt: skip
    console = Console(width=None if sys.stdout.isatty() else 190)
    console.print(table)
    console.print(NOTES.format(cpus=context["cpus"]))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per target (10)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per target")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency < 1 or args.max_requests < 1:
        parser.error("--seconds, --concurrency and --max-requests must be positive")
    load = {"seconds": args.seconds, "concurrency": args.concurrency}
    results, context = run(**load, max_requests=args.max_requests)
    if args.json:
        print(json.dumps({"context": context, "results": [asdict(r) for r in results]}))
    else:
        print_table(results, context)


if __name__ == "__main__":
    main()
