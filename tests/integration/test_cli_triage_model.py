"""`triage train` and `triage eval` as a user runs them: files, figures, JSON and exit codes."""

import json
from pathlib import Path

import pytest
import typer
from tests.support.without_training import BANKDESK_CLI, run_without_training
from typer.testing import CliRunner

from bankdesk.banking.classifier import DEFAULT_EVAL_PATH, IntentModel
from bankdesk.cli.triage_model import evaluate, train

app = typer.Typer()
app.command("train")(train)
app.command("eval")(evaluate)

PHRASES = {
    "balance": ["what is my balance", "how much money do I have", "show my available funds",
                "balance of my savings please", "how much is in checking", "my current balance"],
    "loan": ["when is my loan payment due", "what is my mortgage rate", "apply for a car loan",
             "payoff amount for my loan", "refinance my home loan", "missed a loan payment"],
    "support": ["what are your opening hours", "change my address", "reset my password",
                "order a cheque book", "the app keeps crashing", "where is the nearest branch"],
}  # fmt: skip


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    path = tmp_path / "examples.csv"
    rows = [f'"{text}",{label}' for label, texts in PHRASES.items() for text in texts]
    path.write_text("utterance,intent\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def invoke(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, [str(arg) for arg in args])


def test_train_writes_a_model_that_eval_measures(runner, examples, tmp_path) -> None:
    model = tmp_path / "model.npz"

    trained = invoke(runner, "train", "--data", examples, "--out", model,
                     "--text-col", "utterance", "--label-col", "intent")  # fmt: skip

    assert trained.exit_code == 0, trained.output
    assert "trained on 18 messages" in trained.stdout
    assert IntentModel.load(model).labels == ("balance", "loan", "support")

    measured = invoke(runner, "eval", "--data", examples, "--model", model,
                      "--text-col", "utterance", "--label-col", "intent")  # fmt: skip

    assert measured.exit_code == 0, measured.output
    assert "accuracy 1.0000 (18/18)" in measured.stdout
    assert "macro-F1 1.0000" in measured.stdout
    assert "p50" in measured.stdout and "p95" in measured.stdout
    assert "Confusion matrix" in measured.stdout


def test_eval_json_is_one_object_with_the_figures(runner, examples, tmp_path) -> None:
    model = tmp_path / "model.npz"
    invoke(runner, "train", "--data", examples, "--out", model,
           "--text-col", "utterance", "--label-col", "intent")  # fmt: skip

    result = invoke(runner, "eval", "--data", examples, "--model", model, "--json",
                    "--text-col", "utterance", "--label-col", "intent")  # fmt: skip

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["accuracy"] == 1.0
    assert body["macro_f1"] == 1.0
    assert body["n"] == 18
    assert [row["label"] for row in body["per_class"]] == ["balance", "loan", "support"]
    assert body["confusions"] == []
    assert body["latency_ms"]["p50"] > 0
    assert body["model"]["examples"] == 18


def test_eval_without_a_model_uses_the_shipped_one(runner) -> None:
    result = invoke(runner, "eval", "--data", DEFAULT_EVAL_PATH, "--json")

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["n"] == 100
    assert body["accuracy"] >= 0.92
    assert body["model"]["path"].endswith("triage-model.npz")


def test_many_labels_list_the_top_confusions_instead_of_a_matrix(runner, tmp_path) -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
             "juliett", "kilo", "lima", "mike"]  # fmt: skip
    rows = [f"{word} thing {n},{word}" for word in words for n in range(3)]
    rows.append("alpha bravo thing,bravo")  # a mistake waiting to happen
    data = tmp_path / "many.csv"
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    model = tmp_path / "many.npz"
    invoke(runner, "train", "--data", data, "--out", model)
    held_out = tmp_path / "held-out.csv"
    lines = [f"{word} again,{word}" for word in words] + ["alpha only alpha,bravo"]
    held_out.write_text("text,label\n" + "\n".join(lines) + "\n", encoding="utf-8")

    result = invoke(runner, "eval", "--data", held_out, "--model", model)

    assert result.exit_code == 0, result.output
    assert "Confusion matrix" not in result.stdout
    assert "Most frequent confusions" in result.stdout
    assert "bravo -> alpha: 1" in result.stdout


def test_a_missing_column_fails_naming_the_columns_found(runner, examples, tmp_path) -> None:
    result = invoke(runner, "train", "--data", examples, "--out", tmp_path / "m.npz")

    assert result.exit_code == 2
    assert "no column 'text' or 'label'" in result.stderr
    assert "'utterance', 'intent'" in result.stderr
    assert not (tmp_path / "m.npz").exists()


def test_eval_refuses_a_file_that_is_not_a_model(runner, examples, tmp_path) -> None:
    bogus = tmp_path / "bogus.npz"
    bogus.write_text("definitely not a model", encoding="utf-8")

    result = invoke(runner, "eval", "--data", examples, "--model", bogus,
                    "--text-col", "utterance", "--label-col", "intent")  # fmt: skip

    assert result.exit_code == 2
    assert "cannot use the triage model" in result.stderr
    assert "bankdesk triage train" in result.stderr


def test_train_reports_an_unwritable_destination(runner, examples, tmp_path) -> None:
    result = invoke(runner, "train", "--data", examples, "--out", tmp_path / "no" / "m.npz",
                    "--text-col", "utterance", "--label-col", "intent")  # fmt: skip

    assert result.exit_code == 2
    assert "cannot write the model" in result.stderr


def test_train_without_scikit_learn_says_how_to_install_it(examples, tmp_path) -> None:
    model = tmp_path / "model.npz"

    completed = run_without_training(
        BANKDESK_CLI, "triage", "train", "--data", str(examples), "--out", str(model),
        "--text-col", "utterance", "--label-col", "intent", cwd=tmp_path,
    )  # fmt: skip

    assert completed.returncode == 2
    assert completed.stderr == "error: training needs scikit-learn: pip install 'bankdesk[train]'\n"
    assert not model.exists()


def test_eval_without_scikit_learn_gives_the_same_figures(runner, tmp_path) -> None:
    args = ("triage", "eval", "--data", str(DEFAULT_EVAL_PATH), "--json")

    completed = run_without_training(BANKDESK_CLI, *args, cwd=tmp_path)

    assert completed.returncode == 0, completed.stderr
    alone, here = json.loads(completed.stdout), json.loads(invoke(runner, *args[1:]).stdout)
    for key in ("n", "accuracy", "macro_f1", "per_class", "confusion_matrix", "model"):
        assert alone[key] == here[key]
