"""One progress protocol, one renderer (#10): ProgressEvent emitters and vectab._render.Renderer."""

from __future__ import annotations

import io
import json
import re
import sys

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from vectab._progress import ProgressEvent
from vectab._render import Renderer, format_amount, format_metrics

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# the tagger's metric names: long enough that an 80-column line cannot hold them all
LONG = {
    "loss": 0.41234,
    "val_loss": 0.50123,
    "val_accuracy": 0.83,
    "val_entity_precision": 0.7781,
    "val_entity_recall": 0.8012,
    "val_entity_f1": 0.79123,
    "val_macro_f1": 0.7654,
}


def epoch(kind, e=2, **kw):
    return ProgressEvent("train", kind, unit="batches", epoch=e, epochs=5, **kw)


# ---------------------------------------------------------------------------- the CLI, piped
def test_piped_train_tagger_logs_one_full_line_per_epoch_with_the_f1(tmp_path, monkeypatch):
    from vectab.cli.main import app

    monkeypatch.setenv("COLUMNS", "40")  # a narrow log: no line may be cut to it
    conll = tmp_path / "t.conll"
    conll.write_text("Ann B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n\n" * 20)
    out = tmp_path / "tagger"
    result = CliRunner().invoke(app, [
        "train", "tagger", "--train", str(conll), "--valid", str(conll), "--epochs", "3",
        "--embedding-dim", "8", "--hidden-size", "8", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    history = json.loads((out / "run.json").read_text())["history"]
    assert "val_entity_f1" in history
    lines = [line for line in result.stderr.splitlines() if "epoch" in line]
    assert len(lines) == 3, result.stderr  # one line per epoch, none per batch
    for i, line in enumerate(lines):
        assert line.startswith(f"train epoch {i + 1}/3: "), line
        for name, values in history.items():  # every metric, with its value
            assert f"{name} {values[i]:.4f}" in line, (name, line)
    assert "\x1b[" not in result.stderr  # no terminal codes in a log


# ---------------------------------------------------------------------------- plain lines
def test_plain_lines_hold_every_metric_at_any_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = io.StringIO()
    render = Renderer(out)
    render(epoch("start", total=7))
    for step in range(1, 8):
        render(epoch("update", done=step, total=7, metrics={"loss": 0.4}))
    render(epoch("epoch_end", done=7, total=7, metrics=LONG))
    render(epoch("end", done=7, total=7))
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines  # no line per batch, none for the end after epoch lines
    assert lines[0].startswith("train epoch 2/5: " + format_metrics(LONG) + " (")
    assert len(lines[0]) > 100
    for name, value in LONG.items():
        assert f"{name} {value:.4f}" in lines[0]


def test_plain_stage_without_epochs_gives_one_line_at_its_end():
    out = io.StringIO()
    render = Renderer(out)
    render(ProgressEvent("load glove.txt", "start", total=12_345, unit="bytes"))
    render(ProgressEvent("load glove.txt", "update", done=6_000, total=12_345, unit="bytes"))
    assert out.getvalue() == ""
    render(ProgressEvent("load glove.txt", "end", done=12_345, total=12_345, unit="bytes",
                         metrics={"words": 400}))
    (line,) = out.getvalue().splitlines()
    assert line.startswith("load glove.txt: 12.3 kB/12.3 kB words 400 (")


def test_a_task_that_fails_before_reporting_anything_writes_no_line():
    # `vectab vectors info bad.txt` on a pipe: the error is the one line on stderr, not
    # "load bad.txt aborted: ..." beside it.
    out = io.StringIO()
    render = Renderer(out)
    render(ProgressEvent("load bad.txt", "start", total=100, unit="bytes"))
    render(ProgressEvent("load bad.txt", "update", done=40, total=100, unit="bytes"))
    render(ProgressEvent("load bad.txt", "end", done=40, total=100, unit="bytes", aborted=True))
    assert out.getvalue() == ""


def test_plain_aborted_end_says_where_it_stopped_and_updates_are_sparse():
    out = io.StringIO()
    render = Renderer(out, min_interval=0)  # every update may write a "still running" line
    render(epoch("start", total=7))
    render(epoch("update", done=3, total=7, metrics={"loss": 0.5}))
    render(epoch("end", done=3, total=7, aborted=True))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("train epoch 2/5: 3/7 batches loss 0.5000 (")
    assert lines[1].startswith("train epoch 2/5 aborted: 3/7 batches (")
    quiet = io.StringIO()
    render = Renderer(quiet, min_interval=None)
    render(epoch("start", total=7))
    render(epoch("update", done=3, total=7))
    assert quiet.getvalue() == ""


def test_amounts_and_numbers():
    assert format_amount(1_500_000, 3_000_000, "bytes") == "1.5 MB/3.0 MB"
    assert format_amount(512, None, "bytes") == "512 B"
    assert format_amount(3, 7, "batches") == "3/7 batches"
    assert format_amount(12_000, None, "words") == "12,000 words"
    assert format_metrics({"loss": 0.5, "words": 3, "alpha": 2.5e-05, "words_per_sec": 681512.3,
                           "mse": 1556.50281}) == (
        "loss 0.5000 words 3 alpha 2.5e-05 words_per_sec 681512 mse 1556.5028"
    )


def test_renderer_argument_checks():
    for bad in ("yes", 1):
        with pytest.raises(TypeError, match="`force_terminal`"):
            Renderer(force_terminal=bad)
    for bad in (-1, float("nan")):
        with pytest.raises(ValueError, match="`min_interval`"):
            Renderer(min_interval=bad)
    for bad in ("often", True):  # #10's one rule: the wrong type is a TypeError
        with pytest.raises(TypeError, match="`min_interval` must be a number >= 0 or None"):
            Renderer(min_interval=bad)
    with pytest.raises(TypeError, match="`event`.*got dict"):
        Renderer(io.StringIO())({"event": "batch"})


# ---------------------------------------------------------------------------- the bar
def test_terminal_bar_draws_and_closes_on_an_aborted_end(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = io.StringIO()
    before = sys.stdout, sys.stderr
    render = Renderer(out, force_terminal=True)
    render(epoch("start", e=1, total=7))
    assert render._bar is not None  # a live bar is drawn
    render(epoch("update", e=1, done=3, total=7, metrics={"loss": 0.5}))
    render(epoch("epoch_end", e=1, done=7, total=7, metrics=LONG))
    render(epoch("start", total=7))
    render(epoch("update", done=2, total=7, metrics={"loss": 0.4}))
    render(epoch("end", done=2, total=7, aborted=True))
    assert render._bar is None
    assert (sys.stdout, sys.stderr) == before  # rich's redirection is undone
    text = ANSI.sub("", out.getvalue())
    assert "\x1b[" in out.getvalue()  # drawn as a terminal bar
    assert "train epoch 1/5" in text and "train epoch 2/5 aborted" in text
    flat = re.sub(r"\s+", " ", text)
    for name, value in LONG.items():  # the finished epoch's line keeps every metric
        assert f"{name} {value:.4f}" in flat
    tail = out.getvalue().rsplit("\n", 1)[1]
    assert tail.endswith("\r\x1b[2K\x1b[?25h")  # the bar's line erased, the cursor shown again


# ---------------------------------------------------------------------------- the emitters
class Regressor(torch.nn.Module):
    task = "regression"

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def decode(self, batch):
        return self.linear(batch["numeric"]).squeeze(-1)

    def loss(self, batch):
        return torch.nn.functional.mse_loss(self.decode(batch), batch["labels"])


def regression_data(n=40):
    from vectab.engine.data import TensorDictDataset

    x = torch.randn(n, 2, generator=torch.Generator().manual_seed(0))
    return TensorDictDataset({"numeric": x, "labels": x @ torch.tensor([2.0, -1.0])})


def test_trainer_emits_start_update_epoch_end_end_in_order():
    from vectab.engine.trainer import Trainer

    events = []
    data = regression_data()
    Trainer(Regressor(), epochs=2, batch_size=16, device="cpu",
            progress=events.append).fit(data, data)
    assert all(isinstance(e, ProgressEvent) and e.task == "train" for e in events)
    kinds = [e.kind for e in events]
    assert kinds == ["start", "update", "update", "update", "epoch_end"] * 2 + ["end"]
    ends = [e for e in events if e.kind == "epoch_end"]
    assert [(e.epoch, e.epochs) for e in ends] == [(1, 2), (2, 2)]
    assert {"loss", "val_loss", "val_mse"} <= set(ends[0].metrics)
    assert "epoch" not in ends[0].metrics
    updates = [e for e in events if e.kind == "update"]
    assert [e.done for e in updates[:3]] == [1, 2, 3] and updates[0].total == 3
    assert updates[0].unit == "batches" and "loss" in updates[0].metrics
    assert events[-1].done == events[-1].total == 3 and not events[-1].aborted


def test_trainer_progress_true_logs_plain_lines(capsys):
    from vectab.engine.trainer import Trainer

    data = regression_data()
    Trainer(Regressor(), epochs=2, batch_size=16, device="cpu", progress=True).fit(data, data)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == "" and len(lines) == 2
    assert lines[1].startswith("train epoch 2/2: loss ") and "val_mse" in lines[1]


def vectors():
    from vectab.vectors import Vectors

    words = ["king", "queen", "man", "woman", "cat", "dog", "apple", "pear"]
    m = np.random.default_rng(0).normal(size=(len(words), 6)).astype("float32")
    return Vectors(words, m)


def check_stage(events, task, unit):
    assert [e.task for e in events] == [task] * len(events)
    assert events[0].kind == "start" and events[-1].kind == "end"
    assert not events[-1].aborted and events[-1].done == events[-1].total
    assert {e.unit for e in events} == {unit}


@pytest.mark.parametrize("method, task", [("pca", "PCA"), ("tsne", "t-SNE")])
def test_projection_emits(method, task):
    pytest.importorskip("sklearn")
    from vectab.viz.projection import project

    events = []
    project(vectors(), method=method, progress=events.append)
    check_stage(events, task, "points")
    assert events[-1].total == 8
    if method == "tsne":
        assert "kl_divergence" in events[-1].metrics


def test_evaluate_emits(tmp_path):
    from vectab.vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs

    events = []
    pairs = [("king", "queen", 8.0), ("cat", "dog", 7.0), ("apple", "man", 1.0)]
    r = evaluate_word_pairs(vectors(), pairs, progress=events.append)
    check_stage(events, "evaluate word pairs", "queries")
    assert events[-1].total == 3 and events[-1].metrics["spearman"] == r.spearman
    path = tmp_path / "q.txt"
    path.write_text(": family\nking queen man woman\nman woman king queen\n"
                    ": food\ncat dog apple pear\napple pear zebra dog\n")
    events = []
    r = evaluate_word_analogies(vectors(), path, progress=events.append)
    check_stage(events, "evaluate analogies", "queries")
    assert [e.kind for e in events] == ["start", "update", "end"]
    assert events[0].total == 3  # the question with "zebra" is skipped, not solved
    assert events[-1].metrics["accuracy"] == r.accuracy


def test_fast_index_emits():
    from vectab.vectors.similarity import FastIndex, normalize_rows

    m = normalize_rows(torch.randn(500, 8, generator=torch.Generator().manual_seed(0)))
    events = []
    index = FastIndex(m, nlist=10, progress=events.append)
    check_stage(events, "index", "vectors")
    assert events[-1].total == 500
    assert events[-1].metrics["nlist"] == 10 and events[-1].metrics["nprobe"] == index.nprobe


def test_progress_argument_is_checked_everywhere(tmp_path):
    from vectab.engine.trainer import Trainer
    from vectab.vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs
    from vectab.vectors.similarity import FastIndex, normalize_rows
    from vectab.viz.projection import project

    path = tmp_path / "q.txt"
    path.write_text(": family\nking queen man woman\n")
    m = normalize_rows(torch.randn(50, 4, generator=torch.Generator().manual_seed(0)))
    calls = {
        "Trainer": lambda p: Trainer(Regressor(), device="cpu", progress=p),
        "project": lambda p: project(vectors(), progress=p),
        "evaluate_word_pairs": lambda p: evaluate_word_pairs(
            vectors(), [("king", "queen", 1.0)], progress=p),
        "evaluate_word_analogies": lambda p: evaluate_word_analogies(vectors(), path, progress=p),
        "FastIndex": lambda p: FastIndex(m, nlist=4, progress=p),
    }
    for call in calls.values():
        for bad in ("yes", 1, 0.5):
            with pytest.raises(TypeError, match=r"`progress` must be True, False, None or a "
                                                r"callable.*got"):
                call(bad)
            # nothing ran: the check comes first
        call(None)
        call(False)


def test_an_interrupted_stage_ends_as_aborted():
    from vectab.vectors.similarity import FastIndex, normalize_rows

    events = []

    def ctrl_c_mid_build(event):
        events.append(event)
        if event.kind == "update":
            raise KeyboardInterrupt

    m = normalize_rows(torch.randn(100, 4, generator=torch.Generator().manual_seed(0)))
    with pytest.raises(KeyboardInterrupt):
        FastIndex(m, nlist=4, progress=ctrl_c_mid_build)
    assert [e.kind for e in events] == ["start", "update", "end"] and events[-1].aborted


def test_the_renderer_imports_rich_only_to_draw():
    import subprocess

    code = ("import sys, vectab, vectab._progress, vectab._render; "
            "assert 'rich' not in sys.modules and 'torch' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_piped_plot_command_logs_the_load_and_the_t_sne(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    from vectab.cli.main import app
    from vectab.vectors.io import save_vectors

    path = tmp_path / "v.txt"
    save_vectors(vectors(), path, format="word2vec")
    result = CliRunner().invoke(app, ["vectors", "plot", str(path), "--method", "tsne",
                                      "-o", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("load v.txt: ") and " B/" in lines[0]
    assert re.match(r"t-SNE: 8/8 points kl_divergence \d+\.\d{4} iterations \d+ \(", lines[1])
