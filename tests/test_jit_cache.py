"""Compiled kernels are cached under the user's cache folder, never inside the package.

numba's own ``cache=True`` writes ``__pycache__/*.nbi|*.nbc`` beside the source; a read-only
install then recompiles every run (or writes into numba's own folder). vectab's kernels go to
``$VECTAB_CACHE_DIR/numba`` (`vectab._jit`). Checked on a read-only copy of the package, in
fresh processes: the first run compiles and writes there, the second loads every kernel from
there and compiles nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

import vectab  # noqa: E402

PACKAGE = Path(vectab.__file__).resolve().parent

# Compile (or load) the readers' and search's kernels and the word2vec kernel; print numba's
# per-kernel cache statistics and where each kernel's cache lives.
SCRIPT = r"""
import json, os, sys
import numpy as np
import vectab
from vectab.vectors.formats import _kernels
from vectab.models import Word2Vec
from vectab.models.word2vec import _numba

assert _kernels.kernels_ready() and _kernels.topk_ready(), (_kernels._BROKEN, _kernels._TOPK_BROKEN)
Word2Vec([["a", "b", "c", "d"]] * 20, vector_size=4, min_count=1, epochs=1, seed=0, workers=1)
kernels = {"parse": _kernels._parse_jit, "scan": _kernels._scan_jit,
           "topk": _kernels._topk_jit, "word2vec": _numba.kernel()}
out = {}
for name, k in kernels.items():
    out[name] = {"hits": sum(k.stats.cache_hits.values()),
                 "misses": sum(k.stats.cache_misses.values()),
                 "path": k._cache._cache_path}
out["package"] = os.path.dirname(vectab.__file__)
print(json.dumps(out))
"""


def _numba_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in {".nbi", ".nbc"})


def _run(src: Path, cache: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=_env(src, cache), capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# Where each kernel's cache lives, decided when the module decorates it (no compilation).
WHERE = r"""
import json, os
import vectab
from vectab.vectors.formats import _kernels
from vectab.models.word2vec import _numba
kernels = {"parse": _kernels._parse_jit, "scan": _kernels._scan_jit,
           "topk": _kernels._topk_jit, "word2vec": _numba.kernel()}
print(json.dumps({name: k._cache._cache_path for name, k in kernels.items()}))
os._exit(0)  # before the warm-up thread compiles anything
"""


def _env(src: Path, cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_CACHE_DIR", "VECTAB_"))}
    env.update(PYTHONPATH=str(src), VECTAB_CACHE_DIR=str(cache), PYTHONDONTWRITEBYTECODE="1")
    return env


def test_every_kernel_caches_under_vectab_cache_dir_not_in_the_package(tmp_path):
    done = subprocess.run([sys.executable, "-c", WHERE], env=_env(PACKAGE.parent, tmp_path),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    paths = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(paths) == {"parse", "scan", "topk", "word2vec"}
    for name, path in paths.items():
        assert Path(path).is_relative_to(tmp_path / "numba"), (name, path)
        assert not Path(path).resolve().is_relative_to(PACKAGE), (name, path)


@pytest.mark.slow  # compiles every kernel once (about a minute on 2 busy cores)
@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_kernels_cache_under_the_user_cache_dir_and_a_read_only_install_compiles_once(tmp_path):
    src = tmp_path / "site"
    shutil.copytree(PACKAGE, src / "vectab",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    for path in [src, *src.rglob("*")]:  # a read-only install (as a system site-packages)
        mode = path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        path.chmod(mode)
    cache = tmp_path / "cache"
    try:
        first = _run(src, cache)
        second = _run(src, cache)
    finally:
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert Path(first["package"]).resolve() == (src / "vectab").resolve()
    kernels = [k for k in first if k != "package"]
    for name in kernels:
        assert Path(first[name]["path"]).is_relative_to(cache / "numba"), first[name]
        assert first[name]["misses"] > 0, first  # compiled in the first process...
        assert second[name]["misses"] == 0 and second[name]["hits"] > 0, second  # ...not again
    assert _numba_files(cache / "numba")
    assert _numba_files(src) == []  # nothing written into the package
