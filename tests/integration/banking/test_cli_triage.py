"""`bankdesk triage TEXT` as a user runs it: a separate process on a demo bank in SQLite."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("bankdesk")
SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."
LONG_DIGIT_RUN = re.compile(r"\d[\d -]{7,}\d")


@pytest.fixture
def cli(tmp_path: Path):
    env = {**os.environ, "BANKDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bank.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], capture_output=True, text=True, check=False, timeout=120,
            env=env, cwd=tmp_path,
        )  # fmt: skip

    return run


def test_the_seed_example_on_the_demo_bank_prints_the_api_object(cli) -> None:
    loaded = cli("demo-data", "--customers", "5", "--seed", "7")
    assert loaded.returncode == 0, loaded.stderr

    result = cli("triage", SEED_MESSAGE, "--customer", "cust_12345", "--json")

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) >= {"case_id", "intent", "confidence", "summary", "agents", "reply"}
    assert body["intent"] == "card_dispute"
    dispute = next(a for a in body["agents"] if a["agent"] == "customer-service-agent")
    assert "potential_fraud" in dispute["analysis"]["flags"]
    assert any(action["kind"] == "case_opened" for action in dispute["actions"])
    assert not LONG_DIGIT_RUN.search(body["reply"]["message"])


def test_without_a_customer_the_intent_and_a_reply_still_come_back(cli) -> None:
    result = cli("triage", "I lost my card yesterday, please help", "--json")

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["intent"] == "fraud_report"
    assert body["reply"]["message"]


def test_the_readable_output_shows_the_agents_and_the_reply(cli) -> None:
    result = cli("triage", "How do I reset my online banking password?")

    assert result.returncode == 0, result.stderr
    assert "general_support" in result.stdout
    assert "general-support-agent" in result.stdout
    assert "reply" in result.stdout


def test_an_unknown_customer_is_a_usage_error(cli) -> None:
    result = cli("triage", "What's my balance?", "--customer", "cust_00000000")

    assert result.returncode == 2
    assert "no customer with id 'cust_00000000'" in result.stderr


def test_help_lists_train_and_eval(cli) -> None:
    result = cli("triage", "--help")

    assert result.returncode == 0
    assert "train" in result.stdout and "eval" in result.stdout
