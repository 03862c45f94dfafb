"""Shared fixtures. Tests build their own small data; real data lives in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

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
