"""Word-similarity and analogy benchmarks, with gensim's numbers, batched on torch.

Both functions follow gensim 4.4's ``KeyedVectors.evaluate_word_pairs`` and
``evaluate_word_analogies`` rule for rule (vocabulary restricted to the first
``restrict_vocab`` words, upper-casing with the first case variant winning, out-of-vocabulary
lines skipped or counted as wrong with ``dummy4unknown``, input words never predicted), so they
return the same numbers; the analogies are solved as a few matrix products per batch of
questions instead of one pass over the vocabulary per question.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import torch

from vectab._checks import check_bool, check_int
from vectab._progress import ProgressArg, ProgressEvent, emitter

__all__ = [
    "evaluate_word_pairs",
    "evaluate_word_analogies",
    "WordPairsResult",
    "AnalogyResult",
    "AnalogySection",
    "Correlation",
]

_SCORE_BUDGET = 2**22  # score elements per batch of questions (x4 buffers of float32)


class Correlation(NamedTuple):
    """A correlation and its two-sided p-value, as scipy's ``pearsonr`` / ``spearmanr`` give."""

    statistic: float
    pvalue: float

    @property
    def correlation(self) -> float:
        """The statistic (the name of scipy's older ``SpearmanrResult``)."""
        return self.statistic


class _ReadOnlyTuple(tuple):
    """A tuple that unpacks as gensim's return value and carries vectab's extras as attributes."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only; `{name}` cannot be set")

    def _set(self, **values: Any) -> None:
        self.__dict__.update(values)


class WordPairsResult(_ReadOnlyTuple):
    """Correlation of model similarities with human judgements.

    Unpacks as gensim's ``evaluate_word_pairs`` result: ``pearson, spearman, oov_ratio =
    result``, where ``pearson`` and ``spearman`` are ``(statistic, pvalue)`` pairs
    (:class:`Correlation`). The attributes ``pearson`` and ``spearman`` are the statistics
    (floats); ``pearson_pvalue`` and ``spearman_pvalue`` the p-values. ``oov_ratio`` is a
    percentage (0-100), as in gensim.
    """

    pearson: float
    spearman: float
    oov_ratio: float
    pairs: int
    oov: int
    pearson_pvalue: float
    spearman_pvalue: float

    def __new__(
        cls,
        pearson: float,
        spearman: float,
        oov_ratio: float,
        pairs: int,
        oov: int,
        pearson_pvalue: float = float("nan"),
        spearman_pvalue: float = float("nan"),
    ) -> WordPairsResult:
        self = super().__new__(
            cls,
            (
                Correlation(float(pearson), float(pearson_pvalue)),
                Correlation(float(spearman), float(spearman_pvalue)),
                float(oov_ratio),
            ),
        )
        self._set(
            pearson=float(pearson), spearman=float(spearman), oov_ratio=float(oov_ratio),
            pairs=int(pairs), oov=int(oov), pearson_pvalue=float(pearson_pvalue),
            spearman_pvalue=float(spearman_pvalue),
        )
        return self

    def __reduce__(self) -> tuple:
        return type(self), (self.pearson, self.spearman, self.oov_ratio, self.pairs, self.oov,
                            self.pearson_pvalue, self.spearman_pvalue)

    def __repr__(self) -> str:
        return (
            f"WordPairsResult(pearson={self.pearson!r}, spearman={self.spearman!r}, "
            f"oov_ratio={self.oov_ratio!r}, pairs={self.pairs}, oov={self.oov})"
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AnalogySection:
    """Counts for one ``: section`` of an analogy file (and ``"Total accuracy"``).

    Indexing by gensim's keys gives gensim's section dict entries: ``section["section"]`` (the
    name), ``section["correct"]`` and ``section["incorrect"]`` (the 3CosAdd questions, as
    ``(a, b, c, expected)`` tuples, upper-cased when case-insensitive).
    """

    name: str
    correct: int
    correct_cosmul: int
    total: int
    correct_questions: tuple[tuple[str, str, str, str], ...] = field(
        default=(), repr=False, compare=False
    )
    incorrect_questions: tuple[tuple[str, str, str, str], ...] = field(
        default=(), repr=False, compare=False
    )

    @property
    def accuracy(self) -> float:
        """3CosAdd accuracy (0.0 for an empty section, as gensim)."""
        return self.correct / self.total if self.total else 0.0

    @property
    def accuracy_cosmul(self) -> float:
        """3CosMul accuracy."""
        return self.correct_cosmul / self.total if self.total else 0.0

    def __getitem__(self, key: str) -> Any:
        if key == "section":
            return self.name
        if key == "correct":
            return list(self.correct_questions)
        if key == "incorrect":
            return list(self.incorrect_questions)
        raise KeyError(f"{key!r}: a section has the gensim keys 'section', 'correct', 'incorrect'")

    def __contains__(self, key: object) -> bool:
        """``"correct" in section`` as on gensim's section dicts."""
        return key in ("section", "correct", "incorrect")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "correct": self.correct, "correct_cosmul": self.correct_cosmul,
            "total": self.total, "accuracy": self.accuracy, "accuracy_cosmul": self.accuracy_cosmul,
        }


class AnalogyResult(_ReadOnlyTuple):
    """Analogy accuracy overall and per section; ``oov_ratio`` is a percentage, as in gensim.

    Unpacks as gensim's ``evaluate_word_analogies`` result: ``score, sections = result``
    (``score`` is the 3CosAdd accuracy; each section also answers gensim's dict keys, see
    :class:`AnalogySection`).
    """

    accuracy: float
    accuracy_cosmul: float
    sections: list[AnalogySection]
    oov_ratio: float
    questions: int
    oov: int

    def __new__(
        cls,
        accuracy: float,
        accuracy_cosmul: float,
        sections: list[AnalogySection] | None = None,
        oov_ratio: float = 0.0,
        questions: int = 0,
        oov: int = 0,
    ) -> AnalogyResult:
        sections = list(sections or [])
        self = super().__new__(cls, (float(accuracy), sections))
        self._set(
            accuracy=float(accuracy), accuracy_cosmul=float(accuracy_cosmul), sections=sections,
            oov_ratio=float(oov_ratio), questions=int(questions), oov=int(oov),
        )
        return self

    def __reduce__(self) -> tuple:
        return type(self), (self.accuracy, self.accuracy_cosmul, self.sections, self.oov_ratio,
                            self.questions, self.oov)

    def __repr__(self) -> str:
        return (
            f"AnalogyResult(accuracy={self.accuracy!r}, accuracy_cosmul={self.accuracy_cosmul!r}, "
            f"sections=<{len(self.sections)}>, oov_ratio={self.oov_ratio!r}, "
            f"questions={self.questions}, oov={self.oov})"
        )

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["sections"] = [s.to_dict() for s in self.sections]
        return out


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((qam + 2 * m) * (a + 2 * m)),
                    -(a + m) * (qab + m) * x / ((a + 2 * m) * (qap + 2 * m))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _pvalue(r: float, n: int) -> float:
    """Two-sided p-value of correlation ``r`` over ``n`` pairs (scipy's ``pearsonr`` and
    ``spearmanr``: Student's t with n - 2 degrees of freedom)."""
    if math.isnan(r):
        return float("nan")
    if n <= 2:
        return 1.0
    df = n - 2
    return max(0.0, min(1.0, _betainc(df / 2.0, 0.5, max(0.0, 1.0 - r * r))))


def _check_options(restrict_vocab: Any, case_insensitive: Any, dummy4unknown: Any) -> None:
    check_int(restrict_vocab, "restrict_vocab")
    check_bool(case_insensitive, "case_insensitive")
    check_bool(dummy4unknown, "dummy4unknown")


def _ok_vocab(vectors: Any, restrict_vocab: int, case_insensitive: bool) -> dict[str, int]:
    """Word (upper-cased when case-insensitive) -> row id; the first case variant wins."""
    keys = vectors.index_to_key[:restrict_vocab]
    if case_insensitive:
        return {k.upper(): i for i, k in reversed(list(enumerate(keys)))}
    return {k: i for i, k in enumerate(keys)}


def _rank(x: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (scipy's ``rankdata(method="average")``)."""
    order = np.argsort(x, kind="mergesort")
    sx = x[order]
    starts = np.r_[0, np.flatnonzero(sx[1:] != sx[:-1]) + 1]
    ends = np.r_[starts[1:], len(x)]
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    xm, ym = x - x.mean(), y - y.mean()
    den = np.linalg.norm(xm) * np.linalg.norm(ym)
    return float(np.clip(xm @ ym / den, -1.0, 1.0)) if den > 0 else float("nan")


def _read_pairs(pairs: Any, delimiter: str, encoding: str) -> Iterable[tuple[Any, ...]]:
    if isinstance(pairs, (str, os.PathLike)):
        with open(pairs, encoding=encoding) as fin:
            for line in fin:
                if not line or line.startswith("#"):
                    continue
                yield tuple(line.split(delimiter))
    else:
        for row in pairs:
            yield tuple(row)


def evaluate_word_pairs(
    vectors: Any,
    pairs: str | os.PathLike | Iterable[tuple[str, str, float]],
    *,
    delimiter: str = "\t",
    encoding: str = "utf8",
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    progress: ProgressArg = None,
) -> WordPairsResult:
    """Correlate cosine similarities with human scores (gensim's ``evaluate_word_pairs``).

    Args:
        vectors: a :class:`~vectab.vectors.Vectors`.
        pairs: a file of ``word1<delimiter>word2<delimiter>score`` lines (``#`` lines are
            comments; malformed lines are skipped) or an iterable of ``(word1, word2, score)``.
        delimiter: field separator of the file.
        encoding: text encoding of the file.
        restrict_vocab: only the first ``restrict_vocab`` words count as known.
        case_insensitive: compare upper-cased words (the first case variant's vector is used).
        dummy4unknown: give pairs with unknown words similarity 0 instead of skipping them.
        progress: ``True`` for the one renderer, or a callable receiving
            :class:`vectab._progress.ProgressEvent` values (task ``"evaluate word pairs"``,
            unit ``"queries"``: ``start``, then ``end`` with the correlations).

    Returns:
        Pearson and Spearman correlations, the percentage of pairs with unknown words, and the
        counts.

    Example:
        >>> from vectab.vectors import Vectors
        >>> kv = Vectors(["a", "b", "c"], np.array([[1, 0], [1, 1], [0, 1]], "float32"))
        >>> r = evaluate_word_pairs(kv, [("a", "b", 5.0), ("a", "c", 1.0), ("b", "c", 5.0)])
        >>> round(r.spearman, 3), r.oov_ratio
        (1.0, 0.0)
    """
    _check_options(restrict_vocab, case_insensitive, dummy4unknown)
    emit = emitter(progress)
    task = "evaluate word pairs"
    if emit is not None:
        emit(ProgressEvent(task, "start", unit="queries"))
    ok_vocab = _ok_vocab(vectors, restrict_vocab, case_insensitive)
    gold, pairs_ids, oov = [], [], 0
    for row in _read_pairs(pairs, delimiter, encoding):
        try:
            a, b, sim = row
            a, b = (a.upper(), b.upper()) if case_insensitive else (a, b)
            sim = float(sim)
        except (ValueError, TypeError, AttributeError):
            continue  # malformed line, as gensim
        if a not in ok_vocab or b not in ok_vocab:
            oov += 1
            if dummy4unknown:
                gold.append(sim)
                pairs_ids.append((-1, -1))
            continue
        gold.append(sim)
        pairs_ids.append((ok_vocab[a], ok_vocab[b]))
    if not gold:
        raise ValueError(
            f"`pairs` {pairs if isinstance(pairs, (str, os.PathLike)) else ''!s} has no valid "
            f"pair with both words in the first {restrict_vocab} words: check the delimiter "
            f"({delimiter!r}) and the vocabulary"
        )
    ids = np.asarray(pairs_ids, dtype=np.int64)
    known = ids[:, 0] >= 0
    model = np.zeros(len(ids), dtype=np.float64)
    if known.any():
        va = np.asarray(vectors.vectors[ids[known, 0]], dtype=np.float64)
        vb = np.asarray(vectors.vectors[ids[known, 1]], dtype=np.float64)
        den = np.linalg.norm(va, axis=1) * np.linalg.norm(vb, axis=1)
        model[known] = np.einsum("ij,ij->i", va, vb) / np.where(den > 0, den, 1.0)
    gold_arr = np.asarray(gold, dtype=np.float64)
    n_scored = len(gold) if dummy4unknown else len(gold) + oov
    pearson = _pearson(gold_arr, model)
    spearman = _pearson(_rank(gold_arr), _rank(model))
    result = WordPairsResult(
        pearson=pearson,
        spearman=spearman,
        oov_ratio=100.0 * oov / n_scored,
        pairs=len(gold),
        oov=oov,
        pearson_pvalue=_pvalue(pearson, len(gold)),
        spearman_pvalue=_pvalue(spearman, len(gold)),
    )
    if emit is not None:
        metrics = {"pearson": result.pearson, "spearman": result.spearman,
                   "oov_ratio": result.oov_ratio}
        emit(ProgressEvent(task, "end", done=n_scored, total=n_scored, unit="queries",
                           metrics=metrics))
    return result


def _read_analogies(path: str | os.PathLike, case_insensitive: bool):
    """Yield ("section", name) and ("question", (a, b, c, expected)) in file order."""
    seen_section = False
    with open(path, "rb") as fin:
        for line_no, raw in enumerate(fin):
            line = raw.decode("utf8")
            if line.startswith(": "):
                seen_section = True
                yield "section", line.lstrip(": ").strip()
                continue
            if not seen_section:
                from vectab.errors import VectorFormatError

                raise VectorFormatError(
                    path, line_no + 1, "expected a ': section' header before the first question"
                )
            words = line.split()
            if len(words) != 4:
                continue  # malformed line, skipped as gensim does
            yield "question", tuple(w.upper() for w in words) if case_insensitive else tuple(words)


def _solve(
    unit: torch.Tensor, ids: torch.Tensor, topn: int, work: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top candidates (3CosAdd, 3CosMul) for questions ``ids`` (b, 3) = a, b, c (b - a + c).

    ``work`` is a reused (4, batch, V) buffer: fresh large tensors per batch cost more in page
    faults than the matrix products themselves.
    """
    b = ids.shape[0]
    sa, sb, sc, add = (work[j, :b] for j in range(4))
    for j, out in enumerate((sa, sb, sc)):
        torch.mm(unit[ids[:, j]], unit.T, out=out)
    torch.add(sb, sc, out=add).sub_(sa)  # proportional to cos(unit(b - a + c), x)
    sb.add_(1).mul_(0.5).mul_(sc.add_(1).mul_(0.5)).div_(sa.add_(1).mul_(0.5).add_(1e-6))
    fill = torch.full(ids.shape, float("-inf"), device=unit.device)
    add.scatter_(1, ids, fill)
    sb.scatter_(1, ids, fill)
    k = min(topn, unit.shape[0])
    return torch.topk(add, k, dim=1).indices, torch.topk(sb, k, dim=1).indices


def evaluate_word_analogies(
    vectors: Any,
    analogies: str | os.PathLike,
    *,
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
    progress: ProgressArg = None,
) -> AnalogyResult:
    """Solve "a is to b as c is to ?" questions by 3CosAdd and 3CosMul (gensim's rules).

    The file has ``: section`` headers followed by ``a b c expected`` lines
    (``questions-words.txt``). As gensim's ``evaluate_word_analogies``: questions with a word
    outside the first ``restrict_vocab`` words are skipped (or wrong with ``dummy4unknown``);
    the answer is the best of the five top words that is not an input word. 3CosMul
    (``most_similar_cosmul``) is scored the same way, over the same restricted vocabulary.

    Args:
        vectors: a :class:`~vectab.vectors.Vectors` (searched on its device).
        analogies: path of the question file.
        restrict_vocab: size of the vocabulary used for questions and answers.
        case_insensitive: compare upper-cased words.
        dummy4unknown: count questions with unknown words as wrong instead of skipping them.
        progress: ``True`` for the one renderer, or a callable receiving
            :class:`vectab._progress.ProgressEvent` values (task ``"evaluate analogies"``,
            unit ``"queries"``: ``start`` with the number of questions to solve, an ``update``
            per batch solved, ``end`` with both accuracies).

    Returns:
        Overall ("Total accuracy") and per-section accuracy for both methods.
    """
    _check_options(restrict_vocab, case_insensitive, dummy4unknown)
    emit = emitter(progress)
    ok_vocab = _ok_vocab(vectors, restrict_vocab, case_insensitive)
    n_rows = min(restrict_vocab, len(vectors))
    names: list[str] = []
    section_of: list[int] = []
    questions: list[tuple[str, str, str, str]] = []
    oov_per_section: list[int] = []
    order: list[tuple[int, tuple[str, str, str, str], int]] = []  # (section, question, solved id)
    n_questions = oov = 0
    for kind, item in _read_analogies(analogies, case_insensitive):
        if kind == "section":
            names.append(item)
            oov_per_section.append(0)
            continue
        n_questions += 1
        if any(w not in ok_vocab for w in item):
            oov += 1
            oov_per_section[-1] += 1
            order.append((len(names) - 1, item, -1))
            continue
        order.append((len(names) - 1, item, len(questions)))
        questions.append(item)
        section_of.append(len(names) - 1)
    correct = np.zeros((2, len(names)), dtype=np.int64)
    hit_add = np.zeros(len(questions), dtype=bool)  # 3CosAdd right, per question (gensim's lists)
    totals = np.bincount(np.asarray(section_of, dtype=np.int64), minlength=len(names))
    if dummy4unknown:
        totals = totals + np.asarray(oov_per_section, dtype=np.int64)
    task, n_solve = "evaluate analogies", len(questions)
    if emit is not None:
        emit(ProgressEvent(task, "start", done=0, total=n_solve, unit="queries"))
    if questions:
        unit = vectors.unit_matrix()[:n_rows]
        keys = vectors.index_to_key
        q_ids = torch.tensor([[ok_vocab[w] for w in q[:3]] for q in questions], device=unit.device)
        batch = min(len(questions), max(1, _SCORE_BUDGET // max(n_rows, 1)))
        work = torch.empty(4, batch, n_rows, device=unit.device)
        for start in range(0, len(questions), batch):
            tops = _solve(unit, q_ids[start : start + batch], 5, work)
            for method, top in enumerate(tops):
                for j, row in enumerate(top.tolist()):
                    a, b, c, expected = questions[start + j]
                    predicted = None
                    for i in row:
                        predicted = keys[i].upper() if case_insensitive else keys[i]
                        if predicted not in (a, b, c):
                            break
                    if predicted == expected:
                        correct[method, section_of[start + j]] += 1
                        hit_add[start + j] |= method == 0
            if emit is not None:
                done = min(start + batch, n_solve)
                emit(ProgressEvent(task, "update", done=done, total=n_solve, unit="queries"))
    right: list[list] = [[] for _ in names]
    wrong: list[list] = [[] for _ in names]
    for sec, item, q in order:
        if q >= 0 and hit_add[q]:
            right[sec].append(item)
        elif q >= 0 or dummy4unknown:
            wrong[sec].append(item)
    sections = [
        AnalogySection(
            name, int(correct[0, i]), int(correct[1, i]), int(totals[i]),
            correct_questions=tuple(right[i]), incorrect_questions=tuple(wrong[i]),
        )
        for i, name in enumerate(names)
    ]
    total = AnalogySection(
        "Total accuracy", int(correct[0].sum()), int(correct[1].sum()), int(totals.sum()),
        correct_questions=tuple(q for r in right for q in r),
        incorrect_questions=tuple(q for w in wrong for q in w),
    )
    result = AnalogyResult(
        accuracy=total.accuracy,
        accuracy_cosmul=total.accuracy_cosmul,
        sections=[*sections, total],
        oov_ratio=100.0 * oov / n_questions if n_questions else 0.0,
        questions=n_questions,
        oov=oov,
    )
    if emit is not None:
        metrics = {"accuracy": result.accuracy, "accuracy_cosmul": result.accuracy_cosmul,
                   "oov_ratio": result.oov_ratio}
        emit(ProgressEvent(task, "end", done=n_solve, total=n_solve, unit="queries",
                           metrics=metrics))
    return result
