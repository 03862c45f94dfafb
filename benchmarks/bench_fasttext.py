"""FastText training: vectab vs gensim on the same corpus, same settings, same process.

Prints words/s of both (raw corpus words x epochs / train() wall time, and the effective words
after downsampling) with the ratio (median of ``--repeats`` runs, with the spread), and the
quality of both models, computed by the same code for both sides:

- WS-353 and Rare Words (RW) Spearman over the pairs whose words are in the vocabulary
  (gensim's ``KeyedVectors.evaluate_word_pairs`` on the composed word vectors);
- RW Spearman over the pairs with a word missing from the corpus vocabulary, those words'
  vectors built from their character n-grams (``model.wv[word]`` on both sides), and over all
  RW pairs.

    python benchmarks/bench_fasttext.py               # ../shared/data/raw-corpus-en, sg and cbow
    python benchmarks/bench_fasttext.py --smoke       # tiny synthetic corpus, seconds
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_word2vec import DATA, read_corpus, synthetic_corpus  # noqa: E402

SETTINGS = dict(vector_size=100, window=5, min_count=5, negative=5, min_n=3, max_n=6, seed=1)


def train(library: str, sentences, sg: int, epochs: int, workers: int, bucket: int):
    """Build the vocabulary, then time ``train()``; returns (model, seconds, effective, raw)."""
    if library == "gensim":
        from gensim.models import FastText
    else:
        from vectab.models import FastText
    model = FastText(sg=sg, workers=workers, bucket=bucket, **SETTINGS)
    model.build_vocab(sentences)
    start = time.perf_counter()
    eff, raw = model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    return model, time.perf_counter() - start, eff, raw


def _pairs(name: str) -> list[tuple[str, str, float]]:
    out = []
    with open(DATA / "word-similarity" / name, encoding="utf-8") as f:
        for line in f:
            a, b, score = line.split("\t")[:3]
            out.append((a.lower(), b.lower(), float(score)))
    return out


def quality(model) -> dict[str, float]:
    """In-vocabulary WS-353 / RW Spearman (gensim's evaluation) and RW with OOV words."""
    from gensim.models import KeyedVectors
    from scipy.stats import spearmanr

    wv = model.wv
    kv = KeyedVectors(wv.vectors.shape[1])
    kv.add_vectors(list(wv.index_to_key), np.asarray(wv.vectors))
    out = {}
    for key, name in (("ws353", "EN-WS-353-ALL.txt"), ("rw", "EN-RW-STANFORD.txt")):
        path = str(DATA / "word-similarity" / name)
        out[key] = float(kv.evaluate_word_pairs(path, delimiter="\t")[1][0])
    known = set(wv.index_to_key)

    def cos(a: str, b: str) -> float:
        u, v = np.asarray(wv[a], np.float64), np.asarray(wv[b], np.float64)
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-12))

    rw = _pairs("EN-RW-STANFORD.txt")
    oov = [(a, b, s) for a, b, s in rw if a not in known or b not in known]
    for key, pairs in (("rw_oov", oov), ("rw_all", rw)):
        sims = [cos(a, b) for a, b, _ in pairs]
        out[key] = float(spearmanr(sims, [s for *_, s in pairs])[0])
    out["rw_oov_pairs"] = len(oov)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny synthetic corpus, 1 epoch")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only")
    parser.add_argument("--modes", default="sg,cbow")
    parser.add_argument("--bucket", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.smoke:
        sentences, epochs, evaluate, bucket = synthetic_corpus(2000), 1, False, 20_000
    else:
        if not (DATA / "raw-corpus-en").is_dir():
            raise SystemExit(f"corpus not found under {DATA}; use --smoke")
        sentences = read_corpus(DATA / "raw-corpus-en", args.limit)
        epochs, evaluate, bucket = args.epochs, args.limit is None, args.bucket
    n_tokens = sum(map(len, sentences))
    print(f"corpus: {len(sentences):,} sentences, {n_tokens:,} tokens; epochs={epochs}, "
          f"workers={args.workers}, bucket={bucket:,}, "
          + ", ".join(f"{k}={v}" for k, v in SETTINGS.items()))
    warm = synthetic_corpus(200)
    for sg in (0, 1):  # JIT warm-up (cached on disk after the first run)
        train("vectab", warm, sg, 1, args.workers, 1000)
    rows = []
    for mode in args.modes.split(","):
        sg = int(mode == "sg")
        runs: dict[str, list] = {"gensim": [], "vectab": []}
        scores = {}
        for _ in range(args.repeats):
            for name in ("gensim", "vectab"):
                model, secs, eff, raw = train(name, sentences, sg, epochs, args.workers, bucket)
                runs[name].append((secs, eff, raw))
                print(f"  {mode} {name}: {secs:.1f} s, {raw / secs:,.0f} raw words/s", flush=True)
                if evaluate and name not in scores:
                    scores[name] = quality(model)
                    print(f"  {mode} {name}: {scores[name]}", flush=True)
                del model
        med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
        for name in ("gensim", "vectab"):
            secs = [r[0] for r in runs[name]]
            _, eff, raw = runs[name][0]
            q = scores.get(name, {})
            rows.append((mode, name, med[name], min(secs), max(secs), raw / med[name],
                         eff / med[name], med["gensim"] / med[name], q))
    print()
    print("| mode | library | train s (median) | min-max s | raw words/s | effective words/s "
          "| speed vs gensim | WS-353 | RW (in vocab) | RW (OOV pairs) | RW (all) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    nan = float("nan")
    for mode, name, secs, lo, hi, raw_ws, eff_ws, ratio, q in rows:
        oov = f"{q.get('rw_oov', nan):.3f} ({q.get('rw_oov_pairs', 0)})"
        print(f"| {mode} | {name} | {secs:.1f} | {lo:.1f}-{hi:.1f} | {raw_ws:,.0f} | "
              f"{eff_ws:,.0f} | {ratio:.2f}x | {q.get('ws353', nan):.3f} | "
              f"{q.get('rw', nan):.3f} | {oov} | {q.get('rw_all', nan):.3f} |")


if __name__ == "__main__":
    main()
