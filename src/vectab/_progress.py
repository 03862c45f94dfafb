"""The one progress protocol: long-running library calls report :class:`ProgressEvent` values.

Every call that takes a ``progress`` argument (``load_vectors``, ``Trainer``, ``Word2Vec``,
``viz.projection.project`` (PCA, t-SNE, UMAP), ``evaluate_word_pairs``,
``evaluate_word_analogies``, ``FastIndex``) accepts the same three things:

- ``None`` or ``False``: no reports;
- a callable: it receives one :class:`ProgressEvent` per report, from the calling thread;
- ``True``: the events are drawn by the one renderer (a rich bar on a terminal, one plain line
  per epoch/stage with every metric on a pipe or in a log file), the same one the ``vectab``
  command uses.

Library code only emits events (:func:`emitter`); it never prints.

Example:
    >>> events = []
    >>> emit = emitter(events.append)
    >>> emit(ProgressEvent("train", "epoch_end", done=3, total=3, unit="batches", epoch=1,
    ...                    epochs=2, metrics={"loss": 0.5}))
    >>> events[0].metrics["loss"], events[0].kind
    (0.5, 'epoch_end')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from vectab._checks import shown

__all__ = ["KINDS", "ProgressArg", "ProgressEvent", "emitter"]

Kind = Literal["start", "update", "epoch_end", "end"]
KINDS: tuple[str, ...] = ("start", "update", "epoch_end", "end")


@dataclass(frozen=True)
class ProgressEvent:
    """One report from a long-running call.

    Attributes:
        task: what runs, in words a user reads: ``"load glove.txt"``, ``"train"``,
            ``"word2vec"``, ``"PCA"``/``"t-SNE"``/``"UMAP"``, ``"evaluate word pairs"``,
            ``"evaluate analogies"``, ``"index"``. A renderer keeps one bar per task name.
        kind: ``"start"`` (a stage begins; ``total`` known if it ever is), ``"update"``
            (``done`` moved), ``"epoch_end"`` (an epoch finished: ``metrics`` holds all of
            its numbers, validation included), ``"end"`` (the call finished or was aborted).
        done: units finished in the current stage (epoch, file, iteration run).
        total: units in the stage, or None when unknown.
        unit: what ``done`` counts: ``"bytes"``, ``"batches"``, ``"words"``, ``"points"``,
            ``"queries"``, ``"vectors"``.
        epoch: the 1-based epoch when the task has epochs, else None.
        epochs: the number of epochs when the task has epochs, else None.
        metrics: every number known at this point (``loss``, ``val_loss``, ``val_f1``,
            ``alpha``, ``words_per_sec``...), floats or ints.
        aborted: on an ``"end"`` event, True when the call stopped on an error or Ctrl-C.
    """

    task: str
    kind: Kind
    done: float = 0
    total: float | None = None
    unit: str = ""
    epoch: int | None = None
    epochs: int | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    aborted: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"`kind` must be one of {KINDS}, got {shown(self.kind)}.")


ProgressArg = bool | None | Callable[[ProgressEvent], None]


def emitter(progress: Any, *, name: str = "progress") -> Callable[[ProgressEvent], None] | None:
    """The callable that receives a call's events, or None when nothing should be reported.

    ``True`` gives the one renderer (:func:`default_renderer`), the one the ``vectab`` command
    uses, so library calls and the command draw alike.
    """
    if progress is None or progress is False:
        return None
    if progress is True:
        return default_renderer()
    if callable(progress):
        return progress
    raise TypeError(
        f"`{name}` must be True, False, None or a callable taking a ProgressEvent, "
        f"got {type(progress).__name__}: {shown(progress)}."
    )


def default_renderer() -> Callable[[ProgressEvent], None]:
    """The renderer ``progress=True`` uses: :class:`vectab._render.Renderer` (rich, lazily)."""
    from vectab._render import Renderer

    return Renderer()
