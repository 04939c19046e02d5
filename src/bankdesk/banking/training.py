"""Train an intent model from labelled examples, and measure one on held-out examples."""

import csv
import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from bankdesk.banking.classifier import FORMAT, FORMAT_VERSION, Block, IntentModel, Prediction
from bankdesk.banking.features import (
    DEFAULT_BLOCKS,
    N_FEATURES,
    BlockSpec,
    SparseRows,
    stack_rows,
)
from bankdesk.domain.errors import BankdeskError

Progress = Callable[[str, float], None]
DEFAULT_C = 1.0  # banking77's accuracy is flat from 0.5 to 2 (benchmarks/triage_banking77.py)
DEFAULT_FOLDS = 5
# The one-vs-rest decision boundary: a label claims a message when its score is above this.
ABSTAIN_SCORE = 0.0
CHUNK = 1000  # texts hashed per progress step
TRAINING_PACKAGES = frozenset({"sklearn", "scipy"})


class TrainingDataError(BankdeskError):
    """Labelled examples that cannot train or evaluate a model (unreadable, empty, one label)."""


class TrainingUnavailable(BankdeskError):
    """Training needs scikit-learn and SciPy, the optional `train` extra, and one is missing."""

    def __init__(self) -> None:
        super().__init__("training needs scikit-learn: pip install 'bankdesk[train]'")


def _fitting() -> ModuleType:
    """The module that fits the SVM, or TrainingUnavailable without scikit-learn and SciPy."""
    try:
        # An optional heavy dependency (the `train` extra): predicting must not need it.
        from bankdesk.banking import fitting
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in TRAINING_PACKAGES:
            raise
        raise TrainingUnavailable from None
    return fitting


def check_trainable() -> None:
    """Raise TrainingUnavailable unless scikit-learn and SciPy, needed to train, are installed."""
    _fitting()


def read_labelled_csv(
    path: Path, *, text_col: str = "text", label_col: str = "label"
) -> tuple[list[str], list[str]]:
    """The texts and labels of a CSV file with a header row naming both columns."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            columns = list(reader.fieldnames or [])
            if not columns:
                raise TrainingDataError(f"{path} is empty: it has no header row")
            missing = [name for name in (text_col, label_col) if name not in columns]
            if missing:
                raise TrainingDataError(
                    f"{path} has no column {' or '.join(map(repr, missing))}; its columns are "
                    f"{', '.join(map(repr, columns))} (choose with --text-col and --label-col)"
                )
            pairs = [_pair(path, reader.line_num, row, text_col, label_col) for row in reader]
    except (OSError, UnicodeDecodeError) as error:
        raise TrainingDataError(f"cannot read {path}: {error}") from None
    except csv.Error as error:
        raise TrainingDataError(f"{path} is not valid CSV: {error}") from None
    if not pairs:
        raise TrainingDataError(f"{path} has a header row but no examples")
    texts, labels = zip(*pairs, strict=True)
    return list(texts), list(labels)


def _pair(
    path: Path, line: int, row: dict[str, str | None], text_col: str, label_col: str
) -> tuple[str, str]:
    text, label = (row.get(text_col) or "").strip(), (row.get(label_col) or "").strip()
    if not text or not label:
        empty = text_col if not text else label_col
        raise TrainingDataError(f"{path}, line {line}: the {empty!r} column is empty")
    return text, label


def data_fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    """SHA-256 of the examples in order, so a model names exactly the data it learned from."""
    pairs = json.dumps([[t, label] for t, label in zip(texts, labels, strict=True)])
    return hashlib.sha256(pairs.encode("utf-8")).hexdigest()


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    progress: Progress | None = None,
    c: float = DEFAULT_C,
    folds: int = DEFAULT_FOLDS,
    blocks: Sequence[BlockSpec] = DEFAULT_BLOCKS,
    source: str | None = None,
    trained_at: datetime | None = None,
) -> IntentModel:
    """Fit hashed TF-IDF features and a linear SVM, then calibrate its probabilities."""
    fitting = _fitting()  # before any work: without scikit-learn, say so at once
    report = progress or (lambda stage, fraction: None)
    counts = check_examples(texts, labels)
    y = np.asarray(labels)
    fitted, features = _fit_features(blocks, texts, report)
    x = fitting.design_matrix(features)
    # Out-of-fold scores tell how sure the model should be: they set the softmax temperature.
    n_folds = max(2, min(folds, min(counts.values())))
    scores = fitting.out_of_fold_scores(x, y, n_folds=n_folds, c=c, report=report)
    report("fitting on all examples", 0.85)
    classes, coef, intercept = fitting.fit_linear(x, y, c)
    report("calibrating probabilities", 0.97)
    truth = np.searchsorted(classes, y)
    temperature = fitting.fit_temperature(scores, truth, abstain=ABSTAIN_SCORE)
    metadata = _metadata(
        texts, labels, classes=classes, blocks=blocks, c=c, temperature=temperature,
        n_folds=n_folds, source=source, trained_at=trained_at or datetime.now(UTC),
        scikit_learn=fitting.SCIKIT_LEARN_VERSION,
    )  # fmt: skip
    report("done", 1.0)
    return IntentModel(blocks=fitted, coef=coef, intercept=intercept, metadata=metadata)


def _metadata(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    classes: np.ndarray,
    blocks: Sequence[BlockSpec],
    c: float,
    temperature: float,
    n_folds: int,
    source: str | None,
    trained_at: datetime,
    scikit_learn: str,
) -> dict[str, Any]:
    """What a model file says about itself: format, labels, settings and its training data."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "labels": [str(label) for label in classes],
        "featurizer": {
            "kind": "hashed n-gram tf-idf (sublinear tf, smooth idf, l2 per block)",
            "n_features": N_FEATURES,
            "lowercase": True,
            "blocks": [spec.as_json() for spec in blocks],
        },
        "classifier": {
            "kind": "linear svm, one vs rest",
            "C": c,
            "temperature": temperature,
            "abstain_score": ABSTAIN_SCORE,
            "calibration_folds": n_folds,
        },
        "training_sha256": data_fingerprint(texts, labels),
        "examples": len(texts),
        "label_counts": dict(sorted(Counter(labels).items())),
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "source": source,
        "scikit_learn": scikit_learn,
    }


def check_examples(texts: Sequence[str], labels: Sequence[str]) -> Counter[str]:
    """How many examples each label has, refusing data that cannot train a classifier."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    counts = Counter(labels)
    if len(counts) < 2:
        found = ", ".join(map(repr, counts)) or "none"
        raise TrainingDataError(f"training needs at least two labels; the examples have {found}")
    lonely = sorted(label for label, count in counts.items() if count < 2)
    if lonely:
        raise TrainingDataError(
            f"every label needs at least two examples; these have one: {', '.join(lonely)}"
        )
    return counts


def _fit_features(
    specs: Sequence[BlockSpec], texts: Sequence[str], report: Progress
) -> tuple[list[Block], list[SparseRows]]:
    blocks, parts = [], []
    chunks = math.ceil(len(texts) / CHUNK)
    for number, spec in enumerate(specs):
        counted = []
        for chunk, start in enumerate(range(0, len(texts), CHUNK)):
            done = (number * chunks + chunk) / (len(specs) * chunks)
            report(f"hashing {spec.analyzer} n-grams", 0.25 * done)
            counted.append(spec.counts(texts[start : start + CHUNK]))
        counts = stack_rows(counted)
        document_frequency = np.bincount(counts.columns, minlength=N_FEATURES)
        columns = np.flatnonzero(document_frequency)
        # The smoothed IDF of scikit-learn's TfidfVectorizer, over the buckets in use.
        idf = np.log((1 + len(texts)) / (1 + document_frequency[columns])) + 1.0
        block = Block(spec, columns, idf)
        blocks.append(block)
        parts.append(block.weigh(counts))
    return blocks, parts


@dataclass(frozen=True, slots=True)
class ClassFigures:
    """Precision, recall and F1 of one label, and how many examples carry it."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Latency:
    """Milliseconds to classify one message, each predicted on its own."""

    p50: float
    p95: float
    mean: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How a model did on labelled examples it did not learn from."""

    n: int
    accuracy: float
    macro_f1: float
    per_class: tuple[ClassFigures, ...]
    labels: tuple[str, ...]  # the rows (truth) and columns (prediction) of `matrix`
    matrix: tuple[tuple[int, ...], ...]
    latency_ms: Latency
    calibration_error: float  # expected |accuracy - confidence| over 10 confidence bins
    unknown_labels: tuple[str, ...]  # labels in the data the model cannot predict

    def confusions(self) -> list[tuple[str, str, int]]:
        """Every (truth, prediction, count) mistake, the most frequent first."""
        mistakes = [
            (self.labels[i], self.labels[j], count)
            for i, row in enumerate(self.matrix)
            for j, count in enumerate(row)
            if i != j and count
        ]
        return sorted(mistakes, key=lambda mistake: -mistake[2])

    def as_json(self) -> dict[str, Any]:
        """The figures as one JSON-ready object."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": [
                {
                    "label": c.label,
                    "precision": c.precision,
                    "recall": c.recall,
                    "f1": c.f1,
                    "support": c.support,
                }
                for c in self.per_class
            ],
            "confusions": [
                {"true": t, "predicted": p, "count": n} for t, p, n in self.confusions()
            ],
            "confusion_matrix": {
                "labels": list(self.labels),
                "rows": [list(r) for r in self.matrix],
            },
            "latency_ms": {
                "p50": self.latency_ms.p50,
                "p95": self.latency_ms.p95,
                "mean": self.latency_ms.mean,
            },
            "calibration_error": self.calibration_error,
            "unknown_labels": list(self.unknown_labels),
        }


def evaluate(
    model: IntentModel,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Evaluation:
    """Accuracy, macro-F1, per-class figures, confusions and per-message latency."""
    if not texts or len(texts) != len(labels):
        raise TrainingDataError("evaluation needs at least one labelled example")
    for text in texts[:20]:  # warm up caches and lazy imports before timing
        model.predict_one(text)
    predictions: list[Prediction] = []
    seconds: list[float] = []
    for text in texts:
        started = clock()
        predictions.append(model.predict_one(text))
        seconds.append(clock() - started)
    return _figures(model, list(labels), predictions, np.array(seconds) * 1000)


def _figures(
    model: IntentModel, truth: list[str], predictions: list[Prediction], milliseconds: np.ndarray
) -> Evaluation:
    predicted = [p.label for p in predictions]
    unknown = tuple(sorted(set(truth) - set(model.labels)))
    seen = set(truth) | set(predicted)
    labels = [label for label in model.labels if label in seen] + list(unknown)
    matrix = confusion_matrix(truth, predicted, labels=labels)
    per_class = class_figures(matrix, labels)
    correct = np.array(truth) == np.array(predicted)
    confidence = np.array([p.confidence for p in predictions])
    return Evaluation(
        n=len(truth),
        accuracy=float(correct.mean()),
        macro_f1=float(np.mean([figures.f1 for figures in per_class])),
        per_class=per_class,
        labels=tuple(labels),
        matrix=tuple(tuple(int(n) for n in row) for row in matrix),
        latency_ms=Latency(
            p50=float(np.percentile(milliseconds, 50)),
            p95=float(np.percentile(milliseconds, 95)),
            mean=float(milliseconds.mean()),
        ),
        calibration_error=calibration_error(confidence, correct),
        unknown_labels=unknown,
    )


def confusion_matrix(
    truth: Sequence[str], predicted: Sequence[str], *, labels: Sequence[str]
) -> np.ndarray:
    """How many examples of each true label (row) got each predicted label (column)."""
    index = {label: number for number, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    cells = ([index[label] for label in truth], [index[label] for label in predicted])
    np.add.at(matrix, cells, 1)
    return matrix


def class_figures(matrix: np.ndarray, labels: Sequence[str]) -> tuple[ClassFigures, ...]:
    """Each label's precision, recall and F1 from a confusion matrix; 0 where undefined."""
    hits = np.diag(matrix).astype(np.float64)
    support, claimed = matrix.sum(axis=1), matrix.sum(axis=0)
    # As scikit-learn's precision_recall_fscore_support(zero_division=0) computes them.
    precision = np.divide(hits, claimed, out=np.zeros_like(hits), where=claimed > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    both = (support + claimed).astype(np.float64)
    f1 = np.divide(2.0 * hits, both, out=np.zeros_like(hits), where=both > 0)
    return tuple(
        ClassFigures(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    )


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy, bin-weighted."""
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for number in range(bins):
        inside = which == number
        if inside.any():
            gap += inside.sum() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(gap / len(confidence))
