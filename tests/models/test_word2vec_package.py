"""The word2vec package: its internal interface, the shared kernel step, the progress events."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

from vectab._progress import ProgressEvent
from vectab.models import Word2Vec
from vectab.models.word2vec import _numba
from vectab.models.word2vec import train as w2v_train

PACKAGE = Path(_numba.__file__).parent
METRICS = {"loss", "alpha", "words_per_sec", "effective_words"}


def zipf_corpus(n_sentences=300, vocab=120, seed=0):
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    return [[f"w{i}" for i in rng.choice(vocab, size=rng.integers(1, 20), p=p)]
            for _ in range(n_sentences)]


# ------------------------------------------------------------------ the internal interface
def private_accesses(source: str) -> list[str]:
    """``x._name`` accesses in ``source``, except ``self._name`` inside the module's own classes
    and dunders: the ways a helper module could reach into a Word2Vec's private state."""
    tree = ast.parse(source)
    own: set[int] = set()
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        own |= {id(n) for n in ast.walk(cls)
                if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                and n.value.id == "self"}
    return [
        f"line {n.lineno}: {ast.unparse(n)}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr.startswith("_")
        and not (n.attr.startswith("__") and n.attr.endswith("__")) and id(n) not in own
    ]


HELPERS = sorted(p for p in PACKAGE.glob("*.py") if p.name != "model.py")


def test_the_package_holds_the_modules():
    names = {p.name for p in PACKAGE.glob("*.py")}
    assert {"__init__.py", "model.py", "corpus.py", "vocab.py", "state.py", "io.py", "train.py",
            "_numba.py", "_torch.py"} <= names
    assert not list(PACKAGE.parent.glob("_w2v_*.py"))


@pytest.mark.parametrize("path", HELPERS, ids=lambda p: p.name)
def test_helper_modules_read_no_private_attribute(path):
    found = private_accesses(path.read_text("utf-8"))
    assert not found, f"{path.name} reaches into private state (pass a TrainState instead): {found}"


@pytest.mark.parametrize("source", [
    "def f(model):\n    model._device_tables = None\n",
    "def f(model):\n    model._sync_tables()\n",
    "class A:\n    def f(self, model):\n        return model._x\n",
    "def f(self):\n    return self._x\n",
])
def test_the_checker_catches_private_access(source):
    assert private_accesses(source)


def test_the_checker_allows_own_state_and_dunders():
    assert not private_accesses("class A:\n    def f(self):\n        return self._x.__len__()\n")


def test_kernels_share_one_negative_sampling_step():
    """Skip-gram and CBOW call the one step; neither branch keeps its own copy of the loop."""
    job = ast.parse(inspect.getsource(_numba._train_job))
    calls = [n for n in ast.walk(job) if isinstance(n, ast.Call)
             and getattr(n.func, "id", None) == "_negative_step_compiled"]
    assert len(calls) == 2
    loops = [ast.unparse(n.iter) for n in ast.walk(job) if isinstance(n, ast.For)]
    assert "range(negative + 1)" not in loops
    step = ast.parse(inspect.getsource(_numba._negative_step))
    assert "range(negative + 1)" in [ast.unparse(n.iter) for n in ast.walk(step)
                                     if isinstance(n, ast.For)]


# the kernel against a numpy reference: tests/models/test_word2vec_kernel.py (every mode)


# ------------------------------------------------------------------ progress events
def test_progress_events_follow_the_protocol(monkeypatch):
    monkeypatch.setattr(w2v_train, "REPORT_EVERY_S", 0.0)  # an update after every job
    events: list[ProgressEvent] = []
    model = Word2Vec(zipf_corpus(), min_count=1, vector_size=8, epochs=2, workers=1,
                     batch_words=500, progress=events.append)
    assert all(isinstance(e, ProgressEvent) and e.task == "word2vec" for e in events)
    kinds = [e.kind for e in events]
    assert kinds[-1] == "end" and kinds.count("end") == 1 and not events[-1].aborted
    assert kinds.count("start") == kinds.count("epoch_end") == 2
    first = kinds.index("epoch_end")
    assert kinds[0] == "start" and set(kinds[1:first]) == {"update"} and first > 3
    total = model.corpus_total_words
    for e in events[:-1]:
        assert e.unit == "words" and e.total == total and e.epochs == 2
    assert [e.epoch for e in events if e.kind == "start"] == [1, 2]
    updates = [e for e in events[:first] if e.kind == "update"]
    assert [e.done for e in updates] == sorted(e.done for e in updates)
    assert all(set(e.metrics) == METRICS for e in events if e.kind in ("update", "epoch_end"))
    ends = [e for e in events if e.kind == "epoch_end"]
    assert all(e.done == total for e in ends)
    assert [e.metrics["loss"] for e in ends] == pytest.approx(model.epoch_losses)
    assert ends[-1].metrics["alpha"] == pytest.approx(model.min_alpha)


def test_progress_end_is_aborted_on_error():
    class Boom:
        def on_epoch_end(self, model):
            raise RuntimeError("stop")

    events: list[ProgressEvent] = []
    with pytest.raises(RuntimeError, match="stop"):
        Word2Vec(zipf_corpus(), min_count=1, vector_size=8, epochs=3, workers=1,
                 callbacks=[Boom()], progress=events.append)
    assert events[-1].kind == "end" and events[-1].aborted


def test_train_progress_overrides_the_constructor():
    events: list[ProgressEvent] = []
    corpus = zipf_corpus()
    model = Word2Vec(min_count=1, vector_size=8, epochs=1, workers=1, progress=events.append)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=model.corpus_count, epochs=1, progress=False)
    assert events == []
    model.train(corpus, total_examples=model.corpus_count, epochs=1)
    assert events[0].kind == "start" and events[0].total is None  # total_words not given


def test_progress_true_draws_with_the_one_renderer(capsys):
    Word2Vec(zipf_corpus(), min_count=1, vector_size=8, epochs=2, workers=1, progress=True)
    err = capsys.readouterr().err
    assert "word2vec epoch 1/2" in err and "word2vec epoch 2/2" in err
    assert "loss" in err and "words_per_sec" in err


@pytest.mark.parametrize("bad", ["yes", 1, object()])
def test_progress_of_the_wrong_type_is_refused(bad):
    with pytest.raises(TypeError, match="`progress` must be True, False, None or a callable"):
        Word2Vec(zipf_corpus(), min_count=1, epochs=1, workers=1, progress=bad)
