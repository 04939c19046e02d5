"""`bankdesk apply` and `bankdesk usage` with a model, as a user runs them: separate processes."""

import json
import os
import subprocess

import pytest
from tests.support.console import console_script
from tests.support.openai_server import OpenAIServer, Reply, json_reply
from tests.support.seeds import SEED_TEXT

from bankdesk.lending.facts import offline_facts

SEED_FACTS = offline_facts(SEED_TEXT).model_dump(mode="json")
# Settings a developer's shell might carry must not leak into these runs.
CLEARED = ("BANKDESK_", "OPENAI_")


@pytest.fixture(scope="module")
def bankdesk() -> str:
    return console_script()


@pytest.fixture
def server():
    with OpenAIServer() as running:
        yield running


@pytest.fixture
def run(bankdesk, tmp_path):
    def run_command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
        clean["BANKDESK_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        return subprocess.run(
            [bankdesk, *args],
            env=clean | env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    return run_command


@pytest.mark.parametrize("api", ["responses", "chat"])
def test_apply_with_a_model_says_where_each_field_came_from(run, server, api):
    server.script(json_reply(SEED_FACTS, input_tokens=700, output_tokens=250))

    applied = run(
        "apply", "--json", SEED_TEXT,
        BANKDESK_LLM_PROVIDER="openai", BANKDESK_LLM_API=api, OPENAI_BASE_URL=server.base_url,
    )  # fmt: skip

    assert applied.returncode == 0, applied.stderr
    view = json.loads(applied.stdout)
    assert (view["decision"], view["dti"]) == ("approve", 0.25)
    assert view["reading"]["provider"] == "openai"
    assert view["reading"]["degraded"] is False
    assert {field["source"] for field in view["evidence"].values()} == {"both"}
    assert server.requests[0].api == api

    usage = run("usage", "--json")
    assert usage.returncode == 0, usage.stderr
    totals = json.loads(usage.stdout)["total"]
    assert (totals["calls"], totals["tokens_in"], totals["tokens_out"]) == (1, 700, 250)
    assert totals["cost_usd"] == "0.00068000"


def test_apply_says_when_the_result_is_degraded(run, server):
    server.script(Reply(status=503))

    applied = run(
        "apply", "--json", SEED_TEXT,
        BANKDESK_LLM_PROVIDER="openai", BANKDESK_LLM_MAX_RETRIES="0",
        OPENAI_BASE_URL=server.base_url,
    )  # fmt: skip

    assert applied.returncode == 0, applied.stderr
    view = json.loads(applied.stdout)
    assert view["reading"]["degraded"] is True
    assert view["reading"]["model_calls"][0]["status"] == "error"
    assert view["decision"] == "approve"  # decided by the policy on the offline reading


def test_without_configuration_nothing_reaches_the_network(run, server):
    applied = run(
        "apply", "--json", SEED_TEXT, OPENAI_API_KEY="sk-not-used", OPENAI_BASE_URL=server.base_url
    )

    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["reading"]["provider"] == "offline"
    assert server.requests == []


def test_the_openai_provider_without_a_key_or_server_is_a_configuration_error(run):
    applied = run("apply", SEED_TEXT, BANKDESK_LLM_PROVIDER="openai")

    assert applied.returncode == 3
    assert "OPENAI_API_KEY" in applied.stderr


def test_usage_without_calls_says_so(run):
    usage = run("usage")

    assert usage.returncode == 0, usage.stderr
    assert "no model calls recorded" in usage.stdout
