"""Every benchmark script runs at its --smoke size, so the scripts never rot.

Timings are printed, never asserted; the full-size runs are done by hand (see benchmarks/).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
# script -> a column or line its ratio table always prints
FAST = {
    "bench_tokenizer.py": "speed-up",
    "bench_embedding.py": "ratio",
    "bench_vectors.py": "x gensim",
    "bench_word2vec.py": "| ft-cbow | vectab |",  # word2vec and FastText rows, one script
    "bench_training.py": "speed-up",
    "bench_keras_api.py": "fit / hand loop",
}


def _run_smoke(script: str) -> str:
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--smoke"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("script", sorted(FAST))
def test_benchmark_smoke_run_prints_its_ratio_table(script):
    pytest.importorskip("gensim", reason="the benchmarks time gensim/Keras as the peer")
    out = _run_smoke(script)
    assert FAST[script] in out


@pytest.mark.slow
def test_quality_benchmark_smoke_run(shared_data):
    out = _run_smoke("bench_quality.py")
    assert "SST-2" in out
