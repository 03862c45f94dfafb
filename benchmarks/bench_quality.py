"""Quality on real data: SST-2 sentiment, Resume NER (Chinese), WNUT-17 (English, noisy).

Runs vectab's own pipelines (``vectab.train.pipeline.train_classifier`` / ``train_tagger``,
the same code as ``vectab train classifier|tagger``) on the datasets in ``../shared/data``
(each folder has a SOURCE.md) and prints one table:

- SST-2 dev accuracy: BiLSTM (256 per direction) over the 20k-word GloVe 6B 50d subset,
  pretrained rows frozen and the other rows learning (``freeze="pretrained"``); the table
  also holds the GloVe words absent from the training file (``extend_vocab=True``: a dev word
  never seen in training keeps its vector); a per-word ReLU layer of 256 (``projection``)
  between the fixed vectors and the BiLSTM; validation on a moving average of the weights
  (``ema=0.999``); 2 epochs. ``sst2-noext``, ``sst2-noema``: one part removed; ``sst2-plain``: none
  of the parts (BiLSTM 128); ``sst2-finetune``: every row learning; ``sst2-random``: no GloVe. Early
  stopping on dev (the dev set is also the reported number, as in GLUE); the labelled SST-2 test
  accuracy is printed too.
- Resume NER test entity F1: character BiLSTM-CRF on the BMES tags as they are (entity
  F1 follows conlleval/seqeval rules, BMES included), early stopping on dev.
- WNUT-17 test entity F1: word BiLSTM-CRF over lower-cased words with the GloVe subset,
  pretrained rows frozen, extended with the GloVe words absent from training.

Usage: python benchmarks/bench_quality.py
       [--task sst2|sst2-noext|sst2-noema|sst2-plain|sst2-finetune|sst2-random|resume|wnut17|all]
       [--data DIR] [--smoke]   (--smoke: 1,500 training examples, 1 epoch; checks the wiring)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch

torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def show_epoch(event: dict) -> None:
    """Print each epoch's logs as it ends (long runs on a shared machine stay visible)."""
    if event["event"] == "epoch_end":
        logs = "  ".join(f"{k} {v:.4f}" for k, v in event["logs"].items() if k != "epoch")
        print(f"  epoch {event['epoch'] + 1}: {logs}", flush=True)


def head_lines(src: Path, n: int, tmp: Path, *, blank_separated: bool = False) -> Path:
    """Copy the first ``n`` rows (or sentences) of ``src`` to ``tmp`` for smoke runs."""
    out = tmp / src.name
    lines = src.read_text(encoding="utf-8").splitlines()
    if blank_separated:
        kept, count = [], 0
        for line in lines:
            kept.append(line)
            if not line.strip():
                count += 1
                if count >= n:
                    break
        lines = kept
    else:
        lines = lines[: n + 1]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def sst2(data: Path, *, pretrained: bool, smoke: bool, tmp: Path, freeze: str = "pretrained",
         projection: tuple[int, ...] = (), extend_vocab: bool = False, hidden_size: int = 128,
         ema: float | None = None, epochs: int = 5) -> dict:
    from vectab.train.data import read_table
    from vectab.train.pipeline import train_classifier

    folder = data / "sst2"
    train = head_lines(folder / "train.tsv", 1500, tmp) if smoke else folder / "train.tsv"
    result = train_classifier(
        train, valid=folder / "dev.tsv", text_col="sentence", label_col="label",
        vectors=data / "glove-6b-50d-top20k" / "glove.6B.50d.top20k.txt" if pretrained else None,
        freeze=freeze, extend_vocab=extend_vocab, encoder="bilstm", embedding_dim=50,
        hidden_size=hidden_size, projection=projection, ema=ema,
        dropout=0.5,
        epochs=1 if smoke else epochs, batch_size=64, lr=2e-3, early_stopping_patience=2, seed=0,
        oov_init="zeros",  # words missing from the 20k subset start at 0, not at GloVe's scale
        device="cpu", progress=show_epoch,
    )
    texts, labels = read_table(folder / "test.tsv", text_col="sentence", label_col="label")
    pred = result.model.predict(texts)
    test_acc = sum(p == y for p, y in zip(pred, labels)) / len(labels)
    return {"metric": "dev accuracy", "value": result.metrics["accuracy"],
            "extra": f"test accuracy {test_acc:.4f}; epochs {len(result.history.epochs)}, "
                     f"best {result.history.best_epoch + 1}"}


def tagger(data: Path, name: str, *, smoke: bool, tmp: Path) -> dict:
    from vectab.engine.metrics import entity_f1
    from vectab.train.data import read_conll
    from vectab.train.pipeline import train_tagger

    if name == "resume":
        folder, ext = data / "resume-ner-zh", "char.bmes"
        options = {"embedding_dim": 100, "hidden_size": 128, "lr": 2e-3, "epochs": 15,
                   "batch_size": 16, "vectors": None, "patience": 3}
    else:
        folder, ext = data / "wnut17", "conll"
        # lower-cased words, and the GloVe words absent from training in the table: the test
        # set's entities are new by design, and each one GloVe knows keeps its vector
        options = {"embedding_dim": 50, "hidden_size": 128, "lr": 5e-3, "epochs": 40,
                   "batch_size": 16, "lower": True, "extend_vocab": True, "patience": 6,
                   "vectors": data / "glove-6b-50d-top20k" / "glove.6B.50d.top20k.txt"}
    train = folder / f"train.{ext}"
    if smoke:
        train = head_lines(train, 300, tmp, blank_separated=True)
        options["epochs"] = 1
    patience = options.pop("patience")
    result = train_tagger(train, valid=folder / f"dev.{ext}", dropout=0.5,
                          early_stopping_patience=patience, seed=0, device="cpu",
                          progress=show_epoch, **options)
    sents, gold = read_conll(folder / f"test.{ext}")
    scores = entity_f1(gold, result.model.predict(sents))
    return {"metric": "test entity F1", "value": scores["f1"],
            "extra": f"P {scores['precision']:.4f} R {scores['recall']:.4f}; dev F1 "
                     f"{result.metrics['entity_f1']:.4f}; epochs {len(result.history.epochs)}"}


# the frozen-GloVe recipe; 2 epochs (the dev accuracy peaks by then) keep a run under 15 minutes
RECIPE = {"projection": (256,), "hidden_size": 256, "ema": 0.999, "epochs": 2}

TASKS = {
    "sst2": (
        "SST-2, BiLSTM 256, GloVe 50d (20k) pretrained rows frozen, + GloVe words, "
        "projection 256, ema 0.999",
        "0.83 (aim 0.86)",
        lambda d, s, t: sst2(d, pretrained=True, smoke=s, tmp=t, extend_vocab=True, **RECIPE),
    ),
    "sst2-noext": (
        "SST-2, the same without the GloVe-only words (extend_vocab=False)",
        "report",
        lambda d, s, t: sst2(d, pretrained=True, smoke=s, tmp=t, **RECIPE),
    ),
    "sst2-noema": (
        "SST-2, the same without the weight average (ema=None)",
        "report",
        lambda d, s, t: sst2(
            d, pretrained=True, smoke=s, tmp=t, extend_vocab=True, **{**RECIPE, "ema": None}
        ),
    ),
    "sst2-plain": (
        "SST-2, BiLSTM 128, GloVe 50d (20k) pretrained rows frozen, nothing else",
        "report",
        lambda d, s, t: sst2(d, pretrained=True, smoke=s, tmp=t),
    ),
    "sst2-finetune": (
        "SST-2, the recipe with every row of the GloVe-initialised table learning",
        "report",
        lambda d, s, t: sst2(d, pretrained=True, smoke=s, tmp=t, freeze="none", **RECIPE),
    ),
    "sst2-random": (
        "SST-2, the recipe from a random table",
        "report",
        lambda d, s, t: sst2(d, pretrained=False, smoke=s, tmp=t, **RECIPE),
    ),
    "resume": (
        "Resume NER (zh), char BiLSTM-CRF",
        "0.90",
        lambda d, s, t: tagger(d, "resume", smoke=s, tmp=t),
    ),
    "wnut17": (
        "WNUT-17, BiLSTM-CRF + GloVe 50d (20k), frozen, + GloVe words",
        "report (~0.40 published)",
        lambda d, s, t: tagger(d, "wnut17", smoke=s, tmp=t),
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=[*TASKS, "all"], default="all")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"datasets not found at {args.data}; pass --data DIR")
    names = list(TASKS) if args.task == "all" else [args.task]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            label, goal, fn = TASKS[name]
            t0 = time.perf_counter()
            out = fn(args.data, args.smoke, Path(tmp))
            rows.append((label, out["metric"], out["value"], goal, time.perf_counter() - t0,
                         out["extra"]))
            print(f"done: {label}: {out['metric']} {out['value']:.4f}", flush=True)
    print(f"\ntorch {torch.__version__}, {torch.get_num_threads()} threads, CPU, shared machine"
          f"{', SMOKE (tiny subsets)' if args.smoke else ''}")
    print("| task | metric | vectab | goal | minutes | notes |")
    print("|---|---|---:|---|---:|---|")
    for label, metric, value, goal, secs, extra in rows:
        print(f"| {label} | {metric} | {value:.4f} | {goal} | {secs / 60:.1f} | {extra} |")


if __name__ == "__main__":
    main()
