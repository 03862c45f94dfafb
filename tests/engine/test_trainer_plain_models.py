"""Trainer with a plain nn.Module and a loss (#11): arrays, TensorDataset, DataLoaders of
tuples and of dicts; a ready torch optimizer; unshuffled batches give hand-loop weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from vectab.engine import Trainer


def _data(n=64):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=g)
    return x, x @ torch.tensor([2.0, -1.0, 0.5])


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 1), nn.Flatten(0))


@pytest.mark.parametrize("kind", ["numpy", "list", "tensor", "tensordataset", "loader", "dicts"])
def test_plain_module_learns_from_ordinary_data(kind):
    x, y = _data()
    data = {
        "numpy": (x.numpy(), y.numpy()),
        "list": (x.tolist(), y.tolist()),
        "tensor": (x, y),
        "tensordataset": TensorDataset(x, y),
        "loader": DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True),
        "dicts": DataLoader([{"x": a, "labels": b} for a, b in zip(x, y, strict=True)],
                            batch_size=16),
    }[kind]
    trainer = Trainer(_model(), loss="mse", metrics=["mae"], optimizer="adam", lr=0.05,
                      weight_decay=0.0, epochs=40, batch_size=16, device="cpu")
    history = trainer.fit(data)
    assert history.history["loss"][-1] < 0.01 < history.history["loss"][0]
    assert set(history.history) == {"loss", "mae"}
    result = trainer.evaluate(TensorDataset(x, y))
    assert result["loss"] < 0.01
    pred = trainer.predict((x.numpy(),))
    assert isinstance(pred, np.ndarray) and pred.shape == (64,)
    np.testing.assert_allclose(pred, y.numpy(), atol=0.3)


def test_unshuffled_sgd_matches_a_hand_loop_and_keras_style_epoch_loss():
    x, y = _data(50)  # batches of 16, 16, 16, 2: the epoch loss is the mean over examples
    model, ref = _model(), _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, loss=lambda p, t: (p - t) ** 2, optimizer=opt, shuffle=False,
                      clip_grad_norm=None, epochs=1, batch_size=16, device="cpu")
    history = trainer.fit((x, y))
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    total = 0.0
    for i in range(0, 50, 16):
        loss = ((ref(x[i:i + 16]) - y[i:i + 16]) ** 2).mean()
        total += float(loss.detach()) * len(x[i:i + 16])
        ref_opt.zero_grad()
        loss.backward()
        ref_opt.step()
    for a, b in zip(model.parameters(), ref.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    assert history.history["loss"][0] == pytest.approx(total / 50, rel=1e-6)


def test_sample_weights_scale_the_loss():
    x, y = _data(8)
    torch.manual_seed(0)
    model = nn.Linear(3, 1)  # (8, 1) outputs: mse gives one value per sample
    trainer = Trainer(model, loss="mse", device="cpu", epochs=1)
    plain = trainer.evaluate((x, y))["loss"]
    doubled = trainer.evaluate((x, y, torch.full((8,), 2.0)))["loss"]
    assert doubled == pytest.approx(2 * plain, rel=1e-5)


def test_a_plain_module_without_loss_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="`loss` is needed.*loss='mse'"):
        Trainer(nn.Linear(2, 1), device="cpu")
    with pytest.raises(ValueError, match="`loss` must be one of"):
        Trainer(nn.Linear(2, 1), loss="msee", device="cpu")
    with pytest.raises(TypeError, match="`shuffle`"):
        Trainer(nn.Linear(2, 1), loss="mse", shuffle="no", device="cpu")


def test_plain_module_checkpoints_resume_and_restore_best(tmp_path):
    x, y = _data(48)
    valid = (x[:16], y[:16])

    def run(epochs, resume=None, directory="ck"):
        torch.manual_seed(0)
        trainer = Trainer(_model(), loss="mse", metrics=["mae"], lr=0.05, epochs=epochs,
                          batch_size=16, device="cpu", checkpoint_dir=tmp_path / directory)
        history = trainer.fit((x, y), valid, resume_from=resume)
        return trainer, history

    full_trainer, full = run(6, directory="full")
    assert full.best_epoch is not None and "val_mae" in full.history
    run(3)
    resumed_trainer, resumed = run(6, resume=tmp_path / "ck" / "last")
    assert resumed.history["val_loss"] == pytest.approx(full.history["val_loss"])
    for a, b in zip(full_trainer.model.parameters(), resumed_trainer.model.parameters(),
                    strict=True):
        torch.testing.assert_close(a, b)
