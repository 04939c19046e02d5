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
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from bankdesk.banking.classifier import (
    DEFAULT_BLOCKS,
    FORMAT,
    FORMAT_VERSION,
    N_FEATURES,
    Block,
    BlockSpec,
    IntentModel,
    Prediction,
    label_probabilities,
)
from bankdesk.domain.errors import BankdeskError

Progress = Callable[[str, float], None]
DEFAULT_C = 1.0  # banking77's accuracy is flat from 0.5 to 2 (benchmarks/triage_banking77.py)
DEFAULT_FOLDS = 5
# The one-vs-rest decision boundary: a label claims a message when its score is above this.
ABSTAIN_SCORE = 0.0
CHUNK = 1000  # texts hashed per progress step
SEED = 0


class TrainingDataError(BankdeskError):
    """Labelled examples that cannot train or evaluate a model (unreadable, empty, one label)."""


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
    report = progress or (lambda stage, fraction: None)
    counts = check_examples(texts, labels)
    y = np.asarray(labels)
    fitted, x = _fit_features(blocks, texts, report)
    # Out-of-fold scores tell how sure the model should be: they set the softmax temperature.
    n_folds = max(2, min(folds, min(counts.values())))
    scores = _out_of_fold_scores(x, y, n_folds=n_folds, c=c, report=report)
    report("fitting on all examples", 0.85)
    classes, coef, intercept = _fit_linear(x, y, c)
    report("calibrating probabilities", 0.97)
    temperature = fit_temperature(scores, np.searchsorted(classes, y))
    metadata = _metadata(
        texts, labels, classes=classes, blocks=blocks, c=c, temperature=temperature,
        n_folds=n_folds, source=source, trained_at=trained_at or datetime.now(UTC),
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
        "scikit_learn": sklearn.__version__,
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
) -> tuple[list[Block], sparse.csr_matrix]:
    blocks, parts = [], []
    steps = len(specs) * math.ceil(len(texts) / CHUNK)
    for number, spec in enumerate(specs):
        hasher = spec.hasher()
        chunks = []
        for start in range(0, len(texts), CHUNK):
            done = (number * math.ceil(len(texts) / CHUNK) + start // CHUNK) / steps
            report(f"hashing {spec.analyzer} n-grams", 0.25 * done)
            chunks.append(hasher.transform(texts[start : start + CHUNK]))
        counts = sparse.vstack(chunks, format="csr")
        document_frequency = np.bincount(counts.indices, minlength=N_FEATURES)
        columns = np.flatnonzero(document_frequency)
        # The smoothed IDF of scikit-learn's TfidfVectorizer, over the buckets in use.
        idf = np.log((1 + len(texts)) / (1 + document_frequency[columns])) + 1.0
        block = Block(spec, columns, idf)
        blocks.append(block)
        parts.append(block.weigh(counts))
    return blocks, sparse.hstack(parts, format="csr")


def _out_of_fold_scores(
    x: sparse.csr_matrix, y: np.ndarray, *, n_folds: int, c: float, report: Progress
) -> np.ndarray:
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=SEED)
    scores = np.zeros((len(y), len(np.unique(y))))
    for number, (fit_rows, held_rows) in enumerate(splitter.split(x, y)):
        report(f"calibration fold {number + 1} of {n_folds}", 0.25 + 0.6 * number / n_folds)
        _, coef, intercept = _fit_linear(x[fit_rows], y[fit_rows], c)
        scores[held_rows] = x[held_rows] @ coef.T + intercept
    return scores


def _fit_linear(
    x: sparse.csr_matrix, y: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    svm = LinearSVC(C=c, random_state=SEED, max_iter=10_000).fit(x, y)
    coef, intercept = svm.coef_.astype(np.float32), svm.intercept_
    if len(svm.classes_) == 2:  # one weight vector scores the second class; mirror it
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return svm.classes_, coef, intercept


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that makes held-out examples' labels most probable (lowest NLL)."""
    rows = np.arange(len(truth))

    def negative_log_likelihood(log_temperature: float) -> float:
        probabilities = label_probabilities(
            scores, temperature=math.exp(log_temperature), abstain=ABSTAIN_SCORE
        )
        return float(-np.mean(np.log(probabilities[rows, truth] + 1e-12)))

    best = minimize_scalar(
        negative_log_likelihood, bounds=(math.log(0.005), math.log(10.0)), method="bounded"
    )
    return float(math.exp(best.x))


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
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    per_class = tuple(
        ClassFigures(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    )
    matrix = confusion_matrix(truth, predicted, labels=labels)
    correct = np.array(truth) == np.array(predicted)
    confidence = np.array([p.confidence for p in predictions])
    return Evaluation(
        n=len(truth),
        accuracy=float(correct.mean()),
        macro_f1=float(np.mean(f1)),
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


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the gap between confidence and accuracy, bin-weighted."""
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for number in range(bins):
        inside = which == number
        if inside.any():
            gap += inside.sum() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(gap / len(confidence))
