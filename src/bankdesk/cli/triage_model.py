"""`bankdesk triage train` and `bankdesk triage eval`: build an intent model and measure it."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bankdesk.banking import training
from bankdesk.banking.classifier import DEFAULT_MODEL_PATH, IntentModel, default_model
from bankdesk.banking.training import Evaluation
from bankdesk.cli.errors import fail, reports_errors

console = Console()
progress_console = Console(stderr=True)
FULL_MATRIX_LABELS = 12  # above this a matrix is unreadable: list the top confusions instead
TOP_CONFUSIONS = 15

TextCol = Annotated[str, typer.Option(help="The CSV column holding each message.")]
LabelCol = Annotated[str, typer.Option(help="The CSV column holding each message's label.")]


@reports_errors
def train(
    data: Annotated[Path, typer.Option(help="CSV of labelled messages, with a header row.")],
    out: Annotated[Path, typer.Option(help="Where to write the model file (.npz).")],
    text_col: TextCol = "text",
    label_col: LabelCol = "label",
) -> None:
    """Train an intent model on a labelled CSV and write it to a model file."""
    training.check_trainable()  # before reading or drawing a progress bar: one clear line
    texts, labels = training.read_labelled_csv(data, text_col=text_col, label_col=label_col)
    started = time.perf_counter()
    with _progress_bar() as report:
        model = training.train(texts, labels, progress=report, source=data.name)
    seconds = time.perf_counter() - started
    try:
        model.save(out)
    except OSError as error:
        raise fail(f"cannot write the model to {out}: {error.strerror or error}") from None
    counts = model.metadata["label_counts"]
    table = Table("label", "examples")
    for label in model.labels:
        table.add_row(label, f"{counts[label]:,}")
    console.print(f"trained on {len(texts):,} messages in {seconds:.1f} s", highlight=False)
    console.print(table)
    console.print(f"model written to {out} (training data sha256 "
                  f"{model.metadata['training_sha256'][:12]})", highlight=False)  # fmt: skip


@contextmanager
def _progress_bar() -> Iterator[training.Progress]:
    columns = (TextColumn("{task.description:<28}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=progress_console) as bar:
        task = bar.add_task("reading examples", total=1.0)

        def report(stage: str, fraction: float) -> None:
            bar.update(task, description=stage, completed=fraction)

        yield report


@reports_errors
def evaluate(
    data: Annotated[Path, typer.Option(help="CSV of labelled messages the model did not learn.")],
    model: Annotated[
        Path | None, typer.Option(help="Model file from `triage train` (default: the shipped one).")
    ] = None,
    text_col: TextCol = "text",
    label_col: LabelCol = "label",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Accuracy, macro-F1, per-label figures, confusions and latency of a model on a CSV."""
    texts, labels = training.read_labelled_csv(data, text_col=text_col, label_col=label_col)
    intent_model = default_model() if model is None else IntentModel.load(model)
    figures = training.evaluate(intent_model, texts, labels)
    about = _about(intent_model, model or DEFAULT_MODEL_PATH)
    if as_json:
        typer.echo(json.dumps({"data": str(data), "model": about, **figures.as_json()}, indent=2))
        return
    _print_evaluation(figures, about)


def _about(model: IntentModel, path: Path) -> dict[str, Any]:
    keys = ("training_sha256", "examples", "trained_at", "source")
    return {"path": str(path), **{key: model.metadata.get(key) for key in keys}}


def _print_evaluation(figures: Evaluation, about: dict[str, Any]) -> None:
    console.print(
        f"model {about['path']} (trained {about['trained_at']} on {about['examples']:,} "
        f"examples), {figures.n:,} messages",
        highlight=False,
    )
    correct = round(figures.accuracy * figures.n)
    latency = figures.latency_ms
    console.print(
        f"accuracy {figures.accuracy:.4f} ({correct:,}/{figures.n:,})   "
        f"macro-F1 {figures.macro_f1:.4f}   calibration error {figures.calibration_error:.3f}\n"
        f"latency per message (one at a time): p50 {latency.p50:.2f} ms, p95 {latency.p95:.2f} ms",
        highlight=False,
    )
    table = Table("label", "precision", "recall", "F1", "support", title="Per label")
    for row in figures.per_class:
        table.add_row(row.label, f"{row.precision:.3f}", f"{row.recall:.3f}", f"{row.f1:.3f}",
                      f"{row.support:,}")  # fmt: skip
    console.print(table)
    if len(figures.labels) <= FULL_MATRIX_LABELS:
        console.print(_matrix_table(figures))
    else:
        _print_top_confusions(figures)
    if figures.unknown_labels:
        console.print("labels the model does not know (always wrong): "
                      + ", ".join(figures.unknown_labels), highlight=False)  # fmt: skip


def _matrix_table(figures: Evaluation) -> Table:
    # Numbered columns keep the matrix narrow; the rows give each number's label.
    numbers = [str(number) for number in range(1, len(figures.labels) + 1)]
    table = Table("true \\ predicted", *numbers, title="Confusion matrix")
    for number, label, row in zip(numbers, figures.labels, figures.matrix, strict=True):
        table.add_row(f"{number} {label}", *(f"{count:,}" if count else "." for count in row))
    return table


def _print_top_confusions(figures: Evaluation) -> None:
    confusions = figures.confusions()
    console.print(f"Most frequent confusions ({len(confusions):,} kinds in all):")
    for truth, predicted, count in confusions[:TOP_CONFUSIONS]:
        console.print(f"  {truth} -> {predicted}: {count:,}", highlight=False)
    if not confusions:
        console.print("  none")
