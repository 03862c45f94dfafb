"""torchrun: 2 CPU processes (gloo) train as well as one; only rank 0 writes and prints."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
import torch

from vectab.engine import distributed as d
from vectab.train.saving import load_model

POS, NEG = ["great", "superb", "lovely", "fine"], ["awful", "dull", "boring", "poor"]
FILLER = ["the", "film", "plot", "was", "a", "story", "really", "acting"]


def write_data(path, n, seed):
    rng = random.Random(seed)
    rows = ["text,label"]
    for _ in range(n):
        y = rng.choice(["pos", "neg"])
        words = rng.sample(FILLER, 4) + [rng.choice(POS if y == "pos" else NEG)]
        rows.append(f"{' '.join(words)},{y}")
    path.write_text("\n".join(rows) + "\n")
    return path


def accuracy(model_dir, path):
    from vectab.train.data import read_table

    texts, labels = read_table(path)
    pred = load_model(model_dir).predict(texts)
    return sum(p == y for p, y in zip(pred, labels)) / len(labels)


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch without distributed")
def test_torchrun_two_processes_matches_one(tmp_path):
    train, dev = (write_data(tmp_path / "train.csv", 300, 0),
                  write_data(tmp_path / "dev.csv", 100, 1))
    args = ["train", "classifier", "--train", str(train), "--valid", str(dev), "--encoder", "mean",
            "--embedding-dim", "16", "--epochs", "3", "--lr", "0.03", "--batch-size", "16",
            "--device", "cpu"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("RANK", None)
    env.pop("WORLD_SIZE", None)
    two = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "vectab", *args, "--out", str(tmp_path / "ddp")],
        capture_output=True, text=True, env=env, timeout=180,
    )
    assert two.returncode == 0, two.stderr[-3000:]
    assert two.stdout.count("saved model to") == 1  # rank 1 stays quiet
    one = subprocess.run([sys.executable, "-m", "vectab", *args, "--out", str(tmp_path / "one")],
                         capture_output=True, text=True, env=env, timeout=180)
    assert one.returncode == 0, one.stderr[-3000:]
    acc_two, acc_one = accuracy(tmp_path / "ddp", dev), accuracy(tmp_path / "one", dev)
    assert acc_one > 0.9 and acc_two > 0.9
    assert abs(acc_two - acc_one) <= 0.05
    config = (tmp_path / "ddp" / "config.json").read_text()
    assert '"world_size": 2' in config


def test_single_process_context_and_devices():
    ctx = d.context()
    assert ctx.world_size == 1 and ctx.is_main
    assert d.resolve_device("cpu", ctx) == torch.device("cpu")
    assert d.resolve_device("auto", ctx).type == ("cuda" if torch.cuda.is_available() else "cpu")
    model = torch.nn.Linear(2, 2)
    assert d.wrap(model, ctx, torch.device("cpu")) is model
    d.barrier(ctx)  # no-op outside torchrun
    with pytest.raises(ValueError, match="`device` must be"):
        d.resolve_device("gpu0", ctx)
    with pytest.raises(TypeError, match="`device` must be"):
        d.resolve_device(None, ctx)
