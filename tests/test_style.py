"""The house style is checked in the test run: ruff's rules from pyproject.toml, line length 100."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_passes_on_the_whole_project():
    if shutil.which("ruff") is None and subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, check=False
    ).returncode:
        pytest.skip("ruff is not installed (it is in the dev extra: pip install -e '.[dev]')")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache",
         "src", "tests", "benchmarks", "examples"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
