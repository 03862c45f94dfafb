"""Trainer: learning, repeatability, exact resume, early stopping, checkpoints, sparse tables."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from vectab.engine.callbacks import Callback
from vectab.engine.optim import (
    SPARSE_AUTO_ROWS,
    clip_grad_norm,
    load_optimizer_state,
    optimizer_state_tensors,
)
from vectab.engine.trainer import Trainer


def weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_fit_learns_and_evaluates(toy_classifier, cls_data):
    train, valid = cls_data
    trainer = Trainer(toy_classifier(), lr=0.05, epochs=5, batch_size=16)
    history = trainer.fit(train, valid)
    assert len(history.epochs) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]
    metrics = trainer.evaluate(valid)
    assert set(metrics) == {"loss", "accuracy", "macro_f1"}
    assert metrics["accuracy"] > 0.9
    pred = trainer.predict(valid)
    assert pred.shape == (60,) and pred.dtype == np.int64
    proba = trainer.predict_proba(valid)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    assert (proba.argmax(1) == pred).all()


def test_same_seed_same_run_and_other_seed_differs(toy_classifier, cls_data):
    train, _ = cls_data
    runs = []
    for seed in (3, 3, 4):
        model = toy_classifier(dropout=0.3)
        Trainer(model, lr=0.05, epochs=2, batch_size=16, seed=seed).fit(train)
        runs.append(weights(model))
    assert same(runs[0], runs[1])
    assert not same(runs[0], runs[2])


@pytest.mark.parametrize("sparse", [False, True])
def test_resume_is_bit_identical(toy_classifier, cls_data, tmp_path, sparse):
    train, valid = cls_data
    opts = dict(lr=0.05, batch_size=16, seed=1, sparse=sparse, restore_best=False)
    full = toy_classifier(dropout=0.3)
    h_full = Trainer(full, epochs=4, checkpoint_dir=tmp_path / "a", **opts).fit(train, valid)

    part = toy_classifier(dropout=0.3)
    Trainer(part, epochs=2, checkpoint_dir=tmp_path / "b", **opts).fit(train, valid)
    resumed = toy_classifier(dropout=0.3)  # fresh process: new model and Trainer
    h_res = Trainer(resumed, epochs=4, checkpoint_dir=tmp_path / "b", **opts).fit(
        train, valid, resume_from=tmp_path / "b" / "last"
    )
    assert same(weights(full), weights(resumed))
    assert h_full.history == h_res.history
    assert h_full.best_epoch == h_res.best_epoch


def test_resume_restores_the_best_epoch_like_an_uninterrupted_run(
    toy_classifier, cls_data, tmp_path
):
    train, valid = cls_data
    opts = dict(lr=0.3, batch_size=16, seed=2, monitor="val_loss")
    full = toy_classifier()
    h_full = Trainer(full, epochs=4, **opts).fit(train, valid)
    Trainer(toy_classifier(), epochs=2, checkpoint_dir=tmp_path, **opts).fit(train, valid)
    resumed = toy_classifier()
    h_res = Trainer(resumed, epochs=4, **opts).fit(train, valid, resume_from=tmp_path / "last")
    assert h_full.best_epoch == h_res.best_epoch
    assert same(weights(full), weights(resumed))


def test_resume_finds_the_best_checkpoint_after_a_swap_killed_between_its_renames(
    toy_classifier, cls_data, tmp_path
):
    train, valid = cls_data
    opts = dict(lr=0.3, batch_size=16, seed=2, monitor="val_loss")
    full = toy_classifier()
    h_full = Trainer(full, epochs=4, **opts).fit(train, valid)
    Trainer(toy_classifier(), epochs=2, checkpoint_dir=tmp_path, **opts).fit(train, valid)
    # a save of best/ killed after its first rename: only the complete previous copy is left
    (tmp_path / "best").rename(tmp_path / ".best.old-killed")
    resumed = toy_classifier()
    h_res = Trainer(resumed, epochs=4, **opts).fit(train, valid, resume_from=tmp_path / "last")
    assert h_full.best_epoch == h_res.best_epoch
    assert same(weights(full), weights(resumed))


def test_checkpoint_files_are_safetensors_and_json(toy_classifier, cls_data, tmp_path):
    train, valid = cls_data
    Trainer(toy_classifier(), epochs=2, checkpoint_dir=tmp_path, batch_size=32).fit(train, valid)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert names == [
        "best/manifest.json", "best/model.safetensors", "best/trainer_state.json",
        "last/manifest.json", "last/model.safetensors", "last/optimizer.safetensors",
        "last/trainer_state.json",
    ]
    state = json.loads((tmp_path / "last" / "trainer_state.json").read_text())
    assert state["epochs_done"] == 2 and state["trainer"]["optimizer"] == "adamw"


def test_restore_best_loads_best_epoch(toy_classifier, cls_data, tmp_path):
    train, valid = cls_data
    snapshots = []

    class Snap(Callback):
        def on_epoch_end(self, trainer, logs):
            snapshots.append(weights(trainer.model))

    model = toy_classifier()
    history = Trainer(model, lr=0.2, epochs=6, batch_size=8, monitor="val_loss",
                      callbacks=[Snap()]).fit(train, valid)
    best = int(np.argmin(history.history["val_loss"]))
    assert history.best_epoch == best
    assert same(weights(model), snapshots[best])


def test_early_stopping_stops(toy_classifier, cls_data):
    train, valid = cls_data
    # a huge learning rate makes the validation loss get worse after the first epochs
    history = Trainer(toy_classifier(), lr=5.0, clip_grad_norm=None, epochs=30, batch_size=8,
                      monitor="val_loss", early_stopping_patience=2).fit(train, valid)
    assert history.stopped_early
    assert len(history.epochs) == history.best_epoch + 3


def test_callbacks_and_progress_events(toy_classifier, cls_data, capsys):
    train, valid = cls_data
    seen, events = [], []

    class Stopper(Callback):
        def on_epoch_end(self, trainer, logs):
            seen.append(logs["epoch"])
            trainer.stop_training = logs["epoch"] == 1

    Trainer(toy_classifier(), epochs=5, callbacks=[Stopper()],
            progress=events.append).fit(train, valid)
    assert seen == [0, 1]
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    assert kinds.count("epoch_end") == 2 and kinds.count("update") == 2 * 7
    assert "val_accuracy" in [e for e in events if e.kind == "epoch_end"][0].metrics
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # the library prints nothing


def test_error_mid_epoch_closes_the_progress_bar(toy_classifier, cls_data):
    import io
    import sys

    from vectab._render import Renderer

    train, _ = cls_data

    class Boom(Callback):
        def on_batch_end(self, trainer, step, logs):
            raise RuntimeError("boom")

    before = sys.stdout, sys.stderr
    bar = Renderer(io.StringIO(), force_terminal=True)
    with pytest.raises(RuntimeError, match="boom"):
        Trainer(toy_classifier(), epochs=2, callbacks=[Boom()], progress=bar).fit(train)
    # rich's live display redirects sys.stdout/sys.stderr while it runs: both are back
    assert (sys.stdout, sys.stderr) == before
    assert bar._bar is None

    events = []
    with pytest.raises(RuntimeError, match="boom"):
        Trainer(toy_classifier(), epochs=2, callbacks=[Boom()], progress=events.append).fit(train)
    assert events[-1].kind == "end" and events[-1].aborted is True


def test_tagger_metrics_and_predict(toy_tagger, tag_data):
    trainer = Trainer(toy_tagger(), lr=0.1, epochs=8, batch_size=16)
    history = trainer.fit(tag_data, tag_data)
    assert history.history["val_entity_f1"][-1] > 0.9
    assert set(trainer.evaluate(tag_data)) == {"loss", "entity_precision",
                                               "entity_recall", "entity_f1"}
    pred = trainer.predict(tag_data)
    assert [len(p) for p in pred] == [len(s) for s in tag_data.sequences]


def test_sparse_table_uses_sparse_adam_and_touches_only_looked_up_rows(toy_classifier, cls_data):
    train, _ = cls_data
    model = toy_classifier(vocab=50, sparse=True)
    before = model.embedding.weight.detach().clone()
    trainer = Trainer(model, epochs=1)
    assert isinstance(trainer.optimizers["sparse"], torch.optim.SparseAdam)
    assert isinstance(trainer.optimizers["dense"], torch.optim.AdamW)
    trainer.fit(train)
    after = model.embedding.weight.detach()
    unused = torch.arange(30, 50)  # the data only holds ids < 30
    assert torch.equal(before[unused], after[unused])
    assert not torch.equal(before[:30], after[:30])


def test_large_table_is_sparse_by_default(toy_classifier):
    big = toy_classifier(vocab=SPARSE_AUTO_ROWS, embedding_dim=2)
    assert "sparse" in Trainer(big).optimizers and big.embedding.sparse
    small = toy_classifier(vocab=SPARSE_AUTO_ROWS - 1, embedding_dim=2)
    assert "sparse" not in Trainer(small).optimizers and not small.embedding.sparse
    forced_off = toy_classifier(vocab=SPARSE_AUTO_ROWS, embedding_dim=2)
    assert "sparse" not in Trainer(forced_off, sparse=False).optimizers


def test_regularization_and_constraints_are_used(toy_classifier, cls_data):
    train, _ = cls_data
    calls = {"constraints": 0}

    class Regularized(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(3))

        def regularization_losses(self):
            return [100.0 * (self.w**2).sum()]

        def apply_constraints(self):
            calls["constraints"] += 1

    model = toy_classifier()
    model.reg = Regularized()
    history = Trainer(model, epochs=2, batch_size=32, lr=0.01).fit(train)
    assert history.history["loss"][0] > 50  # 100 * |w|^2 = 300 at the start
    assert float(model.reg.w.detach().abs().max()) < 1.0  # the penalty's gradient reached w
    assert calls["constraints"] == 2 * 7  # after every optimizer step


def test_clip_grad_norm_matches_torch_and_handles_sparse():
    torch.manual_seed(0)
    a, b = nn.Linear(4, 3), nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    x = torch.randn(5, 4)
    (a(x) ** 2).sum().backward()
    (b(x) ** 2).sum().backward()
    expected = torch.nn.utils.clip_grad_norm_(a.parameters(), 0.5)
    got = clip_grad_norm(b.parameters(), 0.5)
    assert got == pytest.approx(float(expected), rel=1e-5)
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p.grad, q.grad)
    dense, sparse = nn.Embedding(6, 3), nn.Embedding(6, 3, sparse=True)
    sparse.load_state_dict(dense.state_dict())
    ids = torch.tensor([1, 2, 2, 5])
    dense(ids).pow(2).sum().backward()
    sparse(ids).pow(2).sum().backward()
    n_dense = clip_grad_norm(dense.parameters(), 0.1)
    n_sparse = clip_grad_norm(sparse.parameters(), 0.1)
    assert n_sparse == pytest.approx(n_dense, rel=1e-5)
    torch.testing.assert_close(sparse.weight.grad.to_dense(), dense.weight.grad)


def test_optimizer_state_round_trip(toy_classifier, cls_data):
    train, _ = cls_data
    model = toy_classifier(sparse=True)
    trainer = Trainer(model, epochs=1)
    trainer.fit(train)
    tensors, meta = optimizer_state_tensors(trainer.optimizers)
    json.dumps(meta)
    other = Trainer(toy_classifier(sparse=True), epochs=1)
    load_optimizer_state(other.optimizers, tensors, meta)
    for name in trainer.optimizers:
        a, b = trainer.optimizers[name].state_dict(), other.optimizers[name].state_dict()
        for pid in a["state"]:
            for key, value in a["state"][pid].items():
                assert torch.equal(torch.as_tensor(value), torch.as_tensor(b["state"][pid][key]))
    with pytest.raises(ValueError, match="optimizers"):
        load_optimizer_state(Trainer(toy_classifier(), sparse=False).optimizers, tensors, meta)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer"),
        ({"lr": 0}, ValueError, "lr"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay"),
        ({"clip_grad_norm": 0}, ValueError, "clip_grad_norm"),
        ({"early_stopping_patience": -2}, ValueError, "early_stopping_patience"),
        ({"mixed_precision": "int8"}, ValueError, "mixed_precision"),
        ({"device": "tpu:0"}, ValueError, "device"),
        ({"device": 3}, TypeError, "device"),
        ({"progress": 5}, TypeError, "progress"),
        ({"sparse": "yes"}, TypeError, "sparse"),
    ],
)
def test_bad_arguments(toy_classifier, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Trainer(toy_classifier(), **kwargs)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only errors")
@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mixed_precision": True}, "CUDA"), ({"mixed_precision": "bf16"}, "CUDA"),
    ({"device": "cuda"}, "CUDA"),
])
def test_cuda_only_options_on_cpu(toy_classifier, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Trainer(toy_classifier(), **kwargs)


def test_bad_model_monitor_and_data(toy_classifier, cls_data):
    train, _ = cls_data
    with pytest.raises(TypeError, match="model"):
        Trainer(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="valid_data"):
        Trainer(toy_classifier(), monitor="val_accuracy").fit(train)
    with pytest.raises(ValueError, match="not among the logged metrics"):
        Trainer(toy_classifier(), monitor="bleu", epochs=1).fit(train)
    with pytest.raises(TypeError, match="Dataset"):
        Trainer(toy_classifier()).fit(42)
    with pytest.raises(FileNotFoundError, match="trainer_state.json"):
        Trainer(toy_classifier()).fit(train, resume_from="/nonexistent/last")


def test_mixed_precision_auto_is_off_on_cpu(toy_classifier):
    trainer = Trainer(toy_classifier(), device="cpu")
    assert trainer.amp_dtype is None and trainer.config()["mixed_precision"] is None
