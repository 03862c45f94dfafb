"""Benchmark: Keras-style text -> padded ids, vectab vs keras-preprocessing.

Pipeline (both libraries, same process, same corpus):
``Tokenizer(num_words=20000, oov_token="<OOV>")`` -> ``fit_on_texts`` ->
``texts_to_sequences`` -> ``pad_sequences(maxlen=100)``.
keras-preprocessing 1.1.2 provides the Tokenizer; its own ``pad_sequences`` fails on NumPy 2,
so Keras 3's ``keras.utils.pad_sequences`` (same algorithm, torch backend) pads the Keras side.

The default corpus is synthetic: 200,000 sentences of Zipf-distributed made-up words with
capitals, commas and end punctuation, from a fixed seed. ``--corpus FILE`` uses the non-empty
lines of real text files instead (repeated to ``--sentences`` lines).

Usage:
    python benchmarks/bench_tokenizer.py                 # 200,000 synthetic sentences
    python benchmarks/bench_tokenizer.py --corpus ../shared/data/raw-corpus-en/*.txt
    python benchmarks/bench_tokenizer.py --smoke         # seconds; used by CI
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

NUM_WORDS, OOV, MAXLEN = 20_000, "<OOV>", 100


def make_corpus(n_sentences: int, *, vocab_size: int = 100_000, seed: int = 0) -> list[str]:
    """Synthetic English-like sentences: Zipf word frequencies, capitals, commas, end marks."""
    rng = np.random.default_rng(seed)
    onsets = np.array(
        ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
         "w", "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr"],
        dtype=object,
    )  # fmt: skip
    vowels = np.array(["a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "y"], dtype=object)
    codas = np.array(["", "", "n", "r", "s", "t", "l", "m", "nd", "ng", "st", "ck"], dtype=object)
    words: dict[str, None] = {}
    while len(words) < vocab_size:
        shape = (50_000, 3)
        syllables = (
            onsets[rng.integers(len(onsets), size=shape)]
            + vowels[rng.integers(len(vowels), size=shape)]
            + codas[rng.integers(len(codas), size=shape)]
        )
        n_syllables = rng.choice([1, 2, 3], size=shape[0], p=[0.55, 0.38, 0.07])
        for row, n in zip(syllables.tolist(), n_syllables.tolist()):
            words.setdefault("".join(row[:n]), None)
    vocab = np.array(list(words)[:vocab_size], dtype=object)
    p = 1.0 / np.arange(1, vocab_size + 1)
    lengths = rng.integers(5, 40, size=n_sentences)
    tokens = vocab[rng.choice(vocab_size, size=int(lengths.sum()), p=p / p.sum())]
    capital = rng.random(len(tokens)) < 0.05
    tokens[capital] = [t.capitalize() for t in tokens[capital]]
    tokens[rng.random(len(tokens)) < 0.06] += ","
    ends = np.array([".", ".", ".", "?", "!"], dtype=object)[rng.integers(5, size=n_sentences)]
    tokens = tokens.tolist()
    sentences, start = [], 0
    for n, end in zip(lengths.tolist(), ends.tolist()):
        words_ = tokens[start : start + n]
        start += n
        words_[0] = words_[0].capitalize()
        sentences.append(" ".join(words_) + end)
    return sentences


def read_corpus(paths: list[Path], n_sentences: int) -> list[str]:
    """Non-empty lines of ``paths``, repeated (or cut) to ``n_sentences``."""
    lines = [
        line.strip()
        for path in paths
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    if not lines:
        sys.exit(f"no text lines in {[str(p) for p in paths]}")
    return (lines * (n_sentences // len(lines) + 1))[:n_sentences]


def keras_pipeline() -> Callable[[list[str]], tuple]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    from keras.utils import pad_sequences
    from keras_preprocessing.text import Tokenizer

    return _pipeline(Tokenizer, pad_sequences)


def vectab_pipeline() -> Callable[[list[str]], tuple]:
    from vectab.text import Tokenizer, pad_sequences

    return _pipeline(Tokenizer, pad_sequences)


def _pipeline(tokenizer_class, pad_sequences) -> Callable[[list[str]], tuple]:
    def run(texts: list[str]) -> tuple:
        """Times of fit, texts_to_sequences, pad_sequences, texts_to_sequences on a copy of
        the texts (one string changed) through a fresh tokenizer, and texts_to_sequences on
        the odd texts by a tokenizer fitted on the even ones (texts it never saw)."""
        times = []
        t0 = time.perf_counter()
        tokenizer = tokenizer_class(num_words=NUM_WORDS, oov_token=OOV)
        tokenizer.fit_on_texts(texts)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sequences = tokenizer.texts_to_sequences(texts)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        padded = pad_sequences(sequences, maxlen=MAXLEN)
        times.append(time.perf_counter() - t0)
        unseen = [texts[0] + " zz", *texts[1:]]
        fresh = tokenizer_class(num_words=NUM_WORDS, oov_token=OOV)
        fresh.word_index = tokenizer.word_index
        t0 = time.perf_counter()
        unseen_sequences = fresh.texts_to_sequences(unseen)
        times.append(time.perf_counter() - t0)
        half = tokenizer_class(num_words=NUM_WORDS, oov_token=OOV)
        half.fit_on_texts(texts[::2])
        t0 = time.perf_counter()
        half_sequences = half.texts_to_sequences(texts[1::2])
        times.append(time.perf_counter() - t0)
        outputs = (tokenizer.word_index, sequences, padded, unseen_sequences, half_sequences)
        return times, outputs

    return run


def same_output(a: tuple, b: tuple) -> bool:
    (index_a, seqs_a, pad_a, unseen_a, half_a), (index_b, seqs_b, pad_b, unseen_b, half_b) = a, b
    return (
        list(index_a.items()) == list(index_b.items())
        and seqs_a == seqs_b
        and unseen_a == unseen_b
        and half_a == half_b
        and pad_a.dtype == pad_b.dtype
        and np.array_equal(pad_a, pad_b)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--corpus", type=Path, nargs="+", help="text files (one sentence a line)")
    parser.add_argument("--smoke", action="store_true", help="2,000 sentences, 1 repeat")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sentences, args.repeats = 2_000, 1

    t0 = time.perf_counter()
    if args.corpus:
        texts, name = read_corpus(args.corpus, args.sentences), ", ".join(map(str, args.corpus))
    else:
        texts, name = make_corpus(args.sentences), "synthetic Zipf (seed 0)"
    n_tokens = sum(map(len, (t.split() for t in texts)))
    print(
        f"corpus: {name}: {len(texts):,} sentences, {n_tokens:,} whitespace tokens, "
        f"{sum(map(len, texts)) / 1e6:.1f} M characters (built in {time.perf_counter() - t0:.1f} s)"
    )
    runners = {"keras": keras_pipeline(), "vectab": vectab_pipeline()}
    warm = texts[: max(len(texts) // 20, 1)]
    for run in runners.values():  # warm-up: imports, caches
        run(warm)

    steps = (
        "fit_on_texts",
        "texts_to_sequences (texts just fitted)",
        "pad_sequences(maxlen=100)",
        "total (fit + sequences + pad)",
        "texts_to_sequences (other texts, no reuse)",
        "texts_to_sequences (texts not fitted: fit on even, encode odd)",
    )
    times: dict[str, list[list[float]]] = {name: [] for name in runners}
    identical = True
    for repeat in range(args.repeats):
        order = list(runners) if repeat % 2 == 0 else list(runners)[::-1]
        outputs = {}
        for lib in order:
            gc.collect()
            step_times, outputs[lib] = runners[lib](texts)
            times[lib].append([*step_times[:3], sum(step_times[:3]), *step_times[3:]])
        identical &= same_output(outputs["keras"], outputs["vectab"])
        del outputs

    print(f"\nmedian of {args.repeats} run(s), libraries interleaved in one process\n")
    print("| step | keras-preprocessing s | vectab s | speed-up | speed-up per run (min-max) |")
    print("|---|---|---|---|---|")
    for i, step in enumerate(steps):
        keras_s = statistics.median(run[i] for run in times["keras"])
        vectab_s = statistics.median(run[i] for run in times["vectab"])
        ratios = [k[i] / v[i] for k, v in zip(times["keras"], times["vectab"])]
        print(
            f"| {step} | {keras_s:.3f} | {vectab_s:.3f} | {keras_s / vectab_s:.2f}x "
            f"| {min(ratios):.2f}-{max(ratios):.2f}x |"
        )
    print(
        "\nidentical output (word_index, every sequence list, padded array): "
        f"{'yes' if identical else 'NO'}"
    )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
