"""Memory stays proportional to the input: multi-GB sparse files (``os.truncate``, never
written) and small archives that decompress to GBs give a clean `VectorFormatError` under an
address-space limit of (a python with vectab, numpy and torch imported) + 400 MB.

One child process (starting torch takes seconds) measures its own baseline, sets
``RLIMIT_AS``, then loads every case in turn and reports each outcome as one JSON line; a
MemoryError, a kill or any other exception fails that case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zlib

import pytest

resource = pytest.importorskip("resource")

GB = 1 << 30
HEADROOM = 400 << 20

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from vectab.vectors.io import load_vectors
    from vectab.vectors.formats import _kernels
    _kernels.kernels_ready()  # compiled readers loaded before measuring
    def vm():
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    base = vm()
    resource.setrlimit(resource.RLIMIT_AS, (base + int(sys.argv[1]), resource.RLIM_INFINITY))
    for case in json.loads(sys.argv[2]):
        name, path, kwargs = case
        try:
            load_vectors(path, cache=False, **kwargs)
            outcome = ["loaded", ""]
        except BaseException as error:
            outcome = [type(error).__name__, str(error)[:300]]
        print(json.dumps([name] + outcome), flush=True)
    """
)


def _sparse(path, size: int, head: bytes = b"") -> str:
    with open(path, "wb") as f:
        f.write(head)
    os.truncate(path, size)
    return str(path)


def _gz_of_zeros(path, size: int, head: bytes = b"") -> str:
    """A small .gz that decompresses to ``head`` + ``size`` zero bytes, built chunk by chunk."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(64 << 20)
    with open(path, "wb") as f:
        f.write(packer.compress(head))
        for _ in range(size // len(zeros)):
            f.write(packer.compress(zeros))
        f.write(packer.flush())
    return str(path)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    if not sys.platform.startswith("linux"):
        pytest.skip("RLIMIT_AS and /proc/self/status: Linux only")
    d = tmp_path_factory.mktemp("huge")
    skip = {"on_error": "skip"}
    cases = [
        ("text no newline glove", _sparse(d / "a.txt", 3 * GB), {"format": "glove"}),
        ("text no newline auto", _sparse(d / "a2.txt", 3 * GB, b"the"), {}),
        ("text header then zeros", _sparse(d / "b.txt", 3 * GB, b"1 3\n"), {"format": "word2vec"}),
        ("text header then zeros skip",
         _sparse(d / "b2.txt", 3 * GB, b"1 3\n"), {"format": "word2vec", **skip}),
        ("text 10^12 rows skip", _sparse(d / "c.txt", 2 * GB, b"1000000000000 3\nthe 1 2 3\n"),
         {"format": "word2vec", **skip}),
        ("text 10^12 dims skip", _sparse(d / "e.txt", 2 * GB, b"3 1000000000000\nthe 1 2 3\n"),
         {"format": "word2vec", **skip}),
        ("binary zeros", _sparse(d / "f.bin", 3 * GB, b"1 3\n"), {"format": "word2vec-binary"}),
        ("binary zeros skip",
         _sparse(d / "f2.bin", 3 * GB, b"1 3\n"), {"format": "word2vec-binary", **skip}),
        ("binary huge header",
         _sparse(d / "g.bin", 3 * GB, b"4000000000 300\n"), {"format": "word2vec-binary"}),
        ("binary huge header skip", _sparse(d / "g2.bin", 3 * GB, b"4000000000 300\n"),
         {"format": "word2vec-binary", **skip}),
        ("binary 10^12 dims skip", _sparse(d / "h.bin", 2 * GB, b"2 1000000000000\na "),
         {"format": "word2vec-binary", **skip}),
        ("gz text no newline", _gz_of_zeros(d / "i.txt.gz", 1 * GB), {"format": "glove"}),
        ("gz text header then zeros", _gz_of_zeros(d / "j.txt.gz", 1 * GB, b"2 3\n"), {}),
        ("gz binary zeros",
         _gz_of_zeros(d / "k.bin.gz", 1 * GB, b"1 3\n"), {"format": "word2vec-binary"}),
        ("gz binary 10^6 dims", _gz_of_zeros(d / "l.bin.gz", 1 * GB, b"100 1000000\na "),
         {"format": "word2vec-binary", **skip}),
    ]
    env = dict(os.environ)
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(HEADROOM), json.dumps(cases)],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = {name: (kind, message)
               for name, kind, message in map(json.loads, run.stdout.splitlines())}
    return cases, results


NAMES = [
    "text no newline glove", "text no newline auto",
    "text header then zeros", "text header then zeros skip",
    "text 10^12 rows skip", "text 10^12 dims skip", "binary zeros",
    "binary zeros skip", "binary huge header",
    "binary huge header skip", "binary 10^12 dims skip",
    "gz text no newline", "gz text header then zeros",
    "gz binary zeros", "gz binary 10^6 dims",
]


@pytest.mark.parametrize("name", NAMES)
def test_huge_input_is_a_clean_error_within_the_memory_limit(outcomes, name):
    cases, results = outcomes
    assert [c[0] for c in cases] == NAMES
    kind, message = results[name]
    assert kind == "VectorFormatError", (kind, message)
    path = dict((c[0], c[1]) for c in cases)[name]
    assert message.startswith(path), message
