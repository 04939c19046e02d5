"""Hashed n-gram counts and their TF-IDF weights, with numpy and the standard library only.

The buckets are exactly those of scikit-learn's `HashingVectorizer(lowercase=True,
alternate_sign=False, norm=None, n_features=N_FEATURES)`, which trained the first models: an
n-gram's bucket is MurmurHash3 (x86, 32-bit, seed 0) of its UTF-8 bytes, signed, in absolute
value modulo N_FEATURES. A model file therefore predicts the same here, and prediction needs
neither scikit-learn nor SciPy.
"""

import functools
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import chain, pairwise
from typing import Any

import numpy as np

N_FEATURES = 2**20  # hash buckets per block: collisions stay rare at 10^5 distinct n-grams
ANALYZERS = frozenset({"word", "char", "char_wb"})
# Buckets are remembered: a message shares most n-grams and words with earlier ones, and a hit
# costs a tenth of hashing again. Full of distinct words, the two hold about 17 MB.
CACHED_BUCKETS = 2**15  # n-grams
CACHED_WORDS = 2**13  # words, with the buckets of all their character n-grams

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
WHITE_SPACES = re.compile(r"\s\s+")
_MASK = 0xFFFFFFFF


def murmurhash3_32(key: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit of the bytes, as a signed integer (scikit-learn's murmurhash3_32)."""
    h = seed & _MASK
    whole = len(key) & ~3
    for (k,) in struct.iter_unpack("<I", key[:whole]):
        k = (k * 0xCC9E2D51) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        h ^= (k * 0x1B873593) & _MASK
        h = ((h << 13) | (h >> 19)) & _MASK
        h = (h * 5 + 0xE6546B64) & _MASK
    if whole < len(key):
        k = (int.from_bytes(key[whole:], "little") * 0xCC9E2D51) & _MASK
        k = ((k << 15) | (k >> 17)) & _MASK
        h ^= (k * 0x1B873593) & _MASK
    h ^= len(key) & _MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


@functools.lru_cache(maxsize=CACHED_BUCKETS)
def bucket(ngram: str) -> int:
    """The n-gram's hash bucket, 0 to N_FEATURES - 1."""
    # scikit-learn cannot encode a lone surrogate and fails; its UTF-8-like bytes give a bucket.
    return abs(murmurhash3_32(ngram.encode("utf-8", "surrogatepass"))) % N_FEATURES


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """The lowercased words of two or more letters, and their runs of low to high words."""
    words = TOKEN.findall(text.lower())
    grams = list(words) if low == 1 else []
    for n in range(max(low, 2), min(high, len(words)) + 1):
        grams.extend(" ".join(words[start : start + n]) for start in range(len(words) - n + 1))
    return grams


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Every run of low to high characters, whitespace runs counted as one space."""
    text = WHITE_SPACES.sub(" ", text.lower())
    grams = list(text) if low == 1 else []
    for n in range(max(low, 2), min(high, len(text)) + 1):
        grams.extend(text[start : start + n] for start in range(len(text) - n + 1))
    return grams


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Runs of low to high characters inside each space-padded word; a short word once, whole."""
    # scikit-learn collapses whitespace runs first; split() already treats a run as one gap.
    return [gram for word in text.lower().split() for gram in _pieces(word, low, high)]


def _pieces(word: str, low: int, high: int) -> list[str]:
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        if n >= len(padded):
            grams.append(padded)
            break
        grams.extend(padded[start : start + n] for start in range(len(padded) - n + 1))
    return grams


@functools.lru_cache(maxsize=CACHED_WORDS)
def _piece_buckets(word: str, low: int, high: int) -> tuple[int, ...]:
    return tuple(map(bucket, _pieces(word, low, high)))


NGRAMS: dict[str, Callable[[str, int, int], list[str]]] = {
    "word": word_ngrams,
    "char": char_ngrams,
    "char_wb": char_wb_ngrams,
}


@dataclass(frozen=True, slots=True)
class SparseRows:
    """A sparse matrix by rows: row i holds values[indptr[i]:indptr[i + 1]] at those columns."""

    values: np.ndarray  # float64
    columns: np.ndarray  # int64, increasing within each row
    indptr: np.ndarray  # int64, one more than the number of rows
    width: int

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns), as scipy.sparse names it."""
        return len(self.indptr) - 1, self.width

    def dot(self, dense: np.ndarray) -> np.ndarray:
        """This matrix times a dense (width x k) one: one dense row per row."""
        product = np.zeros((self.shape[0], dense.shape[1]))
        bounds = self.indptr.tolist()
        for row, (start, end) in enumerate(pairwise(bounds)):
            if end > start:
                product[row] = self.values[start:end] @ dense[self.columns[start:end]]
        return product


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One family of hashed n-grams: word n-grams, or character n-grams (within words)."""

    analyzer: str
    ngram_range: tuple[int, int]

    def ngrams(self, text: str) -> list[str]:
        """The text's n-grams of this family, repeated as often as they occur."""
        return NGRAMS[self.analyzer](text, *self.ngram_range)

    def buckets(self, text: str) -> list[int]:
        """The bucket of each of the text's n-grams."""
        if self.analyzer == "char_wb":  # a word's pieces are its own: look them up by word
            low, high = self.ngram_range
            return [b for word in text.lower().split() for b in _piece_buckets(word, low, high)]
        return list(map(bucket, self.ngrams(text)))

    def counts(self, texts: Sequence[str]) -> SparseRows:
        """How often each of N_FEATURES buckets occurs in each text (HashingVectorizer's counts)."""
        per_text = [self.buckets(text) for text in texts]
        sizes = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
        buckets = np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=int(sizes.sum()))
        rows = np.repeat(np.arange(len(per_text), dtype=np.int64), sizes)
        # One sorted key per (row, bucket): sorting orders rows, then buckets within a row.
        keys, counts = np.unique(rows * N_FEATURES + buckets, return_counts=True)
        indptr = np.searchsorted(keys, np.arange(len(per_text) + 1, dtype=np.int64) * N_FEATURES)
        return SparseRows(
            counts.astype(np.float64), keys % N_FEATURES, indptr.astype(np.int64), N_FEATURES
        )

    def as_json(self) -> dict[str, Any]:
        """The spec as stored in a model file's metadata."""
        return {"analyzer": self.analyzer, "ngram_range": list(self.ngram_range)}


DEFAULT_BLOCKS = (BlockSpec("word", (1, 2)), BlockSpec("char_wb", (2, 5)))


def keep_columns(counts: SparseRows, columns: np.ndarray) -> SparseRows:
    """The counts of the given sorted bucket ids only, renumbered 0..len(columns)-1."""
    if len(columns) == 0:
        return SparseRows(np.zeros(0), np.zeros(0, np.int64), np.zeros_like(counts.indptr), 0)
    position = np.searchsorted(columns, counts.columns)
    found = columns[np.minimum(position, len(columns) - 1)] == counts.columns
    indptr = np.concatenate(([0], np.cumsum(found)))[counts.indptr]
    return SparseRows(counts.values[found], position[found], indptr, len(columns))


def sublinear_tf_idf(counts: SparseRows, idf: np.ndarray) -> SparseRows:
    """(1 + log count) x IDF of each known column, each row scaled to unit length."""
    return unit_rows(replace(counts, values=(1.0 + np.log(counts.values)) * idf[counts.columns]))


def unit_rows(matrix: SparseRows) -> SparseRows:
    """The matrix with every non-empty row scaled to unit Euclidean length."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    lengths = np.sqrt(np.bincount(rows, weights=matrix.values**2, minlength=matrix.shape[0]))
    return replace(matrix, values=matrix.values / lengths[rows])


def stack_rows(parts: Sequence[SparseRows]) -> SparseRows:
    """The rows of every part, one part after the other (all of one width)."""
    offsets = np.cumsum([0] + [len(part.values) for part in parts])
    indptr = [part.indptr[1:] + offset for part, offset in zip(parts, offsets[:-1], strict=True)]
    return SparseRows(
        np.concatenate([part.values for part in parts]),
        np.concatenate([part.columns for part in parts]),
        np.concatenate([np.zeros(1, np.int64), *indptr]),
        parts[0].width,
    )
