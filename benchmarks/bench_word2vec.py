"""Word2Vec training: vectab vs gensim on the same corpus, same settings, same process.

Prints words/s of both (raw corpus words x epochs / train() wall time, and the effective words
after downsampling that gensim logs) with the ratio, and the quality of both sets of vectors:
WS-353 Spearman and Google-analogy accuracy, computed by the same function (gensim's
``KeyedVectors.evaluate_word_pairs`` / ``evaluate_word_analogies``) for both sides.

Both sides train with the same settings (gensim's defaults but ``min_count=5``, and
``compute_loss=False``, gensim's default; vectab's is True): negative sampling for ``sg`` and
``cbow``, hierarchical softmax alone (``hs=1, negative=0``) for ``sg-hs`` and ``cbow-hs``.
The two libraries alternate within every repeat; the table shows medians and the spread.

    python benchmarks/bench_word2vec.py             # ../shared/data/raw-corpus-en, sg and cbow
    python benchmarks/bench_word2vec.py --modes sg,cbow,sg-hs,cbow-hs --repeats 3
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


MODES = {  # mode -> (sg, hs, negative)
    "sg": (1, 0, 5), "cbow": (0, 0, 5), "sg-hs": (1, 1, 0), "cbow-hs": (0, 1, 0),
}


def train(library, sentences, mode, epochs, workers):
    """Build the vocabulary, then time ``train()``: ``(wv, seconds, effective, raw words)``."""
    if library == "gensim":
        from gensim.models import Word2Vec
    else:
        from vectab.models import Word2Vec
    sg, hs, negative = MODES[mode]
    model = Word2Vec(
        vector_size=100, window=5, min_count=5, sg=sg, hs=hs, negative=negative,
        workers=workers, seed=1, compute_loss=False,
    )
    model.build_vocab(sentences)
    start = time.perf_counter()
    eff, raw = model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    return model.wv, time.perf_counter() - start, eff, raw


def quality(wv) -> tuple[float, float]:
    """(WS-353 Spearman, Google analogy accuracy) with gensim's evaluation, vectors as given."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(wv.vectors.shape[1])
    kv.add_vectors(list(wv.index_to_key), np.asarray(wv.vectors))
    pairs = kv.evaluate_word_pairs(
        str(DATA / "word-similarity" / "EN-WS-353-ALL.txt"), delimiter="\t"
    )
    analogy, _ = kv.evaluate_word_analogies(str(DATA / "word-analogy" / "questions-words.txt"))
    return float(pairs[1][0]), float(analogy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny synthetic corpus, 1 epoch")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only")
    parser.add_argument("--modes", default="sg,cbow", help=f"comma list of {', '.join(MODES)}")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.smoke:
        sentences, epochs, evaluate = synthetic_corpus(2000), 1, False
    else:
        if not (DATA / "raw-corpus-en").is_dir():
            raise SystemExit(f"corpus not found under {DATA}; use --smoke")
        sentences, epochs, evaluate = (
            read_corpus(DATA / "raw-corpus-en", args.limit),
            args.epochs,
            args.limit is None,
        )
    n_tokens = sum(map(len, sentences))
    print(f"corpus: {len(sentences):,} sentences, {n_tokens:,} tokens; epochs={epochs}, "
          f"workers={args.workers}, vector_size=100, window=5, negative=5, min_count=5")
    warm = synthetic_corpus(200)
    modes = args.modes.split(",")
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        raise SystemExit(f"--modes: unknown {unknown}; choose from {', '.join(MODES)}")
    for mode in dict.fromkeys(["sg", *modes]):  # JIT warm-up (cached after the first run)
        for library in ("vectab", "gensim"):
            train(library, warm, mode, 1, args.workers)
    rows = []
    for mode in modes:
        runs: dict[str, list[tuple[float, int, int]]] = {"gensim": [], "vectab": []}
        vecs = {}
        for rep in range(args.repeats):
            order = ("gensim", "vectab") if rep % 2 == 0 else ("vectab", "gensim")
            for name in order:
                wv, secs, eff, raw = train(name, sentences, mode, epochs, args.workers)
                runs[name].append((secs, eff, raw))
                print(f"  {mode} {name}: {secs:.1f} s, {raw / secs:,.0f} raw words/s", flush=True)
                vecs[name] = wv
        # the ratio of each repeat (the two ran back to back), then their median and range
        ratios = sorted(g[0] / v[0] for g, v in zip(runs["gensim"], runs["vectab"]))
        for name in ("gensim", "vectab"):
            times = sorted(r[0] for r in runs[name])
            secs, eff, raw = sorted(runs[name])[len(runs[name]) // 2]
            ws, acc = quality(vecs[name]) if evaluate else (float("nan"), float("nan"))
            if evaluate:
                print(f"  {mode} {name}: WS-353 {ws:.3f}, analogy {acc:.3f}", flush=True)
            ratio = (statistics.median(ratios), ratios[0], ratios[-1]) if name == "vectab" else None
            rows.append((mode, name, statistics.median(times), times[0], times[-1], raw / secs,
                         eff / secs, ratio, ws, acc))
    print()
    print(
        f"| mode | library | train s (median of {args.repeats}, min-max) | raw words/s | "
        "effective words/s | speed vs gensim (median, min-max) | WS-353 Spearman | analogy acc |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for mode, name, secs, lo, hi, raw_ws, eff_ws, ratio, ws, acc in rows:
        speed = "1.00x" if ratio is None else f"{ratio[0]:.2f}x ({ratio[1]:.2f}-{ratio[2]:.2f})"
        print(
            f"| {mode} | {name} | {secs:.1f} ({lo:.1f}-{hi:.1f}) | {raw_ws:,.0f} | {eff_ws:,.0f} | "
            f"{speed} | {ws:.3f} | {acc:.3f} |"
        )


if __name__ == "__main__":
    main()
