"""fastText ``.bin`` memory: header claims never size an allocation before the data is there.

Each case runs in a child process whose address space is capped at what it had after importing
vectab and numpy plus ``HEADROOM`` (``resource.setrlimit(RLIMIT_AS)``). The files are sparse:
a valid header claiming gigabytes, then ``os.truncate`` (nothing written), so they cost no disk.
The child must end with a clean `VectorFormatError`, not a MemoryError or a crash.
"""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

resource = pytest.importorskip("resource")
if not sys.platform.startswith("linux"):
    pytest.skip("address-space limits are tested on Linux", allow_module_level=True)

MAGIC = 793712314
HEADROOM = 400 << 20
GB = 1 << 30

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np
    from vectab.errors import VectorFormatError
    from vectab.vectors.io import load_vectors

    def vm_bytes():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))

    headroom = int(sys.argv[1])
    limit = vm_bytes() + headroom
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    for path in sys.argv[2:]:
        try:
            if path == "--probe":
                np.ones(headroom + (100 << 20), np.uint8)
                out = "not limited"
            else:
                load_vectors(path, format="fasttext-bin", cache=False)
                out = "loaded"
        except VectorFormatError as e:
            out = "VectorFormatError: " + str(e)
        except MemoryError as e:
            out = "MemoryError: " + str(e)
        except Exception as e:
            out = type(e).__name__ + ": " + str(e)
        print(json.dumps([path, out]), flush=True)
    """
)

CASES: dict[str, tuple] = {}  # test name -> (builder(tmp) -> path, expected message part)


def case(pattern: str):
    """Register a file builder; one child process then reads every file (one import of vectab)."""

    def register(build):
        CASES[build.__name__] = (build, pattern)
        return build

    return register


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, str]:
    """What the memory-capped child said for each case's file."""
    tmp = tmp_path_factory.mktemp("ftmem")
    paths = {name: str(build(tmp)) for name, (build, _) in CASES.items()}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(HEADROOM), "--probe", *paths.values()],
        capture_output=True, text=True, timeout=120,
    )
    said = dict(json.loads(line) for line in out.stdout.splitlines() if line.startswith("["))
    said["(child)"] = f"exit {out.returncode}: {out.stderr[-1500:]}"
    return {name: said.get(p, said["(child)"])
            for name, p in [*paths.items(), ("--probe", "--probe")]}


def _header(*, dim=300, bucket=0, size=1, nwords=1, pruneidx=-1, minn=3, maxn=6) -> bytes:
    args = (dim, 5, 5, 1, 5, 1, 2, 2, bucket, minn, maxn, 100)
    out = struct.pack("<2i", MAGIC, 12) + struct.pack("<12id", *args, 1e-4)
    return out + struct.pack("<3iqq", size, nwords, size - nwords, 1000, pruneidx)


def _word(w: bytes) -> bytes:
    return w + b"\0" + struct.pack("<qb", 5, 0)


def _sparse(path: Path, head: bytes, total: int, tail: bytes = b"") -> Path:
    """``head`` at the start, ``tail`` at the very end, holes (zeros never written) between."""
    with open(path, "wb") as f:
        f.write(head)
    os.truncate(path, total - len(tail))
    if tail:
        with open(path, "ab") as f:
            f.write(tail)
    return path


def _matrix_start(*, rows: int, dim: int) -> bytes:
    return struct.pack("<B2q", 0, rows, dim)


@case("the input matrix needs 2400001200 bytes (2000001 x 300 float32)")
def matrix_larger_than_a_sparse_file(tmp: Path) -> Path:
    # claims 2M n-gram rows x 300 (2.4 GB) in a 2 GB file
    bucket = 2_000_000
    head = _header(bucket=bucket) + _word(b"a") + _matrix_start(rows=1 + bucket, dim=300)
    return _sparse(tmp / "big.bin", head, 2 * GB)


@case("n-gram row 499999 (input matrix row 500000) holds NaN or infinity")
def nan_at_the_end_of_a_sparse_matrix(tmp: Path) -> Path:
    # a 600 MB input matrix (more than the headroom) that exists as holes, NaN in its last row
    bucket, dim = 500_000, 300
    head = _header(bucket=bucket, dim=dim) + _word(b"a") + _matrix_start(rows=1 + bucket, dim=dim)
    total = len(head) + (1 + bucket) * dim * 4
    return _sparse(tmp / "nan.bin", head, total, tail=np.array([np.nan], "<f4").tobytes())


@case("the input matrix header says 0 x 0; expected nwords + bucket = 11 rows x dim = 300")
def huge_pruneidx_in_a_sparse_file(tmp: Path) -> Path:
    # 10**8 pruned pairs (800 MB of holes) are passed over, not read into memory; the holes
    # after them are no valid input matrix header
    head = _header(pruneidx=10**8, bucket=10) + _word(b"a")
    return _sparse(tmp / "prune.bin", head, len(head) + 8 * 10**8 + 64)


@case("header field `pruneidx_size` is 1000000000000")
def pruneidx_larger_than_the_file(tmp: Path) -> Path:
    return _sparse(tmp / "p.bin", _header(pruneidx=10**12) + _word(b"a"), 3 * GB)


@case("vocabulary entry 2 of 150000000 is an empty word, and so was entry 1")
def vocabulary_of_holes(tmp: Path) -> Path:
    # 150M entries fit in 2 GB by size, but the holes read as empty words: one is accepted (as
    # gensim keeps the key ''), the second refused at once
    return _sparse(tmp / "v.bin", _header(size=150_000_000, nwords=150_000_000), 2 * GB)


@case("ends inside its input matrix (2000001 x 300)")
def gz_claiming_gigabytes(tmp: Path) -> Path:
    # a compressed stream can't be sized in advance: the reader must fail where the data ends
    bucket = 2_000_000
    data = (_header(bucket=bucket) + _word(b"a") + _matrix_start(rows=1 + bucket, dim=300)
            + bytes(4096))
    path = tmp / "big.bin.gz"
    path.write_bytes(gzip.compress(data))
    return path


@case("ends inside its pruned n-gram index (1000000000 pairs)")
def gz_pruneidx_claiming_gigabytes(tmp: Path) -> Path:
    path = tmp / "prune.bin.gz"
    path.write_bytes(gzip.compress(_header(pruneidx=10**9) + _word(b"a") + bytes(1000)))
    return path


@case("ends inside its vocabulary, in entry 1001 of 2147483647 words")
def gz_vocabulary_claiming_two_billion_words(tmp: Path) -> Path:
    head = (_header(size=2**31 - 1, nwords=2**31 - 1)
            + b"".join(_word(b"w%d" % i) for i in range(1000)))
    path = tmp / "v.bin.gz"
    path.write_bytes(gzip.compress(head))
    return path


def test_the_limit_is_real(outcomes):
    assert outcomes["--probe"].startswith("MemoryError"), outcomes["--probe"]


@pytest.mark.parametrize("name", list(CASES))
def test_clean_error_under_the_memory_limit(outcomes, name):
    said, expected = outcomes[name], CASES[name][1]
    assert said.startswith("VectorFormatError:") and expected in said, said
