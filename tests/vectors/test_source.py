"""One open file per load (`Source`), and the one progress event type from `load_vectors`.

A load opens the vector file once: detection, the cache's identity and content hash, and the
reader all read that one open file, so a path renamed over mid-load cannot mix two files, and
nothing stats or classifies the path again. The opens are counted by wrapping every way the
standard library opens a path (``open``, ``io.open``, bz2's own ``open``).
"""

from __future__ import annotations

import builtins
import bz2
import collections
import gzip
import io
import lzma
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from vectab._progress import ProgressEvent
from vectab.errors import VectorFormatError
from vectab.vectors import Vectors
from vectab.vectors.formats._source import Source
from vectab.vectors.formats.fasttext import FASTTEXT_MAGIC
from vectab.vectors.io import load_vectors, save_vectors

WORDS = ["the", "cat", "naïve", "dogs", '"']
MATRIX = np.arange(len(WORDS) * 4, dtype=np.float32).reshape(len(WORDS), 4) / 8


def _fasttext_bin(words: list[str], dim: int = 4, bucket: int = 6) -> bytes:
    """A fastText .bin model (version 12): Args, dictionary, input and output matrices."""
    matrix = np.random.default_rng(0).normal(size=(len(words) + bucket, dim)).astype("<f4")
    args = (dim, 5, 5, 1, 5, 1, 2, 2, bucket, 3, 6, 100)
    out = struct.pack("<2i", FASTTEXT_MAGIC, 12) + struct.pack("<12id", *args, 1e-4)
    out += struct.pack("<3iqq", len(words), len(words), 0, 1000, -1)
    for i, w in enumerate(words):
        out += w.encode() + b"\0" + struct.pack("<qb", 100 - i, 0)
    out += struct.pack("<B", 0) + struct.pack("<2q", *matrix.shape) + matrix.tobytes()
    out += struct.pack("<?2q", False, len(words), dim) + bytes(4 * dim * len(words))
    return out


def _write(tmp_path: Path, kind: str) -> Path:
    table = Vectors(WORDS, MATRIX)
    if kind in ("word2vec", "word2vec-binary", "glove", "fasttext", "vectab"):
        return save_vectors(table, tmp_path / f"v.{kind}", format=kind)
    if kind == "fasttext-bin":
        path = tmp_path / "v.bin"
        path.write_bytes(_fasttext_bin(WORDS))
        return path
    text = save_vectors(table, tmp_path / "plain.txt", format="word2vec").read_bytes()
    path = tmp_path / f"v.txt.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("v.txt", text)
    else:
        compress = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind]
        path.write_bytes(compress(text))
    return path


KINDS = ["word2vec", "word2vec-binary", "glove", "fasttext", "fasttext-bin", "vectab",
         "gz", "bz2", "xz", "zip"]


class _Tally:
    """Count the opens and stats of each real path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opens: collections.Counter[str] = collections.Counter()
        self.stats: collections.Counter[str] = collections.Counter()
        for module, name in ((builtins, "open"), (io, "open"), (bz2, "_builtin_open")):
            monkeypatch.setattr(module, name, self._wrap(self.opens, getattr(module, name)))
        monkeypatch.setattr(os, "stat", self._wrap(self.stats, os.stat))

    @staticmethod
    def _wrap(counter: collections.Counter[str], function):
        def wrapped(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)):
                counter[os.path.realpath(os.fsdecode(file))] += 1
            return function(file, *args, **kwargs)

        return wrapped

    def of(self, path: Path) -> tuple[int, int]:
        key = os.path.realpath(path)
        return self.opens[key], self.stats[key]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cache", [False, True])
def test_each_load_opens_the_file_once(tmp_path, kind, cache):
    path = _write(tmp_path, kind)
    for attempt in range(2 if cache else 1):  # with the cache: the parse, then the cached load
        with pytest.MonkeyPatch.context() as patch:
            tally = _Tally(patch)
            vectors = load_vectors(path, cache=cache)
        opens, stats = tally.of(path)
        assert (opens, stats) == (1, 1), f"load {attempt + 1}: {opens} opens, {stats} stats"
        assert vectors.index_to_key == WORDS
        if kind != "fasttext-bin":
            assert np.allclose(vectors.vectors, MATRIX)


@pytest.mark.parametrize("kind", ["word2vec", "glove", "gz"])
def test_the_cache_identity_is_taken_from_the_open_file(tmp_path, monkeypatch, kind):
    """The cached reload still sees an edit: same stat identity rules, same content hash."""
    monkeypatch.setenv("VECTAB_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path, kind)
    load_vectors(path)
    first = load_vectors(path)
    assert first.index_to_key == WORDS
    changed = Vectors(["a", "b"], np.ones((2, 4), np.float32))
    save_vectors(changed, tmp_path / "new.txt", format="word2vec" if kind != "glove" else "glove")
    data = (tmp_path / "new.txt").read_bytes()
    path.write_bytes(gzip.compress(data) if kind == "gz" else data)
    assert load_vectors(path).index_to_key == ["a", "b"]


def test_source_describes_the_file(tmp_path):
    plain, packed = _write(tmp_path, "word2vec"), _write(tmp_path, "xz")
    with Source(plain) as source:
        assert (source.compression, source.size, source.length) == (
            None, plain.stat().st_size, plain.stat().st_size)
        assert source.stream().readline() == f"{len(WORDS)} 4\n".encode()
    assert source.file.closed
    with Source(packed) as source:
        assert (source.compression, source.size, source.length) == (
            "xz", packed.stat().st_size, None)
        assert source.head().startswith(f"{len(WORDS)} 4\n".encode())
    with pytest.raises(FileNotFoundError, match="no vector file at"):
        Source(tmp_path / "missing.txt")


@pytest.mark.parametrize("kind", KINDS)
def test_progress_events_start_to_end(tmp_path, kind):
    path = _write(tmp_path, kind)
    events: list[ProgressEvent] = []
    load_vectors(path, progress=events.append, cache=False)
    size = path.stat().st_size
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and set(kinds[1:-1]) <= {"update"}
    assert all(isinstance(e, ProgressEvent) for e in events)
    assert {e.task for e in events} == {f"load {path.name}"}
    assert {(e.unit, e.total) for e in events} == {("bytes", size)}
    done = [e.done for e in events]
    assert done == sorted(done) and done[0] == 0 and done[-1] == size
    assert not events[-1].aborted
    if kind not in ("vectab",):
        updates = [e for e in events if e.kind == "update"]
        assert updates and updates[-1].metrics["words"] == len(WORDS)


def test_progress_ends_aborted_on_a_bad_file(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"the 0.1 0.2\ncat 0.3\n")
    events: list[ProgressEvent] = []
    with pytest.raises(VectorFormatError, match=r"bad.txt:2: expected 2 numbers"):
        load_vectors(path, progress=events.append, cache=False)
    assert events[0].kind == "start" and events[-1].kind == "end" and events[-1].aborted


def test_progress_true_draws_with_the_one_renderer(tmp_path, monkeypatch):
    import vectab._render as render

    seen: list[ProgressEvent] = []
    monkeypatch.setattr(render.Renderer, "__call__", lambda self, event: seen.append(event))
    path = _write(tmp_path, "glove")
    assert len(load_vectors(path, progress=True, cache=False)) == len(WORDS)
    assert seen[0].kind == "start" and seen[-1].kind == "end"


@pytest.mark.parametrize("bad", ["yes", 1, 0.5, b"bar", ["x"]])
def test_progress_of_the_wrong_type(tmp_path, bad):
    path = _write(tmp_path, "glove")
    with pytest.raises(TypeError, match=r"`progress` must be True, False, None or a callable"):
        load_vectors(path, progress=bad)
