"""The compiled readers' warm-up must not touch the program's sys.stdout / sys.stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba", reason="the compiled kernels need numba (vectab[fast])")
pytest.importorskip("colorama", reason="the hazard comes from numba's colorama messages")

CHILD = textwrap.dedent(
    """
    import io, sys, time
    PRELUDE
    from vectab.vectors.formats import _kernels
    # the program keeps redirecting its output while the kernels compile in the background
    undone = 0
    while _kernels._WARM is not None and _kernels._WARM.is_alive():
        mine = io.StringIO()
        sys.stdout = mine
        time.sleep(0.0005)
        undone += sys.stdout is not mine
    ready = _kernels.kernels_ready()
    sys.stdout = sys.__stdout__
    print(ready, undone)
    """
)


@pytest.mark.parametrize("prelude", ["pass", "import numba  # imported first, with colours on"])
def test_warm_up_thread_leaves_redirected_streams_alone(tmp_path, prelude):
    # an empty numba cache makes the warm-up compile (seconds), as on a fresh install;
    # numba's colour setting is left to its default, as in a user's shell
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"}
    env.pop("VECTAB_NO_NUMBA", None)
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba-cache")
    done = subprocess.run([sys.executable, "-c", CHILD.replace("PRELUDE", prelude)],
                          capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "0"], done.stdout + done.stderr
