"""Every benchmark script runs at its --smoke size, so the scripts never rot.

Timings are printed, never asserted; the full-size runs are done by hand (see benchmarks/).
"""

from __future__ import annotations

import re
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


def test_every_quality_row_the_readme_names_is_a_task_of_the_benchmark():
    # the README's Quality tables quote `--task` names: each must be a row the script runs
    # (read from its source: importing it would set the test run's torch threads)
    root = Path(__file__).resolve().parents[1]
    source = (root / "benchmarks" / "bench_quality.py").read_text(encoding="utf-8")
    tasks = set(re.findall(r'^    "([a-z0-9-]+)": Task\(', source, flags=re.M))
    readme = (root / "README.md").read_text(encoding="utf-8")
    quality = readme[readme.index("## Quality"):readme.index("## Design")]
    named = set(re.findall(r"^\| `([a-z0-9][a-z0-9-]*)`", quality, flags=re.M))
    assert {"sst2", "wnut17", "resume"} <= named
    assert named <= tasks, sorted(named - tasks)
