"""Trainer(ema=...): the averaged weights are validated and kept; training follows the raw ones."""

from __future__ import annotations

import pytest
import torch

from vectab.engine.callbacks import Callback
from vectab.engine.trainer import Trainer


def weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


class RawSteps(Callback):
    """Records the trained (not averaged) weights after every step."""

    def __init__(self):
        self.steps = []

    def on_batch_end(self, trainer, step, logs):
        self.steps.append(weights(trainer.model))


def test_model_ends_with_the_moving_average_of_the_steps(toy_classifier, cls_data):
    train, _ = cls_data
    model = toy_classifier(dropout=0.2)
    start = weights(model)
    raw = RawSteps()
    decay = 0.9
    Trainer(model, ema=decay, lr=0.05, batch_size=16, epochs=3, seed=0,
            callbacks=[raw]).fit(train)
    expected = {k: v.clone() for k, v in start.items()}
    for t, step in enumerate(raw.steps, start=1):  # TensorFlow's warm-up of the decay
        d = min(decay, (1 + t) / (10 + t))
        for k in expected:
            expected[k] = d * expected[k] + (1 - d) * step[k]
    final = weights(model)
    assert final.keys() == expected.keys()
    for k in final:
        torch.testing.assert_close(final[k], expected[k], rtol=1e-5, atol=1e-6)
    assert not torch.allclose(final["out.weight"], raw.steps[-1]["out.weight"])


def test_averaging_does_not_change_the_training_path(toy_classifier, cls_data):
    train, valid = cls_data
    runs = []
    for ema in (None, 0.99):
        raw = RawSteps()
        Trainer(toy_classifier(dropout=0.3), ema=ema, lr=0.05, batch_size=16, epochs=3, seed=4,
                restore_best=False, callbacks=[raw]).fit(train, valid)
        runs.append(raw.steps)
    assert len(runs[0]) == len(runs[1])
    for a, b in zip(*runs):
        assert all(torch.equal(a[k], b[k]) for k in a)


def test_validation_and_best_weights_are_the_average(toy_classifier, cls_data):
    train, valid = cls_data
    seen = []

    class AtEpochEnd(Callback):
        def on_epoch_end(self, trainer, logs):
            seen.append((logs["val_loss"], trainer.evaluate(valid)["loss"], weights(trainer.model)))

    model = toy_classifier()
    trainer = Trainer(model, ema=0.95, lr=0.1, batch_size=16, epochs=4, seed=1,
                      monitor="val_loss", callbacks=[AtEpochEnd()])
    history = trainer.fit(train, valid)
    for logged, again, _ in seen:  # the logged numbers are those of the weights in the model
        assert logged == pytest.approx(again)
    best = seen[history.best_epoch][2]
    assert all(torch.equal(best[k], v) for k, v in weights(model).items())


@pytest.mark.parametrize("sparse", [False, True])
def test_resume_with_ema_is_bit_identical(toy_classifier, cls_data, tmp_path, sparse):
    train, valid = cls_data
    opts = dict(lr=0.05, batch_size=16, seed=1, ema=0.9, sparse=sparse, restore_best=False)
    full = toy_classifier(dropout=0.3)
    h_full = Trainer(full, epochs=4, checkpoint_dir=tmp_path / "a", **opts).fit(train, valid)
    Trainer(toy_classifier(dropout=0.3), epochs=2, checkpoint_dir=tmp_path / "b",
            **opts).fit(train, valid)
    resumed = toy_classifier(dropout=0.3)
    h_res = Trainer(resumed, epochs=4, checkpoint_dir=tmp_path / "b", **opts).fit(
        train, valid, resume_from=tmp_path / "b" / "last")
    assert h_full.history == h_res.history
    final, again = weights(full), weights(resumed)
    assert all(torch.equal(final[k], again[k]) for k in final)
    plain = {**opts, "ema": None}
    Trainer(toy_classifier(), epochs=1, checkpoint_dir=tmp_path / "c", **plain).fit(train, valid)
    with pytest.raises(ValueError, match="checkpoint has no weight average for"):
        Trainer(toy_classifier(), epochs=2, **opts).fit(
            train, valid, resume_from=tmp_path / "c" / "last")


def test_sparse_tables_are_not_averaged(toy_classifier):
    trainer = Trainer(toy_classifier(sparse=True), ema=0.99, sparse=True)
    assert trainer.ema.names == ["out.weight", "out.bias"]
    assert trainer.config()["ema"] == 0.99


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, float("nan")])
def test_bad_decay(toy_classifier, bad):
    with pytest.raises(ValueError, match=r"`ema` must be a number in \(0, 1\) or None, got"):
        Trainer(toy_classifier(), ema=bad)


@pytest.mark.parametrize("bad", [True, "0.9"])
def test_a_decay_of_the_wrong_type_is_a_type_error(toy_classifier, bad):
    with pytest.raises(TypeError, match=r"`ema` must be a number in \(0, 1\) or None, got"):
        Trainer(toy_classifier(), ema=bad)


@pytest.mark.parametrize("where", ["evaluate", "on_epoch_end"])
def test_fit_after_an_interrupted_validation_trains_from_the_trained_weights(
    toy_classifier, cls_data, where
):
    train, valid = cls_data

    class Boom(Callback):
        def on_epoch_end(self, trainer, logs):
            raise KeyboardInterrupt  # while the average is in the model

    class AtStart(Callback):
        def on_train_begin(self, trainer):
            self.weights = weights(trainer.model)

    raw, start = RawSteps(), AtStart()
    trainer = Trainer(toy_classifier(), ema=0.9, lr=0.05, batch_size=16, epochs=1, seed=0,
                      callbacks=[raw] + ([Boom()] if where == "on_epoch_end" else []))
    if where == "evaluate":
        def evaluate(data):
            assert trainer.ema.swapped_in  # validation runs on the average
            raise KeyboardInterrupt

        trainer.evaluate = evaluate
    with pytest.raises(KeyboardInterrupt):
        trainer.fit(train, valid)
    # the interruption leaves the trained weights in the model, not the average
    assert not trainer.ema.swapped_in
    trained = raw.steps[-1]
    assert all(torch.equal(trained[k], v) for k, v in weights(trainer.model).items())
    vars(trainer).pop("evaluate", None)  # validate normally again
    trainer.callbacks = [start]
    trainer.fit(train, valid)
    assert all(torch.equal(trained[k], start.weights[k]) for k in trained)
    assert not trainer.ema.swapped_in
