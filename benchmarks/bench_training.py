"""Training speed: the Trainer's large-vocabulary default, and its overhead on an LSTM epoch.

(a) Large table, 1,000,000 x 300, batch 256 x 100 (Zipf ids), lookup -> mean -> Linear(300, 2):
    the Trainer's default for a table this size (sparse gradients, SparseAdam for the table,
    AdamW for the rest) vs a plain dense AdamW step (``torch.optim.AdamW``, ``sparse=False``).
    Also the default with row freezing (first half of the rows fixed) and a max-norm
    constraint, checking that frozen rows stay bit-identical and the constraint holds.
    Each configuration runs in its own process (dense AdamW needs ~7 GB), so its peak RSS is
    its own; ratios are from the same run of this script.
(b) Embedding(20000, 128) -> LSTM(128) -> Dense(1) on 25,000 x 200 ids, batch 64: seconds per
    epoch of vectab's Trainer (TextClassifier, encoder="lstm") vs a hand-written PyTorch loop
    (nn.Embedding -> nn.LSTM -> nn.Linear, Adam, BCE), fixed length; then the same with
    ``mask_zero=True`` and variable lengths (vectab packs from the mask; the hand loop packs
    with ``pack_padded_sequence``). Keras 3 on its TensorFlow backend runs the same model on
    the same batches (``train_on_batch``, in its own process) when this Python, or the one
    in ``$BENCH_KERAS_PYTHON``, imports tensorflow. With ``--steps N`` only N steps are timed
    and the epoch time extrapolated.

Usage: python benchmarks/bench_training.py [--part a|b|all] [--steps N] [--smoke]
The machine may be shared: read ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def zipf_ids(rng: np.random.Generator, vocab: int, shape: tuple[int, ...]) -> torch.Tensor:
    ranks = rng.zipf(1.1, size=shape) - 1
    return torch.as_tensor(np.minimum(ranks, vocab - 1), dtype=torch.long)


# --------------------------------------------------------------------------- part (a)
class PooledClassifier(nn.Module):
    """lookup -> mean over the sequence -> Linear(dim, 2); follows the task-model contract."""

    task = "classification"

    def __init__(self, embedding: nn.Module, dim: int) -> None:
        super().__init__()
        self.embedding = embedding
        self.out = nn.Linear(dim, 2)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.out(self.embedding(ids).mean(1))

    def loss(self, batch):
        return nn.functional.cross_entropy(self(batch["ids"]), batch["labels"])

    def decode(self, batch):
        return self(batch["ids"]).argmax(-1)


def run_large_config(config: str, vocab: int, dim: int, batch: int, seq: int, steps: int) -> dict:
    from vectab.engine.trainer import Trainer
    from vectab.nn import Embedding

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    batches = [{"ids": zipf_ids(rng, vocab, (batch, seq)),
                "labels": torch.as_tensor(rng.integers(0, 2, batch))} for _ in range(4)]
    kwargs: dict = {}
    if config == "freeze+constraint":
        trainable = np.ones(vocab, dtype=bool)
        trainable[: vocab // 2] = False  # the most frequent half stays fixed
        kwargs = {"trainable": trainable, "embeddings_constraint": "max_norm"}
    emb = Embedding(vocab, dim, embeddings_initializer="uniform", **kwargs)
    model = PooledClassifier(emb, dim)
    frozen_before = emb.weight[: vocab // 2].detach().clone() if kwargs else None
    if config == "dense AdamW":
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)

        def step(b):
            loss = model.loss(b)
            loss.backward()
            opt.step()
            opt.zero_grad()
    else:
        trainer = Trainer(model, device="cpu")  # the default: >= 100k rows -> sparse

        def step(b):
            trainer._step(b)
    times = []
    for i in range(steps + 2):  # 2 warm-up steps
        t0 = time.perf_counter()
        step(batches[i % len(batches)])
        if i >= 2:
            times.append(time.perf_counter() - t0)
    out = {"config": config, "s_per_step": statistics.median(times), "steps": steps,
           "peak_rss_mb": peak_rss_mb(), "sparse_table": bool(emb.sparse)}
    if config != "dense AdamW":
        out["optimizers"] = sorted(type(o).__name__ for o in trainer.optimizers.values())
    if frozen_before is not None:
        w = emb.weight.detach()
        out["frozen_rows_identical"] = bool(torch.equal(w[: vocab // 2], frozen_before))
        out["max_row_norm"] = float(w[vocab // 2:].norm(dim=1).max())
    return out


def part_a(smoke: bool, steps: int | None) -> None:
    vocab, dim, batch, seq = (20_000, 32, 32, 20) if smoke else (1_000_000, 300, 256, 100)
    steps = steps or (3 if smoke else 8)
    configs = ["dense AdamW", "Trainer default", "freeze+constraint"]
    results = {}
    for config in configs:
        cmd = [
            sys.executable,
            __file__,
            "--child",
            json.dumps([config, vocab, dim, batch, seq, steps]),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[config] = json.loads(proc.stdout.strip().splitlines()[-1])
    base = results["dense AdamW"]["s_per_step"]
    print(f"\n(a) table {vocab:,} x {dim}, batch {batch} x {seq}, {steps} timed steps each "
          f"(median), {torch.get_num_threads()} thread(s), one process per row")
    print("| config | optimizers | s/step | speed-up vs dense AdamW | peak RSS MB | notes |")
    print("|---|---|---:|---:|---:|---|")
    for config in configs:
        r = results[config]
        opts = ", ".join(r.get("optimizers", ["AdamW"]))
        notes = ""
        if "frozen_rows_identical" in r:
            notes = (f"frozen rows identical: {r['frozen_rows_identical']}; "
                     f"max row norm {r['max_row_norm']:.3f} (max_norm 2)")
        print(f"| {config} | {opts} | {r['s_per_step']:.4f} | {base / r['s_per_step']:.1f}x | "
              f"{r['peak_rss_mb']:,.0f} | {notes} |")


# --------------------------------------------------------------------------- part (b)
class HandLSTM(nn.Module):
    def __init__(self, vocab: int, dim: int, hidden: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, ids, lengths=None):
        x = self.embedding(ids)
        if lengths is None:
            _, (h, _) = self.lstm(x)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                       enforce_sorted=False)
            _, (h, _) = self.lstm(packed)
        return self.out(h[-1]).squeeze(-1)


def make_lstm_data(n: int, seq: int, vocab: int, variable: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = zipf_ids(rng, vocab - 1, (n, seq)) + 1  # 1..vocab-1; 0 is padding
    lengths = rng.integers(20, seq + 1, n) if variable else np.full(n, seq)
    labels = (ids[:, :10].float().mean(1) < 50).long()  # learnable from the first tokens
    seqs = [ids[i, : lengths[i]] for i in range(n)]
    return seqs, labels, torch.as_tensor(lengths)


def time_hand_loop(seqs, labels, lengths, *, batch: int, steps: int, variable: bool, vocab: int):
    torch.manual_seed(0)
    model = HandLSTM(vocab, 128, 128)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    order = torch.randperm(len(seqs))
    times = []
    for i in range(steps + 2):
        t0 = time.perf_counter()
        idx = order[(i * batch) % len(seqs):][:batch]
        ids = nn.utils.rnn.pad_sequence([seqs[j] for j in idx], batch_first=True)
        logits = model(ids, lengths[idx] if variable else None)
        loss = loss_fn(logits, labels[idx].float())
        loss.backward()
        opt.step()
        opt.zero_grad()
        if i >= 2:
            times.append(time.perf_counter() - t0)
    return times


def time_vectab(seqs, labels, *, batch: int, steps: int, variable: bool, vocab: int):
    from vectab.engine.trainer import Trainer
    from vectab.models import ClassifierConfig, TextClassifier
    from vectab.train.data import ClassificationDataset

    torch.manual_seed(0)
    config = ClassifierConfig(vocab, 128, 1, encoder="lstm", hidden_size=128, pooling="last",
                              dropout=0.0, mask_zero=variable)
    trainer = Trainer(TextClassifier(config), batch_size=batch, device="cpu")
    loader = trainer._loader(ClassificationDataset(seqs, labels.tolist()), train=True)
    trainer.model.train()
    times = []
    it = iter(loader)
    for i in range(steps + 2):  # the Trainer's own data path and step, timed per step
        t0 = time.perf_counter()
        trainer._step(trainer._to_device(next(it)))
        if i >= 2:
            times.append(time.perf_counter() - t0)
    return times


KERAS_CHILD = """
import json, os, sys, time
import numpy as np
import keras
data = np.load(sys.argv[1])
ids, labels = data["ids"], data["labels"]
batch, steps, variable = int(data["batch"]), int(data["steps"]), bool(data["variable"])
keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.layers.Embedding(int(data["vocab"]), 128, mask_zero=variable),
    keras.layers.LSTM(128),
    keras.layers.Dense(1),
])
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
)
order = np.random.default_rng(0).permutation(len(ids))
times = []
for i in range(steps + 2):
    t0 = time.perf_counter()
    idx = order[(i * batch) % len(ids):][:batch]
    # every batch keeps the full padded width (pad_sequences(maxlen=200), as Keras users do;
    # the mask skips the padding): a new width per batch would retrace the step function
    model.train_on_batch(ids[idx], labels[idx].astype("float32"))
    if i >= 2:
        times.append(time.perf_counter() - t0)
print(json.dumps({"times": times, "backend": keras.backend.backend()}))
"""


def keras_tensorflow_python() -> str | None:
    """A Python that imports tensorflow and keras: $BENCH_KERAS_PYTHON, or this one."""
    candidate = os.environ.get("BENCH_KERAS_PYTHON", sys.executable)
    probe = subprocess.run([candidate, "-c", "import tensorflow, keras"], capture_output=True,
                           check=False)
    return candidate if probe.returncode == 0 else None


def time_keras_tensorflow(python: str, seqs, labels, *, batch: int, steps: int, variable: bool,
                          vocab: int) -> list[float]:
    """Keras 3 on its TensorFlow backend, same model, data and batches, in its own process."""
    import tempfile

    ids = nn.utils.rnn.pad_sequence(seqs, batch_first=True).numpy()  # post-padded with 0 to 200
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.npz")
        np.savez(path, ids=ids, labels=labels.numpy(), batch=batch, steps=steps,
                 variable=variable, vocab=vocab)
        env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2",
                   TF_NUM_INTEROP_THREADS="1",
                   TF_NUM_INTRAOP_THREADS=os.environ.get("BENCH_THREADS", "2"))
        done = subprocess.run([python, "-c", KERAS_CHILD, path], capture_output=True, text=True,
                              env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"the Keras/TensorFlow run failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["times"]


def part_b(smoke: bool, steps: int | None) -> None:
    n, seq, vocab, batch = (640, 40, 2000, 64) if smoke else (25_000, 200, 20_000, 64)
    steps_per_epoch = -(-n // batch)
    steps = min(steps or (4 if smoke else steps_per_epoch), steps_per_epoch - 2)
    keras_python = keras_tensorflow_python()
    tf_note = ("Keras 3 on TensorFlow: same batches, timed per step in its own process"
               if keras_python else "Keras 3 on TensorFlow skipped: tensorflow is not installed "
               "(or set BENCH_KERAS_PYTHON to a Python that has it)")
    print(f"\n(b) Embedding({vocab}, 128) -> LSTM(128) -> Dense(1), {n:,} x {seq}, batch {batch}; "
          f"{steps} of {steps_per_epoch} steps timed per run, epoch time = median step x "
          f"{steps_per_epoch}{' (extrapolated)' if steps < steps_per_epoch else ''}; runs "
          f"alternate hand, vectab, hand, vectab")
    print("| input | hand-written PyTorch s/epoch | vectab Trainer s/epoch | ratio vectab/hand "
          "| Keras 3 on TensorFlow s/epoch | ratio vectab/Keras-TF |")
    print("|---|---:|---:|---:|---:|---:|")
    for variable in (False, True):
        seqs, labels, lengths = make_lstm_data(n, seq, vocab, variable)
        hand, ours = [], []
        for _ in range(2):
            hand += time_hand_loop(seqs, labels, lengths, batch=batch, steps=steps // 2 or 1,
                                   variable=variable, vocab=vocab)
            ours += time_vectab(seqs, labels, batch=batch, steps=steps // 2 or 1,
                                variable=variable, vocab=vocab)
        h = statistics.median(hand) * steps_per_epoch
        v = statistics.median(ours) * steps_per_epoch
        k = "-", "-"
        if keras_python:
            kt = time_keras_tensorflow(keras_python, seqs, labels, batch=batch, steps=steps,
                                       variable=variable, vocab=vocab)
            kk = statistics.median(kt) * steps_per_epoch
            k = f"{kk:.1f}", f"{v / kk:.3f}"
        name = "mask_zero=True, lengths 20..200" if variable else "fixed length, no mask"
        print(f"| {name} | {h:.1f} | {v:.1f} | {v / h:.3f} | {k[0]} | {k[1]} |")
    print(f"note: {tf_note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    parser.add_argument("--steps", type=int, default=None, help="timed steps per run")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, runs in seconds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_large_config(*json.loads(args.child))))
        return
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, shared machine")
    if args.part in ("a", "all"):
        part_a(args.smoke, args.steps)
    if args.part in ("b", "all"):
        part_b(args.smoke, args.steps)


if __name__ == "__main__":
    main()
