"""The installed `bankdesk` console script, run as a separate process."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.support.console import console_script

from bankdesk.policy.registry import PACKAGED_POLICY_DIR, content_version


@pytest.fixture(scope="module")
def bankdesk() -> str:
    return console_script()


def test_apply_json_from_standard_input(bankdesk: str) -> None:
    text = "Borrower: Maya Chen\nMonthly income: $7200\nMonthly debt payments: $1800\n"
    completed = subprocess.run(
        [bankdesk, "apply", "--json", "-"],
        input=text + "Requested amount: $45000\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["decision"] == "approve"


def test_unreadable_file_exits_two(bankdesk: str, tmp_path: Path) -> None:
    completed = subprocess.run(
        [bankdesk, "apply", "--file", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith("error: cannot read")


def test_policy_dir_from_the_environment_overrides_a_packaged_policy(
    bankdesk: str, tmp_path: Path
) -> None:
    graph = json.loads((PACKAGED_POLICY_DIR / "seed-dti.json").read_text(encoding="utf-8"))
    for node in graph["nodes"]:
        for rule in node.get("content", {}).get("rules", []):
            for key, cell in rule.items():
                rule[key] = cell.replace("5000", "8000") if isinstance(cell, str) else cell
    (tmp_path / "seed-dti.json").write_text(json.dumps(graph), encoding="utf-8")
    event = '{"borrower_name": "Maya Chen", "income": 7200, "monthly_debt": 1800, '
    event += '"requested_amount": 45000}'

    completed = subprocess.run(
        [bankdesk, "decide", "--json", event],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "BANKDESK_POLICY_DIR": str(tmp_path)},
    )

    assert completed.returncode == 0, completed.stderr
    body = json.loads(json.loads(completed.stdout)["body"])
    assert body["decision"] == "review"
    assert body["policy"]["version"] != content_version(
        (PACKAGED_POLICY_DIR / "seed-dti.json").read_bytes()
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        pytest.param("BANKDESK_DEFAULT_CURRENCY", "usd", "BANKDESK_DEFAULT_CURRENCY", id="pattern"),
        pytest.param("BANKDESK_MAX_TEXT_CHARS", "abc", "BANKDESK_MAX_TEXT_CHARS", id="type"),
        pytest.param("BANKDESK_LENDING_POLICY", "nope", "is not installed", id="policy"),
    ],
)
def test_a_bad_setting_is_a_configuration_error(
    bankdesk: str, variable: str, value: str, message: str
) -> None:
    completed = subprocess.run(
        [bankdesk, "apply", "I need $5,000"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, variable: value},
    )

    assert completed.returncode == 3
    assert completed.stderr.startswith("error: ")
    assert message in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
