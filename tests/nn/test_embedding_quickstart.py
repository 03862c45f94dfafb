"""examples/quickstart.py runs and prints what the README promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"


def test_quickstart_example_runs_and_prints_the_key_lines():
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "'The cat sat on the mat.'" in out and "-> [2, 3, 5, 6, 2, 4]" in out
    assert "[ 2  4 16 17  0  0  0]]" in out  # the padded matrix
    assert "[1, 1, 1, 1, 0, 0, 0]]" in out  # the mask
    assert "output shape: (4, 7, 4)" in out
    assert "parameters: 72 = input_dim 18 x output_dim 4" in out
    assert "lookup == one_hot(ids) @ table: True" in out
