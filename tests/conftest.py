"""Shared fixtures. Tests build their own small data; real data lives in ../shared/data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
# One folder of compiled numba kernels for the whole run and the processes it starts (the CLI
# tests run `vectab` in subprocesses): the per-test vector cache below would otherwise make
# every process compile every kernel again (10-30 s each on 2 cores).
_USER = getattr(os, "getuid", int)()
os.environ.setdefault(
    "NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"vectab-test-kernels-{_USER}")
)

# Tests run tiny tensors: on 2 busy cores torch's second thread only waits for the first (a
# (3, 3, 5) conv1d took 60 ms on 2 threads, 0.01 ms on 1). The `vectab` subprocesses inherit it.
os.environ.setdefault("OMP_NUM_THREADS", "1")
torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """Path of ../shared/data; skips the test when the folder is absent (a user's clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (only in the project's CI checkout)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep every test's vector cache out of the user's ~/.cache."""
    monkeypatch.setenv("VECTAB_CACHE_DIR", str(tmp_path_factory.mktemp("vectab-cache")))
