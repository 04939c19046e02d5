"""The `bankdesk` commands as a user runs them: output, JSON shape and exit codes."""

import json
from pathlib import Path

import pytest
from tests.support.seeds import SEED_EVENT, SEED_TEXT
from typer.testing import CliRunner

from bankdesk.cli.app import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_json(runner: CliRunner, *args: str, stdin: str | None = None) -> dict:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_apply_json_on_the_seed_text_approves(runner: CliRunner) -> None:
    output = run_json(runner, "apply", "--json", SEED_TEXT)

    assert output["decision"] == "approve"
    assert output["dti"] == 0.25
    assert output["next_step"] == "send approval notice"
    assert output["reasons"] == []
    assert output["missing_fields"] == []
    assert output["fields"] == {
        "loan_id": "LN-1042",
        "borrower_name": "Maya Chen",
        "income": 7200,
        "monthly_debt": 1800,
        "requested_amount": 45000,
        "currency": "USD",
        "employment_years": None,
        "term_months": None,
        "purpose": None,
    }
    assert output["policy"]["id"] == "seed-dti"
    assert output["policy"]["version"].startswith("sha256:")
    assert output["evidence"]["income"]["spans"][0]["text"] == "$7200"


def test_apply_reads_standard_input_and_files(runner: CliRunner, tmp_path: Path) -> None:
    from_stdin = run_json(runner, "apply", "--json", "-", stdin=SEED_TEXT)
    message = tmp_path / "message.txt"
    message.write_text(SEED_TEXT, encoding="utf-8")
    from_file = run_json(runner, "apply", "--json", "--file", str(message))

    assert from_stdin["fields"] == from_file["fields"]
    assert from_file["decision"] == "approve"


@pytest.mark.parametrize(
    ("text", "decision", "next_step", "codes"),
    [
        pytest.param(
            "My name is Priya Nair. I earn $4,200 a month, my car payment is $600 "
            "and I'd like to borrow $20,000.",
            "review",
            "request additional documents",
            ["INCOME_BELOW_APPROVAL_MINIMUM"],
            id="review",
        ),
        pytest.param(
            "Borrower: Dan Reyes\nAnnual salary: $30,000\nMonthly debts: car $450, "
            "student loan $380, card minimum $120\nRequested amount: $25,000\n",
            "decline",
            "route to human underwriter",
            ["INCOME_BELOW_MINIMUM"],
            id="decline",
        ),
        pytest.param(
            "I'd like a loan of about 10 grand for a car.",
            "incomplete",
            "request more information",
            ["MISSING_BORROWER_NAME", "MISSING_INCOME", "MISSING_MONTHLY_DEBT"],
            id="incomplete",
        ),
    ],
)
def test_apply_exits_zero_for_every_outcome(
    runner: CliRunner, text: str, decision: str, next_step: str, codes: list[str]
) -> None:
    output = run_json(runner, "apply", "--json", text)

    assert output["decision"] == decision
    assert output["next_step"] == next_step
    assert [reason["code"] for reason in output["reasons"]] == codes


def test_incomplete_lists_missing_fields_with_null_values(runner: CliRunner) -> None:
    output = run_json(runner, "apply", "--json", "I need $45,000")

    assert output["missing_fields"] == ["borrower_name", "income", "monthly_debt"]
    assert output["fields"]["income"] is None
    assert output["dti"] is None
    assert output["fields"]["loan_id"].startswith("APP-")
    assert output["loan_id_assigned"] is True


def test_apply_renders_a_readable_panel(runner: CliRunner) -> None:
    result = runner.invoke(app, ["apply", SEED_TEXT], env={"COLUMNS": "120"})

    assert result.exit_code == 0
    assert "approve" in result.stdout
    assert "send approval notice" in result.stdout
    assert "Maya Chen" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["apply", "--file", "/no/such/file.txt"], "cannot read", id="missing-file"),
        pytest.param(["apply"], "give the message", id="no-input"),
        pytest.param(["apply", "x", "--policy", "nope"], "no policy named 'nope'", id="bad-policy"),
        pytest.param(["decide", "--json", "{oops"], "not valid JSON", id="bad-json"),
        pytest.param(
            ["decide", "--json", '{"income": "abc", "monthly_debt": 1, "requested_amount": 1}'],
            "income:",
            id="mistyped-field",
        ),
        pytest.param(
            ["decide", "--json", '{"income": 7200, "monthly_debt": 1800}'],
            "requested_amount: Field required",
            id="missing-field",
        ),
    ],
)
def test_unusable_input_exits_two_with_one_line(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_binary_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.7\xff\xfe\x00\x81")

    result = runner.invoke(app, ["apply", "--file", str(binary)])

    assert result.exit_code == 2
    assert "not UTF-8 text" in result.stderr


def test_decide_returns_the_seed_shape(runner: CliRunner) -> None:
    output = run_json(runner, "decide", "--json", json.dumps(SEED_EVENT))

    assert output["statusCode"] == 200
    body = json.loads(output["body"])
    assert (body["decision"], body["dti"], body["loan_id"]) == ("approve", 0.25, "LN-1042")


@pytest.mark.parametrize("command", ["decide", "apply"])
def test_a_policy_that_does_not_decide_loan_applications_is_refused(
    runner: CliRunner, command: str
) -> None:
    payload = json.dumps(SEED_EVENT) if command == "decide" else SEED_TEXT
    args = [command, "--policy", "seed-risk-score"]
    args += ["--json", payload] if command == "decide" else [payload]

    result = runner.invoke(app, args)

    assert result.exit_code == 2
    assert "does not decide loan applications: it needs" in result.stderr
    assert "applicant_id" in result.stderr


def test_borrower_text_is_shown_literally_never_as_markup(runner: CliRunner) -> None:
    text = "Name: Jo [red]Kim\nPurpose: [/bold] stuff\nMonthly income: $9,000\n"

    result = runner.invoke(app, ["apply", text], env={"COLUMNS": "160"})

    assert result.exit_code == 0
    assert "[/bold] stuff" in result.stdout


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        pytest.param(b"   \n", "the message is empty", id="blank"),
        pytest.param(b"\xff\xfe income", "not UTF-8", id="not-utf8"),
    ],
)
def test_unusable_standard_input_exits_two(runner: CliRunner, stdin: bytes, message: str) -> None:
    result = runner.invoke(app, ["apply", "-"], input=stdin)

    assert result.exit_code == 2
    assert message in result.stderr


def test_policy_list_and_show(runner: CliRunner) -> None:
    listed = runner.invoke(app, ["policy", "list"], env={"COLUMNS": "160"})
    shown = runner.invoke(app, ["policy", "show", "seed-dti"], env={"COLUMNS": "200"})
    graph = run_json(runner, "policy", "show", "seed-dti", "--json")

    assert listed.exit_code == 0
    assert "seed-dti" in listed.stdout
    assert "seed-risk-score" in listed.stdout
    assert shown.exit_code == 0
    assert "DTI_ABOVE_APPROVAL_LIMIT" in shown.stdout
    assert "monthly_debt" in shown.stdout
    assert graph["contentType"] == "application/vnd.gorules.decision"


def test_demo_decides_the_seed_cases(runner: CliRunner) -> None:
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "160"})

    assert result.exit_code == 0
    for word in ("approve", "review", "decline", "incomplete", "1830"):
        assert word in result.stdout
