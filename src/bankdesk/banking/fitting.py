"""The scikit-learn and SciPy part of training: a linear SVM, its folds, its temperature.

Only training imports this module, when it starts (`training._fitting`): scikit-learn and SciPy
are the optional `train` extra, and predicting or evaluating a model needs neither.
"""

import math
from collections.abc import Callable, Sequence

import numpy as np
import sklearn
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from bankdesk.banking.classifier import label_probabilities
from bankdesk.banking.features import SparseRows

SCIKIT_LEARN_VERSION = sklearn.__version__
SEED = 0

Progress = Callable[[str, float], None]


def design_matrix(blocks: Sequence[SparseRows]) -> sparse.csr_matrix:
    """The weighted feature blocks side by side, as one matrix for the SVM."""
    parts = [sparse.csr_matrix((b.values, b.columns, b.indptr), shape=b.shape) for b in blocks]
    return sparse.hstack(parts, format="csr")


def out_of_fold_scores(
    x: sparse.csr_matrix, y: np.ndarray, *, n_folds: int, c: float, report: Progress
) -> np.ndarray:
    """Each example's one-vs-rest scores from an SVM fitted on the other folds."""
    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=SEED)
    scores = np.zeros((len(y), len(np.unique(y))))
    for number, (fit_rows, held_rows) in enumerate(splitter.split(x, y)):
        report(f"calibration fold {number + 1} of {n_folds}", 0.25 + 0.6 * number / n_folds)
        _, coef, intercept = fit_linear(x[fit_rows], y[fit_rows], c)
        scores[held_rows] = x[held_rows] @ coef.T + intercept
    return scores


def fit_linear(
    x: sparse.csr_matrix, y: np.ndarray, c: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sorted labels and a one-vs-rest linear SVM's weights (float32) and intercepts."""
    svm = LinearSVC(C=c, random_state=SEED, max_iter=10_000).fit(x, y)
    coef, intercept = svm.coef_.astype(np.float32), svm.intercept_
    if len(svm.classes_) == 2:  # one weight vector scores the second class; mirror it
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return svm.classes_, coef, intercept


def fit_temperature(scores: np.ndarray, truth: np.ndarray, *, abstain: float) -> float:
    """The temperature that makes held-out examples' labels most probable (lowest NLL)."""
    rows = np.arange(len(truth))

    def negative_log_likelihood(log_temperature: float) -> float:
        probabilities = label_probabilities(
            scores, temperature=math.exp(log_temperature), abstain=abstain
        )
        return float(-np.mean(np.log(probabilities[rows, truth] + 1e-12)))

    best = minimize_scalar(
        negative_log_likelihood, bounds=(math.log(0.005), math.log(10.0)), method="bounded"
    )
    return float(math.exp(best.x))
