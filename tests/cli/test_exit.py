"""The `vectab` process ends without the interpreter's teardown, and loses nothing doing so."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


@pytest.mark.parametrize("full_exit", ["", "1"])
def test_output_redirected_to_a_file_is_complete_and_status_kept(tmp_path, full_exit):
    vectors = tmp_path / "v.txt"
    vectors.write_text("king 0.9 0.8 0.1\nqueen 0.9 0.1 0.8\nman 0.1 0.9 0.1\n")
    out = tmp_path / "out.txt"
    env = {**ENV, "VECTAB_FULL_EXIT": full_exit}
    with out.open("w") as f:  # a file: stdout is block-buffered, so a skipped flush loses it
        done = subprocess.run([sys.executable, "-m", "vectab", "vectors", "neighbors",
                               str(vectors), "king", "--topn", "2"],
                              stdout=f, stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "queen" in out.read_text() and "man" in out.read_text()
    bad = subprocess.run([sys.executable, "-m", "vectab", "vectors", "info",
                          str(tmp_path / "missing.txt")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1 and "missing.txt" in bad.stderr


def test_atexit_handlers_and_worker_threads_finish_before_the_exit(tmp_path):
    # what the console script does after a command: join threads, run atexit, flush, _exit
    marker = tmp_path / "marker"
    code = f"""
import atexit, sys, threading, time
from vectab.cli.main import _exit_now
def work():
    time.sleep(0.3)
    open({str(marker)!r}, "a").write("thread ")
threading.Thread(target=work).start()
atexit.register(lambda: open({str(marker)!r}, "a").write("atexit"))
sys.stdout.write("buffered")
_exit_now(3)
"""
    done = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                          env=ENV, timeout=120)
    assert done.returncode == 3
    assert done.stdout == "buffered"
    assert marker.read_text() == "thread atexit"


def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path):
    # `vectab vectors neighbors ... | head -2`: the broken pipe is not an error of the vectors
    # file (it read "error: v.txt: broken pipe"), just the end of the output
    vectors = tmp_path / "v.txt"
    vectors.write_text("".join(f"w{i} 0.{i} 0.1 0.2\n" for i in range(3000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "vectab", "vectors", "neighbors", str(vectors),
         *[f"w{i}" for i in range(1, 9)], "--topn", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
    )
    assert proc.stdout.readline().startswith(b"w1")
    proc.stdout.close()  # the reader goes away before the command has written everything
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert "error" not in stderr and "Traceback" not in stderr
