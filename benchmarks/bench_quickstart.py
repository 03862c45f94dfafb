"""Time `vectab quickstart` in fresh processes: a first run with empty caches, then warm runs.

First run: the vector cache (``VECTAB_CACHE_DIR``) and numba's cache (``NUMBA_CACHE_DIR``;
vectab's kernels live in ``$VECTAB_CACHE_DIR/numba``) point at a new empty temp folder, so
every kernel compiles and nothing is cached. Warm: the same command again with those caches
filled. Each repeat is a new process (``python -m vectab quickstart``), timed from the outside
(imports included); the step times the quickstart prints are collected too. Prints median and
spread (min-max) per column. The goal (#12): <= 10 s warm, <= 30 s first run on 2 CPU cores.

    python benchmarks/bench_quickstart.py --repeats 3
    python benchmarks/bench_quickstart.py --src /tmp/old/src     # time another checkout
    python benchmarks/bench_quickstart.py --smoke                 # one first + one warm run
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEP = re.compile(r"^(\d+)/\d+ ")
SECONDS = re.compile(r"^\s+\((\d+\.\d+) s\)\s*$")


def run_once(cache: Path, out: Path, *, src: str | None, args: list[str]) -> dict[str, float]:
    """One ``vectab quickstart`` process; wall time and the seconds of each printed step."""
    env = dict(os.environ, VECTAB_CACHE_DIR=str(cache), NUMBA_CACHE_DIR=str(cache / "numba-own"),
               COLUMNS="200", TERM="dumb")
    if src:
        env["PYTHONPATH"] = src
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "vectab", "quickstart", "--out", str(out), *args],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"quickstart failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    times = {"wall": wall}
    step = None
    for line in done.stdout.splitlines():
        if m := STEP.match(line):
            step = int(m.group(1))
        elif (m := SECONDS.match(line)) and step is not None:
            times[f"step {step}"] = float(m.group(1))
    times["imports+startup"] = wall - sum(v for k, v in times.items() if k.startswith("step"))
    accuracy = re.search(r"test accuracy (\d\.\d+)", done.stdout)
    if accuracy:
        times["accuracy"] = float(accuracy.group(1))
    return times


def summary(rows: list[dict[str, float]]) -> dict[str, str]:
    keys = [k for k in rows[0] if all(k in r for r in rows)]
    out = {}
    for k in keys:
        values = [r[k] for r in rows]
        fmt = "{:.3f}" if k == "accuracy" else "{:.1f}"
        out[k] = (fmt.format(statistics.median(values)) + " (" + fmt.format(min(values)) + "-"
                  + fmt.format(max(values)) + ")")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="first runs (and warm runs)")
    parser.add_argument("--src", help="PYTHONPATH of the vectab to time (default: installed)")
    parser.add_argument("--smoke", action="store_true", help="one first run and one warm run")
    parser.add_argument("quickstart_args", nargs="*", help="passed on, after `--`")
    opts = parser.parse_args()
    repeats = 1 if opts.smoke else opts.repeats
    first, warm = [], []
    with tempfile.TemporaryDirectory(prefix="vectab-bench-qs-") as tmp:
        for i in range(repeats):
            cache = Path(tmp) / f"cache{i}"  # empty: nothing parsed, nothing compiled
            first.append(run_once(cache, Path(tmp) / f"out{i}", src=opts.src,
                                  args=opts.quickstart_args))
            print(f"first run {i + 1}: {first[-1]['wall']:.1f} s", flush=True)
        cache = Path(tmp) / "cache0"
        for i in range(repeats):
            warm.append(run_once(cache, Path(tmp) / f"warm{i}", src=opts.src,
                                 args=opts.quickstart_args))
            print(f"warm run {i + 1}: {warm[-1]['wall']:.1f} s", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nvectab quickstart, {repeats} fresh processes each, {os.cpu_count()} CPUs, "
          f"load average now {load:.2f}; seconds: median (min-max)")
    cols = {"first run (empty caches)": summary(first), "warm": summary(warm)}
    keys = list(dict.fromkeys(k for c in cols.values() for k in c))
    print(f"{'':<18}" + "".join(f"{name:>28}" for name in cols))
    for k in keys:
        print(f"{k:<18}" + "".join(f"{c.get(k, '-'):>28}" for c in cols.values()))
    print("goal: warm <= 10 s, first run <= 30 s (2 CPU cores)")


if __name__ == "__main__":
    main()
