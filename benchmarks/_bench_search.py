"""Nearest-neighbour search: vectab's batched top-k vs gensim's per-word ``most_similar`` loop.

``run(matrix, words, queries=1000, k=10)`` times, in one process and interleaved:
gensim ``most_similar(word, topn=k)`` in a loop, a plain torch matmul + topk in chunks of 128,
``Vectors.most_similar_batch`` exact, and ``most_similar_batch(fast=True)`` (IVF index; its
build time is in the setup column); with faiss installed, also faiss' exact flat index and its
PQ fast-scan screening with exact re-ranking (references, not dependencies). gensim runs on a
subset of the queries (its rate is per query); the agreement column is the share of queries
whose top-k words equal the exact float32 answer.

Alone: ``python benchmarks/_bench_search.py`` (400,000 x 300 random clustered vectors),
``--glove`` (the real 20k GloVe 50d subset from ../shared/data), ``--smoke`` (seconds).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import torch


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clustered_vectors(n: int, dim: int, *, clusters: int = 2000, seed: int = 0) -> np.ndarray:
    """Random vectors around ``clusters`` centres (neighbours are meaningful, unlike pure noise)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim), dtype=np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    step = 50_000
    for start in range(0, n, step):
        stop = min(n, start + step)
        out[start:stop] = centres[rng.integers(0, clusters, stop - start)]
        out[start:stop] += 0.8 * rng.standard_normal((stop - start, dim), dtype=np.float32)
    return out


def _torch_plain(unit: torch.Tensor, ids: torch.Tensor, k: int) -> torch.Tensor:
    out = []
    for start in range(0, len(ids), 128):
        q = unit[ids[start : start + 128]]
        out.append(torch.topk(q @ unit.T, k + 1, dim=1).indices[:, 1:])
    return torch.cat(out)


def _faiss_methods(unit: torch.Tensor, qids: np.ndarray, k: int) -> dict:
    """faiss, when installed, as a reference: its exact flat index, and its fastest CPU
    screening (4-bit PQ fast-scan over 2-dim sub-vectors, SIMD lookup tables) with exact
    re-ranking of 100 x k candidates. Neither is a vectab dependency."""
    try:
        import faiss
    except ImportError:
        return {}
    faiss.omp_set_num_threads(torch.get_num_threads())
    x = np.ascontiguousarray(unit.numpy())
    q = np.ascontiguousarray(x[qids])
    dim = x.shape[1]
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(x)
    out = {"faiss IndexFlatIP (exact)": (lambda: flat.search(q, k + 1)[1], len(q),
                                         time.perf_counter() - t)}
    if dim % 2 == 0:
        t = time.perf_counter()
        pq = faiss.index_factory(dim, f"PQ{dim // 2}x4fs,RFlat", faiss.METRIC_INNER_PRODUCT)
        pq.train(x[np.random.default_rng(0).permutation(len(x))[:100_000]])
        pq.add(x)
        params = faiss.IndexRefineSearchParameters(k_factor=100)
        out[f"faiss PQ{dim // 2}x4fs + exact re-rank of 100k"] = (
            lambda: pq.search(q, k + 1, params=params)[1], len(q), time.perf_counter() - t)
    return out


def run(
    matrix: np.ndarray,
    words: list[str],
    *,
    queries: int = 1000,
    k: int = 10,
    gensim_queries: int = 200,
    repeats: int = 3,
) -> list[dict]:
    """Time every method on the same vectors and print a table; returns the rows."""
    from vectab.vectors.store import Vectors

    rng = np.random.default_rng(1)
    qids = np.sort(rng.choice(len(words), size=min(queries, len(words)), replace=False))
    qwords = [words[i] for i in qids]
    kv = Vectors(words, matrix)
    rows: dict[str, dict] = {}

    t = time.perf_counter()
    unit = kv.unit_matrix()
    setup_exact = time.perf_counter() - t
    from vectab.vectors.similarity import FAST_MIN_ELEMENTS

    t = time.perf_counter()
    if matrix.size >= FAST_MIN_ELEMENTS:  # smaller tables are searched exactly, no index
        kv._fast_index()
    setup_fast = setup_exact + time.perf_counter() - t
    exact = kv.most_similar_batch(qwords, topn=k)
    truth = [[w for w, _ in r] for r in exact]

    methods = {}
    try:
        from gensim.models import KeyedVectors

        gkv = KeyedVectors(matrix.shape[1])
        gkv.add_vectors(words, matrix)
        t = time.perf_counter()
        gkv.fill_norms()
        gsetup = time.perf_counter() - t
        gwords = qwords[: min(gensim_queries, len(qwords))]
        methods["gensim most_similar loop"] = (
            lambda: [gkv.most_similar(w, topn=k) for w in gwords],
            len(gwords),
            gsetup,
        )
    except ImportError:
        gkv = None
    qt = torch.as_tensor(qids)
    methods["torch matmul+topk (chunks of 128)"] = (
        lambda: _torch_plain(unit, qt, k),
        len(qwords),
        setup_exact,
    )
    methods["vectab most_similar_batch exact"] = (
        lambda: kv.most_similar_batch(qwords, topn=k),
        len(qwords),
        setup_exact,
    )
    methods["vectab most_similar_batch fast"] = (
        lambda: kv.most_similar_batch(qwords, topn=k, fast=True),
        len(qwords),
        setup_fast,
    )

    results: dict[str, object] = {}
    times: dict[str, list[float]] = {}

    def measure(group: dict) -> None:
        for name, (fn, _, _) in group.items():  # warm-up
            results[name] = fn()
            times[name] = []
        for _ in range(repeats):
            for name, (fn, _, _) in group.items():
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)

    measure(methods)
    # faiss after the others, never interleaved: its OpenMP threads keep spinning after a call
    # and would slow whatever runs next
    extra = _faiss_methods(unit, qids, k)
    measure(extra)
    methods.update(extra)

    def agreement(name: str) -> float:
        res = results[name]
        if name.startswith("torch"):
            got = [[words[i] for i in r] for r in res.tolist()]
        elif name.startswith("faiss"):  # ids, the query itself included
            got = [[words[i] for i in r if i != q][:k] for r, q in zip(res.tolist(), qids)]
        else:
            got = [[w for w, _ in r] for r in res]
        return float(np.mean([set(g) == set(e) for g, e in zip(got, truth)]))

    base = None
    for name, (_, n, setup) in methods.items():
        per_query = statistics.median(times[name]) / n
        base = base or per_query if name.startswith("gensim") else base
        rows[name] = {
            "method": name,
            "s_per_1000": per_query * 1000,
            "qps": 1 / per_query,
            "agreement": agreement(name),
            "setup_s": setup,
            "queries": n,
        }
    peak = _peak_mb()
    header = (
        f"{len(words):,} x {matrix.shape[1]} vectors, top-{k}, {len(qwords)} queries "
        f"(gensim: {rows.get('gensim most_similar loop', {}).get('queries', 0)}), "
        f"{torch.get_num_threads()} torch threads, median of {repeats}, peak RSS {peak:,.0f} MB"
    )
    print(header)
    print(
        "| method | s per 1000 queries | queries/s | speed-up vs gensim | top-k = exact | setup s |"
    )
    print("|---|---|---|---|---|---|")
    for r in rows.values():
        ratio = f"{base / (r['s_per_1000'] / 1000):.1f}x" if base else "-"
        print(
            f"| {r['method']} | {r['s_per_1000']:.2f} | {r['qps']:.0f} | {ratio} | "
            f"{r['agreement']:.3f} | {r['setup_s']:.2f} |"
        )
    if matrix.size >= FAST_MIN_ELEMENTS:
        index = kv._fast_index()
        calibrated = (
            f"calibrated on {index.recall:.1%} of a 512-word sample"
            if index.recall is not None
            else "fixed"
        )
        if index.exhaustive:
            print(
                f"fast mode: IVF index, {index.nlist} k-means cells; the exact top-10 of 99.5% of "
                f"sampled words needs {index.nprobe} cells (no cluster structure to prune), so "
                f"fast mode searches exactly (build {setup_fast - setup_exact:.2f} s)"
            )
        else:
            print(
                f"fast mode: IVF index, {index.nlist} k-means cells, {index.nprobe} probed per "
                f"query ({calibrated}), exact float32 scores of the probed rows (build "
                f"{setup_fast - setup_exact:.2f} s)"
            )
    else:
        print("fast mode: matrix below FAST_MIN_ELEMENTS, so it runs the exact search")
    return list(rows.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size, runs in seconds")
    parser.add_argument("--glove", action="store_true", help="real GloVe 6B 50d top-20k subset")
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--gensim-queries", type=int, default=200)
    args = parser.parse_args()
    if args.glove:
        path = (
            Path(__file__).resolve().parents[2]
            / "shared"
            / "data"
            / "glove-6b-50d-top20k"
            / "glove.6B.50d.top20k.txt"
        )
        words, rows = [], []
        with open(path, encoding="utf8") as fin:
            for line in fin:
                parts = line.rstrip("\n").split(" ")
                words.append(parts[0])
                rows.append(parts[1:])
        matrix = np.asarray(rows, dtype=np.float32)
    else:
        n, dim = (5000, 32) if args.smoke else (args.rows, args.dim)
        matrix = clustered_vectors(n, dim, clusters=max(10, n // 200))
        words = [f"w{i}" for i in range(n)]
    queries = 100 if args.smoke else args.queries
    run(
        matrix,
        words,
        queries=queries,
        gensim_queries=min(args.gensim_queries, queries),
        repeats=1 if args.smoke else 3,
    )


if __name__ == "__main__":
    main()
