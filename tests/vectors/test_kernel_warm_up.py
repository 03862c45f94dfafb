"""The readers' compiled kernels load only in programs that read vector files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba", reason="the compiled kernels need numba (vectab[fast])")

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from vectab.vectors.store import Vectors
    from vectab.vectors.formats import _kernels
    v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    v.most_similar("a", topn=1)
    searched = (_kernels._WARM_READERS is None, "vectab.vectors._load" in sys.modules)
    import vectab.vectors.io  # the reading core: the readers' kernels start loading
    started = _kernels._WARM_READERS is not None
    print(searched, started, _kernels.kernels_ready())
    """
)


def test_a_program_that_only_searches_never_loads_the_reader_kernels():
    # the quickstart builds Vectors from GloVe's .npy and searches: the readers' warm-up was
    # ~0.6 s of a core beside its tokenizer and training
    env = {k: v for k, v in os.environ.items() if k != "VECTAB_NO_NUMBA"}
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "(True, False) True True", done.stdout


def test_kernels_ready_loads_the_readers_when_nothing_started_them():
    code = ("from vectab.vectors.formats import _kernels; "
            "print(_kernels._WARM_READERS is None, _kernels.kernels_ready())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
