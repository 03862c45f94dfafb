"""vectab's Keras API against a hand-written PyTorch loop and Keras 3 (torch backend) (#11).

The tutorial-sized model: Embedding 20k x 100 (mask_zero=True) -> LSTM 128 -> Dense(1,
sigmoid), 25,000 rows x 200 ids, batch 64, Adam, binary cross-entropy. Three trainers, the same
batches (no shuffling), one run:

- ``vectab``: ``Sequential([...]).compile("adam", "binary_crossentropy").fit(...)``;
- ``torch``: nn.Embedding + nn.LSTM + nn.Linear and the loop a PyTorch user writes (for
  variable lengths: ``pack_padded_sequence``, what honours the mask in torch);
- ``keras``: Keras 3, KERAS_BACKEND=torch, in its own process (the backend is fixed at import).

Two inputs: every row 200 ids long ("fixed"), and lengths drawn in 10..200, post-padded with 0
("variable", where the mask matters). Prints s/epoch (median and spread over ``--repeats``) and
the ratios vectab/torch (goal <= 1.05) and keras/vectab (goal >= 4). ``--steps N`` times N
batches per epoch and extrapolates to the full epoch (said in the output); ``--smoke`` is a
seconds-long size for CI. Timings are reported, never asserted.

    python benchmarks/bench_keras_api.py --steps 50 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

FULL = {"rows": 25_000, "steps_len": 200, "vocab": 20_000, "dim": 100, "units": 128,
        "batch": 64}
SMOKE = {"rows": 256, "steps_len": 20, "vocab": 500, "dim": 16, "units": 16, "batch": 64}


def make_data(size: dict, variable: bool, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n, t = size["rows"], size["steps_len"]
    x = rng.integers(1, size["vocab"], size=(n, t)).astype("int64")
    if variable:
        lengths = rng.integers(min(10, t), t + 1, size=n)
        x[np.arange(t)[None, :] >= lengths[:, None]] = 0
    y = rng.integers(0, 2, size=n).astype("float32")
    return x, y


def _timed(train_one_epoch, repeats: int) -> list[float]:
    train_one_epoch()  # warm-up: allocations, first-call costs
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_one_epoch()
        times.append(time.perf_counter() - start)
    return times


def run_vectab(size, x, y, repeats):
    from vectab.layers import LSTM, Dense, Embedding, Input
    from vectab.models import Sequential

    model = Sequential([Input((size["steps_len"],), dtype="int32"),
                        Embedding(size["vocab"], size["dim"], mask_zero=True),
                        LSTM(size["units"]), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return _timed(lambda: model.fit(x, y, batch_size=size["batch"], epochs=1, shuffle=False,
                                    verbose=0), repeats)


def run_torch(size, x, y, repeats):
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(size["vocab"], size["dim"], padding_idx=0)
            self.lstm = nn.LSTM(size["dim"], size["units"], batch_first=True)
            self.dense = nn.Linear(size["units"], 1)

        def forward(self, ids):
            if not padded:  # every row full: no packing, as a PyTorch user writes it
                return self.dense(self.lstm(self.embedding(ids))[1][0][-1]).squeeze(1)
            lengths = (ids != 0).sum(1).clamp(min=1).cpu()
            packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True,
                                          enforce_sorted=False)
            _, (h, _) = self.lstm(packed)
            return self.dense(h[-1]).squeeze(1)

    padded = bool((x == 0).any())
    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def epoch():
        net.train()
        for i in range(0, len(xt), size["batch"]):
            optimizer.zero_grad()
            loss = loss_fn(net(xt[i:i + size["batch"]]), yt[i:i + size["batch"]])
            loss.backward()
            optimizer.step()

    return _timed(epoch, repeats)


def run_keras(size, x, y, repeats):
    import keras

    model = keras.Sequential([keras.Input((size["steps_len"],), dtype="int32"),
                              keras.layers.Embedding(size["vocab"], size["dim"], mask_zero=True),
                              keras.layers.LSTM(size["units"]),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return _timed(lambda: model.fit(x, y, batch_size=size["batch"], epochs=1, shuffle=False,
                                    verbose=0), repeats)


def keras_in_subprocess(args) -> dict:
    cmd = [sys.executable, __file__, "--keras-worker", "--repeats", str(args.repeats)]
    cmd += ["--smoke"] if args.smoke else []
    cmd += ["--steps", str(args.steps)] if args.steps else []
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=7200)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_rows(size, args):
    """Rows used per epoch, and the factor that scales their time to the full epoch."""
    batches = -(-size["rows"] // size["batch"])
    if not args.steps or args.steps >= batches:
        return size["rows"], 1.0
    return args.steps * size["batch"], batches / args.steps


def measure(runner, size, args) -> dict:
    rows, scale = timed_rows(size, args)
    out = {}
    for variable in (False, True):
        x, y = make_data(size, variable)
        out["variable" if variable else "fixed"] = [
            t * scale for t in runner(size, x[:rows], y[:rows], args.repeats)]
    return out


def fmt(times: list[float]) -> str:
    med = statistics.median(times)
    return f"{med:8.2f} s  ({min(times):.2f}-{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (seconds), for CI")
    parser.add_argument("--steps", type=int, default=0,
                        help="time only N batches per epoch and extrapolate to the epoch")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per trainer")
    parser.add_argument("--no-keras", action="store_true", help="skip Keras 3")
    parser.add_argument("--keras-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = SMOKE if args.smoke else FULL
    if args.keras_worker:
        print(json.dumps(measure(run_keras, size, args)))
        return

    import torch

    torch.manual_seed(0)
    rows, scale = timed_rows(size, args)
    print(f"model: Embedding {size['vocab']} x {size['dim']} (mask_zero) -> LSTM {size['units']}"
          f" -> Dense(1); {size['rows']:,} rows x {size['steps_len']} ids, batch {size['batch']}"
          f"; torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
    if scale != 1.0:
        print(f"timing {args.steps} batches ({rows:,} rows) per epoch, extrapolated x{scale:.1f}"
              " to the full epoch")
    results = {}
    trainers = {"vectab fit": lambda: measure(run_vectab, size, args),
                "torch loop": lambda: measure(run_torch, size, args)}
    if not args.no_keras:
        trainers["keras 3"] = lambda: keras_in_subprocess(args)
    for name, run in trainers.items():  # each result as it comes: a long run that is cut
        results[name] = run()             # short still says something
        print(f"  measured {name}: " + ", ".join(
            f"{k} {statistics.median(v):.2f} s/epoch" for k, v in results[name].items()
            if isinstance(v, list)), flush=True)
    print(f"\ns/epoch: median (min-max) over {args.repeats} repeats")
    print(f"{'lengths':<10}{'trainer':<12}{'s/epoch':>28}")
    for kind in ("fixed", "variable"):
        for name, res in results.items():
            text = fmt(res[kind]) if kind in res else res.get("error", "-")
            print(f"{kind:<10}{name:<12}{text:>28}")
    print(f"\n{'lengths':<10}{'fit / hand loop':>18}{'keras / fit':>14}   (goals: <= 1.05, >= 4)")
    for kind in ("fixed", "variable"):
        fit = statistics.median(results["vectab fit"][kind])
        loop = statistics.median(results["torch loop"][kind])
        keras = results.get("keras 3", {}).get(kind)
        ratio = f"{statistics.median(keras) / fit:14.2f}" if keras else f"{'-':>14}"
        print(f"{kind:<10}{fit / loop:18.2f}{ratio}")


if __name__ == "__main__":
    main()
