"""The offline intent classifier: hashed n-gram TF-IDF, a linear SVM, calibrated probabilities.

A model file is an .npz archive of plain arrays plus one JSON metadata entry, read with
`allow_pickle=False`, so loading a model never runs code. Features are hashed, not looked up
in a vocabulary: the archive stores only which hash buckets the training data used, their IDF
weights and the linear model over them, and prediction rebuilds exactly from those arrays
with numpy alone (features.py): scikit-learn and SciPy are needed to train, not to predict.
"""

import functools
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bankdesk.banking.features import (
    ANALYZERS,
    N_FEATURES,
    BlockSpec,
    SparseRows,
    keep_columns,
    sublinear_tf_idf,
)
from bankdesk.domain.errors import BankdeskError

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_MODEL_PATH = DATA_DIR / "triage-model.npz"
DEFAULT_EXAMPLES_PATH = DATA_DIR / "triage-examples.csv"
DEFAULT_EVAL_PATH = DATA_DIR / "triage-eval.csv"

FORMAT = "bankdesk-triage-model"
FORMAT_VERSION = 1
RETRAIN_HINT = "train a new one with `bankdesk triage train --data CSV --out FILE`"


class ModelFileError(BankdeskError):
    """A triage model file is missing, corrupt, or not in a format this bankdesk reads."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot use the triage model {path}: {reason}; {RETRAIN_HINT}")


@dataclass(frozen=True, slots=True)
class Prediction:
    """The most probable label, its probability, and every label ranked by probability."""

    label: str
    confidence: float
    ranked: tuple[tuple[str, float], ...]


class Block:
    """A family of hashed n-grams with the buckets seen in training and their IDF weights."""

    def __init__(self, spec: BlockSpec, columns: np.ndarray, idf: np.ndarray) -> None:
        self.spec = spec
        self.columns = np.asarray(columns, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float64)

    def counts(self, texts: Sequence[str]) -> SparseRows:
        """Raw n-gram counts over all N_FEATURES buckets."""
        return self.spec.counts(texts)

    def weigh(self, counts: SparseRows) -> SparseRows:
        """Sublinear TF-IDF over the known buckets, each row scaled to unit length."""
        return sublinear_tf_idf(keep_columns(counts, self.columns), self.idf)


def label_probabilities(scores: np.ndarray, *, temperature: float, abstain: float) -> np.ndarray:
    """Row-wise probabilities from one-vs-rest scores: a softmax with an extra "abstain" score.

    A one-vs-rest label claims a message when its score is above 0. When none does, the
    abstain score wins much of the mass, which is then shared evenly: a vague message gets a
    flat, unsure distribution instead of a confident pick among weak scores.
    """
    rows = len(scores)
    scaled = np.hstack([scores, np.full((rows, 1), abstain)]) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    exp /= exp.sum(axis=1, keepdims=True)
    return exp[:, :-1] + exp[:, -1:] / scores.shape[1]


class IntentModel:
    """A trained classifier: labels, featurizer, linear weights and a softmax temperature."""

    def __init__(
        self,
        *,
        blocks: Sequence[Block],
        coef: np.ndarray,
        intercept: np.ndarray,
        metadata: dict[str, Any],
    ) -> None:
        self.blocks = tuple(blocks)
        # float32 halves the file; the model in memory is what is saved, so a loaded model
        # predicts exactly what the trained one did.
        self.coef = np.asarray(coef, dtype=np.float32)
        # Scoring multiplies float64 features by these: contiguous float64 copies made up front
        # save converting every label's weights on every call.
        ends = np.cumsum([len(block.columns) for block in self.blocks])
        self._weights = [
            np.ascontiguousarray(part.T, dtype=np.float64)
            for part in np.split(self.coef, ends[:-1], axis=1)
        ]
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.metadata = metadata
        self.labels: tuple[str, ...] = tuple(metadata["labels"])
        self.temperature = float(metadata["classifier"]["temperature"])
        self.abstain = float(metadata["classifier"]["abstain_score"])

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per label (in `labels` order), summing to 1."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        scores = np.tile(self.intercept, (len(texts), 1))
        for block, weights in zip(self.blocks, self._weights, strict=True):
            scores += block.weigh(block.counts(texts)).dot(weights)
        return label_probabilities(scores, temperature=self.temperature, abstain=self.abstain)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """The predicted intent of each text, with every label's probability."""
        if isinstance(texts, str):  # a string is a sequence too: of one-letter texts
            raise TypeError("predict() takes a sequence of texts; use predict_one() for one")
        return [self._prediction(row) for row in self.probabilities(list(texts))]

    def predict_one(self, text: str) -> Prediction:
        """The predicted intent of one text."""
        return self.predict([text])[0]

    def _prediction(self, row: np.ndarray) -> Prediction:
        order = np.argsort(-row, kind="stable")
        ranked = tuple((self.labels[i], float(row[i])) for i in order)
        return Prediction(label=ranked[0][0], confidence=ranked[0][1], ranked=ranked)

    def save(self, path: Path) -> None:
        """Write the model as an .npz archive of plain arrays and JSON metadata."""
        arrays: dict[str, np.ndarray] = {
            "metadata": np.array(json.dumps(self.metadata, sort_keys=True)),
            "coef": self.coef,
            "intercept": self.intercept,
        }
        for number, block in enumerate(self.blocks):
            arrays[f"block{number}_columns"] = block.columns
            arrays[f"block{number}_idf"] = block.idf
        # A file handle, because np.savez would append ".npz" to any other file name.
        with path.open("wb") as file:
            np.savez_compressed(file, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> "IntentModel":
        """Read a model file, refusing anything that is not a complete, known-format model."""
        arrays = _read_arrays(path)
        metadata = _read_metadata(path, arrays)
        specs = [_block_spec(path, entry) for entry in metadata["featurizer"]["blocks"]]
        blocks = [_block(path, arrays, number, spec) for number, spec in enumerate(specs)]
        n_columns = sum(len(block.columns) for block in blocks)
        coef, intercept = _array(path, arrays, "coef"), _array(path, arrays, "intercept")
        if coef.shape != (len(metadata["labels"]), n_columns) or intercept.shape != coef.shape[:1]:
            raise ModelFileError(path, "its weights do not match its labels and features")
        if coef.dtype.kind != "f" or intercept.dtype.kind != "f":
            raise ModelFileError(path, "its weights are not floating-point numbers")
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ModelFileError(path, "its weights are not finite numbers")
        return cls(blocks=blocks, coef=coef, intercept=intercept, metadata=metadata)


@functools.cache
def default_model() -> IntentModel:
    """The model shipped in the package, trained on DEFAULT_EXAMPLES_PATH (loaded once)."""
    return IntentModel.load(DEFAULT_MODEL_PATH)


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ModelFileError(path, "there is no such file")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        # np.load raises ValueError for files that would need pickle, and for non-npz bytes.
        raise ModelFileError(path, f"it is not a readable .npz archive ({error})") from None
    # An archive member that is not in .npy format comes back as raw bytes.
    odd = sorted(name for name, value in arrays.items() if not isinstance(value, np.ndarray))
    if odd:
        raise ModelFileError(path, f"its entries {', '.join(odd)} are not arrays")
    return arrays


def _read_metadata(path: Path, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    raw = arrays.get("metadata")
    if raw is None or raw.shape != () or raw.dtype.kind != "U":
        raise ModelFileError(path, "it has no metadata entry")
    try:
        metadata = json.loads(str(raw))
    except json.JSONDecodeError:
        raise ModelFileError(path, "its metadata is not valid JSON") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(path, "it is not a bankdesk triage model")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            path, f"it is in format version {version!r}; this bankdesk reads {FORMAT_VERSION}"
        )
    labels = metadata.get("labels")
    if not (
        isinstance(labels, list)
        and len(labels) >= 2
        and all(isinstance(label, str) for label in labels)
        and len(set(labels)) == len(labels)
    ):
        raise ModelFileError(path, "its labels are missing or repeated")
    classifier = _section(metadata, "classifier")
    temperature, abstain = classifier.get("temperature"), classifier.get("abstain_score")
    if not isinstance(temperature, float) or not (math.isfinite(temperature) and temperature > 0):
        raise ModelFileError(path, "its probability temperature is missing or not positive")
    if not isinstance(abstain, float) or not math.isfinite(abstain):
        raise ModelFileError(path, "its abstain score is missing")
    featurizer = _section(metadata, "featurizer")
    blocks = featurizer.get("blocks")
    # features.py hashes lowercased text into N_FEATURES buckets, as every model so far did.
    hashed = featurizer.get("n_features") == N_FEATURES and featurizer.get("lowercase") is True
    if not (isinstance(blocks, list) and blocks) or not hashed:
        raise ModelFileError(
            path, f"its featurizer is not one of {N_FEATURES:,} lowercased hashed features"
        )
    return metadata


def _section(metadata: dict[str, Any], name: str) -> dict[str, Any]:
    section = metadata.get(name)
    return section if isinstance(section, dict) else {}


def _block_spec(path: Path, entry: Any) -> BlockSpec:
    try:
        analyzer, (low, high) = entry["analyzer"], entry["ngram_range"]
    except (TypeError, KeyError, ValueError):
        raise ModelFileError(path, f"its featurizer block {entry!r} is malformed") from None
    valid_range = all(isinstance(n, int) for n in (low, high)) and 1 <= low <= high <= 10
    if analyzer not in ANALYZERS or not valid_range:
        raise ModelFileError(path, f"its featurizer block {entry!r} is not supported")
    return BlockSpec(analyzer, (low, high))


def _block(path: Path, arrays: dict[str, np.ndarray], number: int, spec: BlockSpec) -> Block:
    columns = _array(path, arrays, f"block{number}_columns")
    idf = _array(path, arrays, f"block{number}_idf")
    inconsistent = ModelFileError(path, f"its feature block {number} is inconsistent")
    if columns.ndim != 1 or columns.dtype.kind not in "iu" or idf.shape != columns.shape:
        raise inconsistent
    ordered = bool(np.all(np.diff(columns) > 0))
    in_range = columns.size == 0 or (columns[0] >= 0 and columns[-1] < N_FEATURES)
    weights = idf.dtype.kind == "f" and bool(np.all(np.isfinite(idf) & (idf > 0)))
    if not (ordered and in_range and weights):
        raise inconsistent
    return Block(spec, columns, idf)


def _array(path: Path, arrays: dict[str, np.ndarray], name: str) -> np.ndarray:
    if name not in arrays:
        raise ModelFileError(path, f"it has no {name!r} array")
    return arrays[name]
