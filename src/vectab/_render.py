"""The one renderer of :class:`~vectab._progress.ProgressEvent` values.

:class:`Renderer` is what ``progress=True`` and every ``vectab`` command use:

- on a terminal: a rich progress bar on stderr with the task, the epoch, done/total in the
  event's unit (bytes human-readable), elapsed and remaining time and the latest metrics; each
  finished epoch leaves one line with every metric above the bar;
- elsewhere (a pipe, a log file, CI): one plain line per finished epoch, and one per finished
  stage without epochs (a file loaded, t-SNE done), with **every** metric and never cut to a
  width, plus at most one "still running" line every ``min_interval`` seconds.

rich is imported only when a bar is drawn, so ``import vectab`` stays light.

Example:
    >>> import io
    >>> from vectab._progress import ProgressEvent
    >>> out = io.StringIO()
    >>> render = Renderer(out)
    >>> render(ProgressEvent("train", "start", total=7, unit="batches", epoch=2, epochs=5))
    >>> render(ProgressEvent("train", "epoch_end", done=7, total=7, unit="batches", epoch=2,
    ...                      epochs=5, metrics={"loss": 0.41234, "val_f1": 0.79}))
    >>> out.getvalue().split(" (")[0]
    'train epoch 2/5: loss 0.4123 val_f1 0.7900'
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from vectab._checks import check_bool, check_float, shown

# ``vectab._progress`` imports this module for ``progress=True``, so events are taken by their
# fields (task, kind, done, total, unit, epoch, epochs, metrics, aborted), not imported here.
ProgressEvent = Any

__all__ = ["Renderer", "format_amount", "format_metrics", "format_number"]


def format_number(value: Any) -> str:
    """Format a metric for a log: ints whole, floats to 4 decimals (whole from 1e4, .4g tiny)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4f}"
    if 1e4 <= abs(value) < 1e15:  # rates and counts: whole numbers read best
        return f"{value:.0f}"
    return f"{value:.4g}"


def format_metrics(metrics: Mapping[str, Any]) -> str:
    """``name value`` pairs, every one of them, separated by spaces."""
    return " ".join(f"{name} {format_number(value)}" for name, value in metrics.items())


def _bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns


def _whole(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def format_amount(done: float, total: float | None, unit: str) -> str:
    """``done/total unit`` (``1.2 MB/3.4 MB`` for bytes; ``done unit`` when total is unknown)."""
    if unit == "bytes":
        return _bytes(done) if total is None else f"{_bytes(done)}/{_bytes(total)}"
    amount = _whole(done) if total is None else f"{_whole(done)}/{_whole(total)}"
    return f"{amount} {unit}".rstrip()


def _title(event: ProgressEvent) -> str:
    if event.epoch is not None:
        of = f"/{event.epochs}" if event.epochs is not None else ""
        return f"{event.task} epoch {event.epoch}{of}"
    return event.task


@dataclass
class _Stage:
    """What the renderer remembers about one running task."""

    started: float
    stage_started: float
    last_line: float
    epoch_ended: bool = False
    wrote: bool = False  # a plain line was written for this task
    bar_task: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)


class Renderer:
    """Draw progress events: a rich bar on a terminal, plain full lines anywhere else.

    Args:
        stream: where to write; ``None`` is ``sys.stderr`` as it is when each task starts.
        force_terminal: ``True`` draws the bar even when ``stream`` is not a terminal,
            ``False`` writes plain lines even on one; ``None`` asks ``stream.isatty()``.
        min_interval: in plain mode, the fewest seconds between two "still running" lines
            written from ``"update"`` events; ``None`` writes none (only finished epochs and
            stages).

    An ``"end"`` event with ``aborted=True`` (an error or Ctrl-C) stops the bar so the terminal
    is left clean, and in plain mode writes one line saying where the task stopped when that
    task had written lines before (a load that fails at once writes nothing: the error is the
    one line the user reads).
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        force_terminal: bool | None = None,
        min_interval: float | None = 30.0,
    ) -> None:
        check_bool(force_terminal, "force_terminal", allow_none=True)
        check_float(min_interval, "min_interval", minimum=0, allow_none=True,
                    fix=" It is a number of seconds.")
        self._stream = stream
        self._force_terminal = force_terminal
        self._min_interval = min_interval
        self._stages: dict[str, _Stage] = {}
        self._bar: Any = None  # the rich Progress while one is drawn
        self._out: IO[str] | None = None

    # ------------------------------------------------------------------ dispatch
    def __call__(self, event: ProgressEvent) -> None:
        if not all(hasattr(event, name) for name in ("task", "kind", "done", "metrics")):
            raise TypeError(
                f"`event` must be a vectab ProgressEvent, got {type(event).__name__}: "
                f"{shown(event)}."
            )
        now = time.monotonic()
        stage = self._stages.get(event.task)
        if stage is None:
            if self._out is None:
                self._out = self._stream if self._stream is not None else sys.stderr
            stage = self._stages[event.task] = _Stage(now, now, now)
        if event.kind == "start":
            stage.stage_started = stage.last_line = now
        if event.metrics:
            stage.metrics = dict(event.metrics)
        if self._terminal():
            self._draw(event, stage, now)
        else:
            self._write(event, stage, now)
        if event.kind == "end":
            del self._stages[event.task]
            if not self._stages:
                self.close()

    def close(self) -> None:
        """Stop the bar, if one is drawn (called by the last ``"end"`` event)."""
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.stop()
        self._stages.clear()
        self._out = None

    def _terminal(self) -> bool:
        if self._force_terminal is not None:
            return self._force_terminal
        isatty = getattr(self._out, "isatty", None)
        try:
            return bool(isatty()) if isatty is not None else False
        except ValueError:  # a closed stream
            return False

    # ------------------------------------------------------------------ plain lines
    def _line(self, text: str) -> None:
        out = self._out if self._out is not None else sys.stderr
        out.write(text + "\n")
        flush = getattr(out, "flush", None)
        if flush is not None:
            flush()

    def _write(self, event: ProgressEvent, stage: _Stage, now: float) -> None:
        metrics = format_metrics(event.metrics)
        if event.kind == "epoch_end":
            stage.epoch_ended = stage.wrote = True
            self._line(f"{_title(event)}: {metrics} ({now - stage.stage_started:.1f} s)")
        elif event.kind == "update":
            if self._min_interval is None or now - stage.last_line < self._min_interval:
                return
            stage.last_line = now
            stage.wrote = True
            amount = format_amount(event.done, event.total, event.unit)
            self._line(f"{_title(event)}: {amount} {metrics}".rstrip()
                       + f" ({now - stage.stage_started:.1f} s)")
        elif event.kind == "end" and event.aborted and not stage.wrote:
            return  # nothing was reported yet: the caller's error is the one line to read
        elif event.kind == "end" and (event.aborted or not stage.epoch_ended):
            amount = format_amount(event.done, event.total, event.unit)
            head = f"{_title(event)} aborted" if event.aborted else _title(event)
            body = " ".join(part for part in (amount, metrics) if part)
            self._line(f"{head}: {body} ({now - stage.started:.1f} s)")

    # ------------------------------------------------------------------ rich bar
    def _start_bar(self) -> Any:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        console = Console(file=self._out, force_terminal=True if self._force_terminal else None,
                          highlight=False)
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[amount]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[info]}", markup=False),
            console=console,
            transient=False,
        )
        self._bar.start()
        return self._bar

    def _draw(self, event: ProgressEvent, stage: _Stage, now: float) -> None:
        bar = self._bar if self._bar is not None else self._start_bar()
        fields = {
            "description": _title(event),
            "amount": format_amount(event.done, event.total, event.unit),
        }
        if event.kind != "epoch_end":  # an epoch's full numbers go in its line, not the bar
            # the bar's line is one terminal row: the metrics give way to the bar and times
            room = bar.console.width - len(fields["description"]) - len(fields["amount"]) - 61
            info = format_metrics(stage.metrics)
            fields["info"] = info if len(info) <= room else info[: max(room - 1, 0)] + "…"
        if stage.bar_task is None:
            fields.setdefault("info", "")
            stage.bar_task = bar.add_task(total=event.total, completed=event.done, **fields)
        elif event.kind == "start":  # a new epoch or stage: the bar starts over
            bar.reset(stage.bar_task, total=event.total, completed=event.done, **fields)
        else:
            bar.update(stage.bar_task, total=event.total, completed=event.done, **fields)
        if event.kind == "epoch_end":
            stage.epoch_ended = True
            bar.console.print(
                f"{_title(event)}: {format_metrics(event.metrics)} "
                f"({now - stage.stage_started:.1f} s)",
                markup=False, highlight=False, soft_wrap=True,
            )
        elif event.kind == "end":
            if event.aborted:
                bar.console.print(f"{_title(event)} aborted", markup=False, highlight=False)
            if stage.epoch_ended:  # the epoch lines are the record; the bar goes
                bar.remove_task(stage.bar_task)
