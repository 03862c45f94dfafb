"""Evaluation metrics: accuracy, macro-F1 (scikit-learn's), entity-level F1 (seqeval's).

``macro_f1`` equals ``sklearn.metrics.f1_score(average="macro")``; ``get_entities`` and
``entity_f1`` equal seqeval's default (conlleval-compatible) mode, for IOB1, IOB2, BIOES and
BMES tags alike, so numbers are comparable with published NER results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["accuracy", "macro_f1", "get_entities", "entity_f1"]


def _as_array(values: Any, name: str) -> np.ndarray:
    if hasattr(values, "detach"):  # torch.Tensor, without importing torch
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.ndim not in (1, 2):
        raise ValueError(
            f"`{name}` must be 1-D labels or a 2-D (samples, classes) indicator matrix, "
            f"got shape {array.shape}."
        )
    return array


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    true, pred = _as_array(y_true, "y_true"), _as_array(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"`y_true` and `y_pred` must have the same shape, got {true.shape} and "
            f"{pred.shape}."
        )
    return true, pred


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples predicted exactly right (multi-label: all labels right).

    Same as ``sklearn.metrics.accuracy_score``. Accepts lists, numpy arrays or tensors.

    Example:
        >>> accuracy([0, 1, 2, 2], [0, 1, 1, 2])
        0.75
    """
    true, pred = _pair(y_true, y_pred)
    if true.shape[0] == 0:
        return 0.0
    same = true == pred
    if same.ndim == 2:
        same = same.all(axis=1)
    return float(same.mean())


def macro_f1(y_true: Any, y_pred: Any) -> float:
    """Unweighted mean of the per-class F1 scores (``f1_score(average="macro")`` of sklearn).

    1-D labels: the classes are those present in ``y_true`` or ``y_pred``. 2-D indicator
    matrices (multi-label): one F1 per column; a column with no true and no predicted
    positive scores 0, as in scikit-learn.

    Example:
        >>> round(macro_f1([0, 1, 2, 2], [0, 1, 1, 2]), 4)
        0.7778
    """
    true, pred = _pair(y_true, y_pred)
    if true.ndim == 2:
        t, p = true.astype(bool), pred.astype(bool)
        tp = (t & p).sum(0)
        fp = (~t & p).sum(0)
        fn = (t & ~p).sum(0)
    else:
        classes, inverse = np.unique(np.concatenate([true, pred]), return_inverse=True)
        t, p = inverse[: len(true)], inverse[len(true) :]
        n = len(classes)
        tp = np.bincount(t[t == p], minlength=n)
        fp = np.bincount(p, minlength=n) - tp
        fn = np.bincount(t, minlength=n) - tp
    if tp.size == 0:
        return 0.0
    denominator = (2 * tp + fp + fn).astype(np.float64)
    f1 = np.divide(2.0 * tp, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    return float(f1.mean())


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != type_


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag not in ("O", ".") and prev_type != type_


def get_entities(tags: Sequence[str] | Sequence[Sequence[str]]) -> list[tuple[str, int, int]]:
    """Extract ``(type, start, end)`` chunks (``end`` inclusive), conlleval/seqeval rules.

    A list of sentences is joined with an ``"O"`` between them (positions then count over the
    joined sequence), exactly like ``seqeval.metrics.sequence_labeling.get_entities``. Tags are
    read as ``PREFIX-TYPE``: ``B``/``I`` (IOB1, IOB2), ``E``/``S`` (BIOES) and any other prefix
    (e.g. BMES' ``M``) continue the current chunk.

    Example:
        >>> get_entities(["B-PER", "I-PER", "O", "B-LOC"])
        [('PER', 0, 1), ('LOC', 3, 3)]
        >>> get_entities(["I-PER", "I-PER", "B-PER"])
        [('PER', 0, 1), ('PER', 2, 2)]
    """
    if any(isinstance(s, (list, tuple)) for s in tags):
        flat = [item for sentence in tags for item in [*sentence, "O"]]
    else:
        flat = list(tags)
    prev_tag, prev_type, begin = "O", "", 0
    chunks = []
    for i, chunk in enumerate([*flat, "O"]):
        tag = chunk[0]
        type_ = chunk[1:].split("-", maxsplit=1)[-1] or "_"
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def entity_f1(
    true_seqs: Sequence[Sequence[str]], pred_seqs: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Micro-averaged entity precision, recall and F1 (seqeval's default, conlleval's numbers).

    An entity counts as right only when its type, start and end all match.

    Returns:
        ``{"precision", "recall", "f1", "support"}`` where ``support`` is the number of true
        entities (as a float, so the dict is all floats).

    Example:
        >>> true = [["B-PER", "I-PER", "O", "B-LOC"]]
        >>> pred = [["B-PER", "I-PER", "O", "O"]]
        >>> entity_f1(true, pred)
        {'precision': 1.0, 'recall': 0.5, 'f1': 0.6666666666666666, 'support': 2.0}
    """
    if len(true_seqs) != len(pred_seqs):
        raise ValueError(
            f"`true_seqs` and `pred_seqs` must hold the same number of sequences, "
            f"got {len(true_seqs)} and {len(pred_seqs)}."
        )
    for i, (t, p) in enumerate(zip(true_seqs, pred_seqs)):
        if isinstance(t, str) or isinstance(p, str):
            raise TypeError(
                "`true_seqs` and `pred_seqs` must be lists of tag lists, e.g. [['B-PER', 'O']]; "
                f"item {i} is a string."
            )
        if len(t) != len(p):
            raise ValueError(
                f"sequence {i} has {len(t)} true tags but {len(p)} predicted tags; "
                "every pair of sequences must have the same length."
            )
    true = set(get_entities([list(s) for s in true_seqs]))
    pred = set(get_entities([list(s) for s in pred_seqs]))
    tp = len(true & pred)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(true) if true else 0.0
    denominator = precision + recall
    f1 = 2 * precision * recall / denominator if denominator else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": float(len(true))}
