"""Hashed n-gram features without scikit-learn: the same buckets, weights and predictions."""

import random
from importlib.util import find_spec

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.without_training import TRAINING_PACKAGES, run_without_training

from bankdesk.banking.classifier import IntentModel, default_model, label_probabilities
from bankdesk.banking.features import (
    DEFAULT_BLOCKS,
    N_FEATURES,
    BlockSpec,
    SparseRows,
    bucket,
    keep_columns,
    murmurhash3_32,
    stack_rows,
)
from bankdesk.banking.training import train

SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."
SPECS = [
    *DEFAULT_BLOCKS,
    BlockSpec("word", (1, 1)),
    BlockSpec("word", (2, 3)),
    BlockSpec("char_wb", (1, 5)),
    BlockSpec("char_wb", (3, 3)),
    BlockSpec("char", (1, 3)),
    BlockSpec("char", (3, 6)),
]
needs_sklearn = pytest.mark.skipif(find_spec("sklearn") is None, reason="needs scikit-learn")


def varied_texts() -> list[str]:
    fixed = [
        "", " ", "\t\n", "a", "ok", "I", SEED_MESSAGE, "I WAS CHARGED TWICE!!! twice??",
        "Ünïcödé ÇARD façade naïve", "İstanbul ǅ ß ẞ ﬁ Σ ΣΊΣΥΦΟΣ σίσυφος", "emoji 💳💸 card 🏦",
        "日本語のテキスト カード", "中文 信用卡 被盗", "русский текст карта",
        "  multiple   spaces\t\tand\ttabs\n\nnewlines  ", "punct!!! ??? ... --- ''' \"\" ,,, ;;",
        "a_b c-d e.f g/h $100.00 £5 €3,50", "\u00a0nbsp\u00a0sep\u2003emsp\u3000ideographic",
        "zero\u200bwidth\u200djoiner", "combining e\u0301 a\u0308", "\x00nul\x01ctl\x1c\x1f",
        "can't won't it's o'clock", "\U0001f600" * 40, "x" * 3000, "word " * 500,
        "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522 math",
    ]  # fmt: skip
    rng = random.Random(0)
    alphabet = "abcdefghij KLM   ñüé€💳日\t\n!?.,'_-0123456789Σ\u03c3ßİI\u0301\u00a0\u2028"
    made = ["".join(rng.choices(alphabet, k=rng.randint(0, 200))) for _ in range(300)]
    return fixed + made


def sklearn_hasher(spec: BlockSpec):
    text = pytest.importorskip("sklearn.feature_extraction.text")
    return text.HashingVectorizer(
        analyzer=spec.analyzer, ngram_range=spec.ngram_range, n_features=N_FEATURES,
        alternate_sign=False, norm=None, lowercase=True, dtype=np.float64,
    )  # fmt: skip


# --- hashing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "seed", "expected"),
    [
        (b"", 0, 0),
        (b"", 1, 0x514E28B7),
        (b"test", 0, 0xBA6BD213 - 2**32),
        (b"Hello, world!", 1234, 0xFAF6CDB3 - 2**32),
        (b"The quick brown fox jumps over the lazy dog", 0x9747B28C, 0x2FA826CD),
        ("café".encode(), 0, 605818632),
    ],
)
def test_murmurhash3_gives_the_published_signed_values(key, seed, expected) -> None:
    assert murmurhash3_32(key, seed) == expected


def test_murmurhash3_agrees_with_scikit_learn_on_random_bytes() -> None:
    murmurhash = pytest.importorskip("sklearn.utils").murmurhash3_32
    rng = random.Random(1)
    for _ in range(20_000):
        key, seed = rng.randbytes(rng.randint(0, 40)), rng.getrandbits(32)
        assert murmurhash3_32(key, seed) == murmurhash(key, seed=seed)


def test_a_bucket_is_the_hash_in_absolute_value_modulo_the_buckets() -> None:
    assert bucket("test") == (2**32 - 0xBA6BD213) % N_FEATURES
    assert 0 <= bucket("\ud800 a lone surrogate") < N_FEATURES  # scikit-learn would fail


# --- n-grams -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "text", "expected"),
    [
        (BlockSpec("word", (1, 2)), "I saw the CARD, card!",
         ["saw", "the", "card", "card", "saw the", "the card", "card card"]),
        (BlockSpec("word", (2, 2)), "one two", ["one two"]),
        (BlockSpec("char_wb", (2, 3)), "Hi a",
         [" h", "hi", "i ", " hi", "hi ", " a", "a ", " a "]),
        (BlockSpec("char", (1, 2)), "a  B", ["a", " ", "b", "a ", " b"]),
        (BlockSpec("char_wb", (2, 5)), "", []),
    ],
)  # fmt: skip
def test_ngrams_are_lowercased_and_cut_as_scikit_learn_cuts_them(spec, text, expected) -> None:
    assert spec.ngrams(text) == expected


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_ngrams_and_counts_equal_scikit_learns_hashing_vectorizer(spec) -> None:
    hasher = sklearn_hasher(spec)
    texts = varied_texts()
    analyze = hasher.build_analyzer()

    assert [spec.ngrams(text) for text in texts] == [analyze(text) for text in texts]
    ours, theirs = spec.counts(texts), hasher.transform(texts)
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.columns, theirs.indices)
    assert np.array_equal(ours.values, theirs.data)


@needs_sklearn
@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(max_size=80), min_size=1, max_size=4))
def test_counts_equal_scikit_learns_on_any_text(texts) -> None:
    for spec in DEFAULT_BLOCKS:
        ours, theirs = spec.counts(texts), sklearn_hasher(spec).transform(texts)
        assert np.array_equal(ours.indptr, theirs.indptr)
        assert np.array_equal(ours.columns, theirs.indices)
        assert np.array_equal(ours.values, theirs.data)


# --- sparse rows -------------------------------------------------------------------------


def test_sparse_rows_multiply_stack_and_keep_columns_like_dense_matrices() -> None:
    first = SparseRows(np.array([1.0, 2.0, 3.0]), np.array([0, 3, 1]), np.array([0, 2, 2, 3]), 4)
    second = SparseRows(np.array([5.0]), np.array([2]), np.array([0, 1]), 4)
    dense = np.array([[1.0, 0, 0, 2], [0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 5, 0]])
    weights = np.arange(8.0).reshape(4, 2)

    stacked = stack_rows([first, second])
    kept = keep_columns(stacked, np.array([1, 2, 3]))

    assert np.array_equal(stacked.dot(weights), dense @ weights)
    assert kept.shape == (4, 3)
    assert np.array_equal(kept.dot(weights[1:]), dense[:, 1:] @ weights[1:])
    assert keep_columns(stacked, np.array([], dtype=np.int64)).shape == (4, 0)


# --- predictions -------------------------------------------------------------------------


def sklearn_probabilities(model: IntentModel, texts: list[str]) -> np.ndarray:
    """What the scikit-learn and SciPy featurizer of earlier releases computed."""
    normalize = pytest.importorskip("sklearn.preprocessing").normalize
    scores = np.tile(model.intercept, (len(texts), 1))
    start = 0
    for block in model.blocks:
        known = sklearn_hasher(block.spec).transform(texts)[:, block.columns].tocsr()
        known.data = 1.0 + np.log(known.data)
        weighted = normalize(known.multiply(block.idf[np.newaxis, :]).tocsr())
        end = start + len(block.columns)
        scores += weighted @ model.coef[:, start:end].T.astype(np.float64)
        start = end
    return label_probabilities(scores, temperature=model.temperature, abstain=model.abstain)


def test_the_shipped_model_predicts_what_the_scikit_learn_featurizer_did() -> None:
    model, texts = default_model(), varied_texts()

    assert np.allclose(model.probabilities(texts), sklearn_probabilities(model, texts),
                       rtol=0, atol=1e-12)  # fmt: skip


def test_a_model_with_every_analyzer_predicts_what_the_scikit_learn_featurizer_did() -> None:
    pytest.importorskip("sklearn")
    texts = [text for text in varied_texts() if text.strip()][:60]
    labels = ["odd", "even", "third"] * 20
    model = train(texts, labels, blocks=SPECS[2:], folds=2)

    assert np.allclose(model.probabilities(texts), sklearn_probabilities(model, texts),
                       rtol=0, atol=1e-12)  # fmt: skip


def test_a_lone_surrogate_is_classified_rather_than_failing() -> None:
    assert default_model().predict_one("dispute \ud800 this card payment").label


# --- the runtime needs neither scikit-learn nor SciPy ------------------------------------


def test_the_api_cli_and_a_prediction_need_neither_scikit_learn_nor_scipy(tmp_path) -> None:
    code = f"""
import asyncio

import bankdesk.api.app
import bankdesk.cli.app
import bankdesk.cli.triage_model
from bankdesk.bootstrap import bootstrap
from bankdesk.settings import Settings

app = bootstrap(Settings(_env_file=None))
triaged = asyncio.run(app.banking.triage.classify({SEED_MESSAGE!r}))
loaded = sorted(name for name in sys.modules if name.partition(".")[0] in {TRAINING_PACKAGES!r})
print(triaged.classification.intent, triaged.source, loaded)
"""
    completed = run_without_training(code, cwd=tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "card_dispute offline []"
