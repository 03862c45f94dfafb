"""word2vec corpora: streaming text files, checking iterables, and cutting jobs of word ids.

Text files follow gensim's ``LineSentence`` / ``PathLineSentences``: one sentence per line,
tokens separated by whitespace, lines longer than 10,000 tokens cut into pieces, ``.gz`` and
``.bz2`` files decompressed on the fly, a folder read file by file in name order (not
recursively). Nothing is held in memory beyond the current line.
"""

from __future__ import annotations

import bz2
import gzip
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from vectab._checks import check_int

__all__ = ["LineSentences", "check_corpus", "iter_jobs", "MAX_SENTENCE_LEN"]

MAX_SENTENCE_LEN = 10_000  # gensim's MAX_WORDS_IN_BATCH: longer sentences are cut / truncated


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    if path.suffix == ".bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


class LineSentences:
    """Stream sentences from a text file or a folder of text files (gensim's ``LineSentence``).

    Re-iterable: every ``iter()`` reads the files again from the start.

    Args:
        source: a file, or a folder whose files (not sub-folders) are read in name order.
        max_sentence_length: lines with more tokens are yielded in pieces of this length.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "corpus.txt"
        >>> _ = p.write_text("the cat sat\\n\\nthe dog ran\\n")
        >>> list(LineSentences(p))
        [['the', 'cat', 'sat'], [], ['the', 'dog', 'ran']]
    """

    def __init__(
        self, source: str | os.PathLike[str], *, max_sentence_length: int = MAX_SENTENCE_LEN
    ):
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            if not files:
                raise ValueError(f"`corpus_file` folder {str(path)!r} contains no files")
        elif path.is_file():
            files = [path]
        else:
            raise FileNotFoundError(
                f"`corpus_file` {str(path)!r} does not exist; pass a text file (one sentence per "
                "line, .gz/.bz2 allowed) or a folder of such files"
            )
        self.files = files
        check_int(max_sentence_length, "max_sentence_length")
        self.max_sentence_length = max_sentence_length

    def __iter__(self) -> Iterator[list[str]]:
        step = self.max_sentence_length
        for path in self.files:
            with _open(path) as f:
                for raw in f:
                    tokens = raw.decode("utf-8", errors="replace").split()
                    if len(tokens) <= step:
                        yield tokens
                    else:
                        for i in range(0, len(tokens), step):
                            yield tokens[i : i + step]

    def __repr__(self) -> str:
        return f"LineSentences({len(self.files)} file(s), first={str(self.files[0])!r})"


def check_corpus(
    corpus_iterable: Iterable[Sequence[str]] | None,
    corpus_file: str | os.PathLike[str] | None,
    *,
    passes: int,
) -> Iterable[Sequence[str]]:
    """Return one re-iterable corpus from exactly one of the two arguments, or raise."""
    if corpus_iterable is None and corpus_file is None:
        raise TypeError(
            "no corpus given: pass `sentences` (an iterable of token lists) or `corpus_file` "
            "(a text file or folder, one sentence per line)"
        )
    if corpus_iterable is not None and corpus_file is not None:
        raise TypeError("pass either `sentences` or `corpus_file`, not both")
    if corpus_file is not None:
        return LineSentences(corpus_file)
    if isinstance(corpus_iterable, (str, bytes, os.PathLike)):
        raise TypeError(
            f"`sentences` must be an iterable of token lists, got {type(corpus_iterable).__name__} "
            f"{str(corpus_iterable)[:60]!r}; to read a file pass corpus_file=..."
        )
    if passes > 1 and iter(corpus_iterable) is corpus_iterable:
        raise TypeError(
            "`sentences` is a one-shot iterator (a generator?), but training reads the corpus "
            f"{passes} times; pass a list or a re-iterable object (e.g. vectab's LineSentences)"
        )
    return corpus_iterable


class _Ids(dict):
    """word -> id mapping that answers -1 for unknown words without raising."""

    def __missing__(self, key: str) -> int:
        return -1


def id_table(index_to_key: Sequence[str]) -> _Ids:
    return _Ids((w, i) for i, w in enumerate(index_to_key))


def iter_jobs(
    corpus: Iterable[Sequence[str]], ids: _Ids, batch_words: int
) -> Iterator[tuple[np.ndarray, np.ndarray, int, int]]:
    """Cut the corpus into jobs of about ``batch_words`` raw words.

    Yields ``(word_ids, sentence_ends, raw_words, n_sentences)``: ``word_ids`` (int32) holds the
    ids of the job's sentences, back to back, with -1 for unknown words (the kernels skip them,
    which widens the window, as in gensim); ``sentence_ends`` (int64) the end offset of each
    sentence.
    """
    lookup = ids.__getitem__
    flat: list[int] = []
    ends: list[int] = []
    raw = 0
    for sentence in corpus:
        if isinstance(sentence, str):
            raise TypeError(
                f"each sentence must be a list of tokens, got the string {sentence[:40]!r}"
            )
        n = len(sentence)
        if raw and raw + n > batch_words:
            yield _finish(flat, ends, raw)
            flat, ends, raw = [], [], 0
        flat.extend(map(lookup, sentence))
        ends.append(len(flat))
        raw += n
    if ends:
        yield _finish(flat, ends, raw)


def _finish(flat: list[int], ends: list[int], raw: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    word_ids = np.array(flat, dtype=np.int32)
    sentence_ends = np.array(ends, dtype=np.int64)
    return word_ids, sentence_ends, raw, len(ends)
