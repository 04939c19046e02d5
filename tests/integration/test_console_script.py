"""The installed `bankdesk` console script, run as a separate process."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("bankdesk")


@pytest.fixture(scope="module")
def bankdesk() -> str:
    found = SCRIPT if SCRIPT.exists() else shutil.which("bankdesk")
    if not found:
        pytest.fail("the bankdesk console script is not installed; run `make test`")
    return str(found)


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
