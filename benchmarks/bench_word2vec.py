"""Word2Vec and FastText training: vectab vs gensim on the same corpus, settings and process.

Prints words/s of both (raw corpus words x epochs / train() wall time, and the effective words
after downsampling that gensim logs) with the ratio, and the quality of both sets of vectors,
computed by the same code for both sides:

- word2vec modes: WS-353 Spearman and Google-analogy accuracy (gensim's
  ``KeyedVectors.evaluate_word_pairs`` / ``evaluate_word_analogies``);
- FastText modes (``ft-sg``, ``ft-cbow``): WS-353 and Rare Words (RW) Spearman over the pairs
  whose words are in the vocabulary (gensim's ``evaluate_word_pairs`` on the composed word
  vectors), RW over the pairs with a word missing from the corpus vocabulary (those vectors
  built from their character n-grams, ``model.wv[word]`` on both sides), and over all RW pairs.

Both sides train with the same settings (gensim's defaults but ``min_count=5``, and
``compute_loss=False``, gensim's default; vectab's is True): negative sampling for ``sg``,
``cbow`` and the FastText modes (``min_n=3, max_n=6``, ``--bucket`` rows), hierarchical
softmax alone (``hs=1, negative=0``) for ``sg-hs`` and ``cbow-hs``. The two libraries
alternate within every repeat; the table shows medians and the spread.

    python benchmarks/bench_word2vec.py             # ../shared/data/raw-corpus-en, 4 modes
    python benchmarks/bench_word2vec.py --modes sg,cbow,sg-hs,cbow-hs,ft-sg,ft-cbow --repeats 3
    python benchmarks/bench_word2vec.py --smoke     # tiny synthetic corpus, seconds
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CORPUS_FILES = ("movie_reviews.txt", "state_union.txt", "inaugural.txt", "enwiki_sample.txt")
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def read_corpus(folder: Path, limit: int | None) -> list[list[str]]:
    """Lower-cased regex words, one sentence per line, lines cut at 10,000 tokens (as gensim)."""
    sentences: list[list[str]] = []
    for name in CORPUS_FILES:
        with open(folder / name, encoding="utf-8") as f:
            for line in f:
                tokens = TOKEN.findall(line.lower())
                sentences.extend(tokens[i : i + 10_000] for i in range(0, len(tokens), 10_000))
                if limit and len(sentences) >= limit:
                    return sentences
    return sentences


def synthetic_corpus(n_sentences: int, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(2000)]
    p = 1.0 / np.arange(1, len(words) + 1)
    p /= p.sum()
    return [[words[i] for i in rng.choice(len(words), size=15, p=p)] for _ in range(n_sentences)]


MODES = {  # mode -> (model, sg, hs, negative)
    "sg": ("word2vec", 1, 0, 5), "cbow": ("word2vec", 0, 0, 5),
    "sg-hs": ("word2vec", 1, 1, 0), "cbow-hs": ("word2vec", 0, 1, 0),
    "ft-sg": ("fasttext", 1, 0, 5), "ft-cbow": ("fasttext", 0, 0, 5),
}
SETTINGS = dict(vector_size=100, window=5, min_count=5, seed=1)
NGRAMS = dict(min_n=3, max_n=6)  # FastText's (and gensim's) defaults


def train(library, sentences, mode, epochs, workers, bucket):
    """Build the vocabulary, then time ``train()``: ``(model, seconds, effective, raw words)``."""
    kind, sg, hs, negative = MODES[mode]
    if library == "gensim":
        from gensim.models import FastText, Word2Vec
    else:
        from vectab.models import FastText, Word2Vec
    if kind == "word2vec":
        model = Word2Vec(sg=sg, hs=hs, negative=negative, workers=workers, compute_loss=False,
                         **SETTINGS)
    else:
        model = FastText(sg=sg, negative=negative, workers=workers, bucket=bucket, **NGRAMS,
                         **SETTINGS)
    model.build_vocab(sentences)
    start = time.perf_counter()
    eff, raw = model.train(sentences, total_examples=model.corpus_count, epochs=epochs,
                           compute_loss=False)
    return model, time.perf_counter() - start, eff, raw


def _keyed(wv):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(wv.vectors.shape[1])
    kv.add_vectors(list(wv.index_to_key), np.asarray(wv.vectors))
    return kv


def _pairs(name: str) -> list[tuple[str, str, float]]:
    out = []
    with open(DATA / "word-similarity" / name, encoding="utf-8") as f:
        for line in f:
            a, b, score = line.split("\t")[:3]
            out.append((a.lower(), b.lower(), float(score)))
    return out


def quality(model, kind: str) -> dict[str, float]:
    """WS-353 Spearman (gensim's evaluation) for both kinds; Google analogy accuracy for
    word2vec; RW Spearman in vocabulary, over the pairs with an OOV word, and over all for
    FastText."""
    from scipy.stats import spearmanr

    wv = model.wv
    kv = _keyed(wv)
    sim = DATA / "word-similarity"
    out = {"ws353": float(kv.evaluate_word_pairs(str(sim / "EN-WS-353-ALL.txt"),
                                                 delimiter="\t")[1][0])}
    if kind == "word2vec":
        questions = DATA / "word-analogy" / "questions-words.txt"
        out["analogy"] = float(kv.evaluate_word_analogies(str(questions))[0])
        return out
    out["rw"] = float(kv.evaluate_word_pairs(str(sim / "EN-RW-STANFORD.txt"),
                                             delimiter="\t")[1][0])
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


def _cell(q: dict[str, float], key: str) -> str:
    if key not in q:
        return "-"
    if key == "rw_oov":
        return f"{q[key]:.3f} ({q['rw_oov_pairs']})"
    return f"{q[key]:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny synthetic corpus, 1 epoch")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only")
    parser.add_argument("--modes", default="sg,cbow,ft-sg,ft-cbow",
                        help=f"comma list of {', '.join(MODES)}")
    parser.add_argument("--bucket", type=int, default=2_000_000, help="FastText n-gram rows")
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
          f"workers={args.workers}, vector_size=100, window=5, negative=5, min_count=5; "
          f"FastText: min_n=3, max_n=6, bucket={bucket:,}")
    warm = synthetic_corpus(200)
    modes = args.modes.split(",")
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        raise SystemExit(f"--modes: unknown {unknown}; choose from {', '.join(MODES)}")
    for mode in dict.fromkeys(["sg", *modes]):  # JIT warm-up (cached after the first run)
        for library in ("vectab", "gensim"):
            train(library, warm, mode, 1, args.workers, 1000)
    rows = []
    for mode in modes:
        runs: dict[str, list[tuple[float, int, int]]] = {"gensim": [], "vectab": []}
        scores: dict[str, dict[str, float]] = {}
        for rep in range(args.repeats):
            order = ("gensim", "vectab") if rep % 2 == 0 else ("vectab", "gensim")
            for name in order:
                model, secs, eff, raw = train(name, sentences, mode, epochs, args.workers,
                                              bucket)
                runs[name].append((secs, eff, raw))
                print(f"  {mode} {name}: {secs:.1f} s, {raw / secs:,.0f} raw words/s", flush=True)
                if evaluate and name not in scores:  # the first run's model, then freed
                    scores[name] = quality(model, MODES[mode][0])
                    print(f"  {mode} {name}: {scores[name]}", flush=True)
                del model
        # the ratio of each repeat (the two ran back to back), then their median and range
        ratios = sorted(g[0] / v[0] for g, v in zip(runs["gensim"], runs["vectab"]))
        for name in ("gensim", "vectab"):
            times = sorted(r[0] for r in runs[name])
            secs, eff, raw = sorted(runs[name])[len(runs[name]) // 2]
            ratio = (statistics.median(ratios), ratios[0], ratios[-1]) if name == "vectab" else None
            rows.append((mode, name, statistics.median(times), times[0], times[-1], raw / secs,
                         eff / secs, ratio, scores.get(name, {})))
    print()
    print(
        f"| mode | library | train s (median of {args.repeats}, min-max) | raw words/s | "
        "effective words/s | speed vs gensim (median, min-max) | WS-353 Spearman | analogy acc "
        "| RW (in vocab) | RW (OOV pairs) | RW (all) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mode, name, secs, lo, hi, raw_ws, eff_ws, ratio, q in rows:
        speed = "1.00x" if ratio is None else f"{ratio[0]:.2f}x ({ratio[1]:.2f}-{ratio[2]:.2f})"
        cells = " | ".join(_cell(q, k) for k in ("ws353", "analogy", "rw", "rw_oov", "rw_all"))
        print(f"| {mode} | {name} | {secs:.1f} ({lo:.1f}-{hi:.1f}) | {raw_ws:,.0f} | "
              f"{eff_ws:,.0f} | {speed} | {cells} |")


if __name__ == "__main__":
    main()
