"""The vector cache: written once, memory-mapped after, rebuilt when stale or damaged."""

from __future__ import annotations

import multiprocessing
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from vectab.vectors import cache as cache_module
from vectab.vectors.cache import cache_dir, clear_cache
from vectab.vectors.io import load_vectors, save_vectors
from vectab.vectors.store import Vectors


def _table(seed: int = 0, n: int = 40) -> Vectors:
    rng = np.random.default_rng(seed)
    return Vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, 6)).astype(np.float32))


def _cached_files() -> list[Path]:
    folder = cache_dir()
    return sorted(folder.glob("*.vectab")) if folder.is_dir() else []


def _is_memory_mapped(array: np.ndarray) -> bool:
    while array is not None:
        if isinstance(array, np.memmap) or type(array).__name__ == "mmap":
            return True
        array = getattr(array, "base", None)
    return False


@pytest.mark.parametrize("fmt", ["word2vec", "glove", "word2vec-binary"])
def test_first_load_writes_cache_second_maps_it(tmp_path, fmt):
    path = save_vectors(_table(), tmp_path / "v", format=fmt)
    first = load_vectors(path)
    assert not _is_memory_mapped(first.vectors)
    assert len(_cached_files()) == 1
    second = load_vectors(path)
    assert _is_memory_mapped(second.vectors)
    assert second.index_to_key == first.index_to_key
    np.testing.assert_array_equal(second.vectors, first.vectors)


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VECTAB_CACHE_DIR", str(tmp_path / "elsewhere"))
    load_vectors(save_vectors(_table(), tmp_path / "v.txt"))
    assert len(list((tmp_path / "elsewhere").glob("*.vectab"))) == 1


def test_no_cache_when_disabled_partial_or_native(tmp_path):
    path = save_vectors(_table(), tmp_path / "v.txt")
    load_vectors(path, cache=False)
    load_vectors(path, limit=3)
    load_vectors(path, vocab=["w1"])
    load_vectors(save_vectors(_table(), tmp_path / "v.vectab", format="vectab"))
    assert _cached_files() == []


def test_options_get_their_own_entries(tmp_path):
    path = save_vectors(_table(), tmp_path / "v.txt")
    load_vectors(path)
    load_vectors(path, dtype=np.float64)
    assert load_vectors(path, dtype=np.float64).vectors.dtype == np.float64
    assert len(_cached_files()) == 2


def test_source_change_rebuilds(tmp_path):
    path = save_vectors(_table(0), tmp_path / "v.txt")
    load_vectors(path)
    save_vectors(_table(1, n=41), path)  # same path, new size and mtime
    v = load_vectors(path)
    np.testing.assert_array_equal(v.vectors, _table(1, n=41).vectors)
    assert len(_cached_files()) == 1  # replaced, not piled up


def test_same_size_new_mtime_rebuilds(tmp_path):
    path = save_vectors(_table(0), tmp_path / "v.txt", precision=3)
    load_vectors(path)
    data = path.read_bytes().replace(b"w0 ", b"x0 ", 1)
    path.write_bytes(data)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_vectors(path).index_to_key[0] == "x0"


@pytest.mark.parametrize("damage",
                         ["truncate", "flip_vector_byte", "flip_vocab_byte", "garbage", "empty"])
def test_damaged_cache_is_rebuilt_never_trusted(tmp_path, damage):
    table = _table()
    path = save_vectors(table, tmp_path / "v.txt")
    load_vectors(path)
    (cached,) = _cached_files()
    data = bytearray(cached.read_bytes())
    if damage == "truncate":
        data = data[:-50]
    elif damage == "flip_vector_byte":
        header = int.from_bytes(data[:8], "little") + 8
        data[header + 17] ^= 0x55
    elif damage == "flip_vocab_byte":
        data[-3] ^= 0x01
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:
        data = bytearray()
    cached.write_bytes(bytes(data))
    v = load_vectors(path)
    assert v.index_to_key == table.index_to_key
    np.testing.assert_array_equal(v.vectors, table.vectors)
    assert load_vectors(path).index_to_key == table.index_to_key  # and the rebuilt cache is good


def test_clear_cache(tmp_path):
    load_vectors(save_vectors(_table(), tmp_path / "a.txt"))
    load_vectors(save_vectors(_table(), tmp_path / "b.bin", format="word2vec-binary"))
    assert len(_cached_files()) == 2
    assert clear_cache() == 2
    assert _cached_files() == []
    assert clear_cache() == 0


def test_clear_cache_without_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("VECTAB_CACHE_DIR", str(tmp_path / "never-made"))
    assert clear_cache() == 0


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("VECTAB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_module.cache_dir() == tmp_path / "vectab"


def test_unwritable_cache_warns_and_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("VECTAB_CACHE_DIR", str(blocker / "cache"))
    path = save_vectors(_table(), tmp_path / "v.txt")
    with pytest.warns(UserWarning, match="could not write the vector cache"):
        v = load_vectors(path)
    assert len(v) == 40


def _load_in_child(args: tuple[str, str]) -> tuple[list[str], float]:
    path, cache = args
    os.environ["VECTAB_CACHE_DIR"] = cache
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = load_vectors(path)
    return v.index_to_key, float(np.asarray(v.vectors).sum())


def test_two_processes_load_the_same_file_at_once(tmp_path):
    table = _table(n=3000)
    path = save_vectors(table, tmp_path / "v.txt")
    args = (str(path), os.environ["VECTAB_CACHE_DIR"])
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_load_in_child, [args] * 2)
    for words, total in results:
        assert words == table.index_to_key
        assert total == pytest.approx(float(table.vectors.sum()), rel=1e-6)
    assert len(_cached_files()) == 1
    assert not [p for p in cache_dir().iterdir() if p.name.endswith(".tmp")]  # no leftovers
