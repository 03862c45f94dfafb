"""The vector cache and `.vectab` files never serve wrong vectors.

A cached load follows the source through edits that keep its size and mtime (``touch -r``,
``cp -p``, ``rsync -t``: simulated with ``os.utime``, a rename over it, ``shutil.copy2``), and
any change to the stored bytes of a cache entry (rebuilt transparently) or of a user's
`.vectab` file (a `VectorFormatError` naming the file) is caught: flipped bytes anywhere, a
run of zeros, truncation, appended bytes. Files of the previous format (partial checksum)
still load with a warning; cache entries of that format are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import time
import types
from pathlib import Path

import numpy as np
import pytest

from vectab.errors import VectorFormatError
from vectab.vectors import cache as cache_module
from vectab.vectors.cache import CacheEntry, cache_dir
from vectab.vectors.formats.fasttext import FastTextSubwords
from vectab.vectors.formats.native import read_native, read_native_header, write_native
from vectab.vectors.io import load_vectors, save_vectors
from vectab.vectors.store import Vectors

ROWS, DIM = 4000, 100  # a 1.6 MB matrix: small, yet most of it lies between the old sampled pages


def _table(seed: int = 0, rows: int = ROWS, dim: int = DIM) -> Vectors:
    rng = np.random.default_rng(seed)
    return Vectors([f"w{i}" for i in range(rows)],
                   rng.standard_normal((rows, dim)).astype(np.float32))


def _cached_files() -> list[Path]:
    folder = cache_dir()
    return sorted(folder.glob("*.vectab")) if folder.is_dir() else []


def _is_memory_mapped(array: np.ndarray) -> bool:
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = getattr(array, "base", None)
    return False


def _assert_same(v: Vectors, expected: Vectors) -> None:
    assert v.index_to_key == expected.index_to_key
    np.testing.assert_array_equal(np.asarray(v.vectors), np.asarray(expected.vectors))


# -- the source's identity -------------------------------------------------------------------


def _edited_bytes(path: Path) -> bytes:
    """The file's bytes with one digit of the first vector changed: same size, other vectors."""
    data = bytearray(path.read_bytes())
    first_row = data.index(b"\n") + 1
    pos = data.index(b".", data.index(b" ", first_row)) + 1  # first decimal of the first number
    data[pos] = ord("7") if data[pos] != ord("7") else ord("3")
    return bytes(data)


def _edit_in_place_then_utime(path: Path, new: bytes) -> None:
    """``touch -r`` / ``cp -p`` / ``rsync -t`` after an edit: same inode, size and mtime."""
    stat = path.stat()
    with open(path, "r+b") as f:
        f.write(new)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _replace_by_rename(path: Path, new: bytes) -> None:
    """An editor's or rsync's save: a new file with the old size and mtime renamed over it."""
    stat = path.stat()
    tmp = path.with_name(path.name + ".new")
    tmp.write_bytes(new)
    os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(tmp, path)


def _copy2_over(path: Path, new: bytes) -> None:
    """``shutil.copy2`` from a file with the same size and mtime: writes into the same inode."""
    stat = path.stat()
    other = path.with_name("other-" + path.name)
    other.write_bytes(new)
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    shutil.copy2(other, path)


EDITS = {"utime_back": _edit_in_place_then_utime,
         "rename_over": _replace_by_rename, "copy2_over": _copy2_over}


def _fake_stat_without_inode(path, opened=None):
    """A filesystem that reports no inode and no ctime (size and mtime are real); ``opened``:
    the load's open file, whose ``fstat`` the cache takes instead of ``os.stat(path)``."""
    real = opened.stat if opened is not None else os.stat(path)
    return types.SimpleNamespace(
        st_dev=real.st_dev, st_ino=0, st_size=real.st_size,
        st_mtime_ns=real.st_mtime_ns, st_ctime_ns=0
    )


@pytest.fixture(params=["stat", "racy", "no_inode"])
def identity_mode(request, monkeypatch):
    """Which part of the identity has to notice: stat fields only, the racy-window content hash,
    or the content hash of a filesystem without inode/ctime."""
    if request.param != "racy":
        monkeypatch.setattr(cache_module, "_RACY_NS", -(10**30))  # nothing counts as just changed
    if request.param == "no_inode":
        monkeypatch.setattr(cache_module, "_stat", _fake_stat_without_inode)
    return request.param


@pytest.mark.parametrize("edit", list(EDITS))
def test_cached_load_follows_an_edit_that_keeps_size_and_mtime(tmp_path, edit, identity_mode):
    path = save_vectors(_table(rows=300, dim=8), tmp_path / "v.txt", precision=4)
    old = load_vectors(path)
    assert _is_memory_mapped(load_vectors(path).vectors)  # the entry is used while nothing changes
    before = path.stat()
    time.sleep(0.02)  # past one tick of a coarse filesystem clock
    new = _edited_bytes(path)
    EDITS[edit](path, new)
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    got = load_vectors(path)
    expected = load_vectors(path, cache=False)
    assert not np.array_equal(np.asarray(expected.vectors), np.asarray(old.vectors))
    _assert_same(got, expected)
    again = load_vectors(path)  # the rebuilt entry now serves the new vectors
    assert _is_memory_mapped(again.vectors)
    _assert_same(again, expected)


def test_unchanged_source_is_served_from_the_cache_in_every_mode(tmp_path, identity_mode):
    path = save_vectors(_table(rows=300, dim=8), tmp_path / "v.txt")
    load_vectors(path)
    (entry,) = _cached_files()
    written = entry.stat().st_mtime_ns
    for _ in range(2):
        assert _is_memory_mapped(load_vectors(path).vectors)
    assert entry.stat().st_mtime_ns == written  # used, not rewritten


def test_identity_records_inode_device_and_ctime(tmp_path):
    path = save_vectors(_table(rows=5, dim=2), tmp_path / "v.txt")
    stat = os.stat(path)
    identity = json.loads(
        CacheEntry(path, format="word2vec", dtype=np.float32, on_error="raise").identity)
    assert identity["inode"] == stat.st_ino and identity["dev"] == stat.st_dev
    assert identity["ctime_ns"] == stat.st_ctime_ns and identity["mtime_ns"] == stat.st_mtime_ns


# -- corruption of the stored bytes ----------------------------------------------------------


def _layout(path: Path) -> dict[str, tuple[int, int]]:
    """Absolute byte ranges in the file: the header JSON and each tensor."""
    header, base = read_native_header(path)
    spans = {"header": (8, base)}
    for name, spec in header.items():
        if name != "__metadata__":
            begin, stop = spec["data_offsets"]
            spans[name] = (base + begin, base + stop)
    return spans


def _flip(at, bit: int = 0x10):
    def damage(data: bytearray, spans) -> bytearray:
        data[at(spans, data)] ^= bit
        return data

    return damage


def _json_digit(key: bytes):
    """A digit of a number in the header JSON (the tensor shape, or a count in the metadata)."""

    def where(spans, data):
        begin, stop = spans["header"]
        pos = bytes(data[begin:stop]).index(key) + len(key)
        while not chr(data[begin + pos]).isdigit():
            pos += 1
        return begin + pos

    return where


def _zero_run(data: bytearray, spans) -> bytearray:
    begin, stop = spans["vectors"]
    # the old format sampled one page every `step` bytes: zero between them
    step = (stop - begin) // 64
    start = begin + 32 * step + 4096
    data[start : start + 495_000] = bytes(495_000)
    return data


CORRUPTIONS = {
    "matrix_start": _flip(lambda s, d: s["vectors"][0]),
    "matrix_middle": _flip(lambda s, d: (s["vectors"][0] + s["vectors"][1]) // 2 + 10_000),
    "matrix_end": _flip(lambda s, d: s["vectors"][1] - 1),
    "vocab": _flip(lambda s, d: (s["vocab"][0] + s["vocab"][1]) // 2),
    # still a digit: valid JSON, other shape
    "header_shape": _flip(_json_digit(b'"shape":['), 0x01),
    "header_metadata": _flip(_json_digit(b"rows_read"), 0x01),
    "header_padding_or_end": _flip(lambda s, d: s["header"][1] - 1),
    "header_checksum": _flip(lambda s, d: bytes(d).index(b'"checksum":"') + 14),
    "length_prefix": _flip(lambda s, d: 0),
    "truncate_1": lambda d, s: d[:-1],
    "truncate_half": lambda d, s: d[: len(d) // 2],
    "append_1": lambda d, s: d + b"\0",
    "append_page": lambda d, s: d + bytes(4096),
}


def _corrupt(path: Path, how) -> None:
    damage = CORRUPTIONS[how] if isinstance(how, str) else how
    data = damage(bytearray(path.read_bytes()), _layout(path))
    path.write_bytes(bytes(data))


def _user_file(tmp_path: Path, table: Vectors) -> Path:
    path = tmp_path / "mine.vectab"
    # a number in the metadata, like the cache's report
    report = json.dumps({"rows_read": len(table)})
    with open(path, "wb") as f:
        write_native(f, table.index_to_key, table.vectors, metadata={"load_report": report})
    return path


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_damaged_cache_entry_is_rebuilt(tmp_path, how):
    table = _table()
    path = save_vectors(table, tmp_path / "v.bin", format="word2vec-binary")
    report = load_vectors(path).load_report.to_json()
    (entry,) = _cached_files()
    _corrupt(entry, how)
    rebuilt = load_vectors(path)
    _assert_same(rebuilt, table)
    assert rebuilt.load_report.to_json() == report  # the report read from the entry's header too
    read_native(entry)  # the entry was rewritten whole and passes its checksum
    again = load_vectors(path)
    assert _is_memory_mapped(again.vectors)
    _assert_same(again, table)


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_damaged_user_file_is_an_error_naming_it(tmp_path, how):
    table = _table()
    path = _user_file(tmp_path, table)
    _assert_same(load_vectors(path), table)
    _corrupt(path, how)
    with pytest.raises(VectorFormatError, match="mine.vectab") as caught:
        load_vectors(path)
    assert caught.value.path == str(path)
    with pytest.raises(VectorFormatError, match="mine.vectab"):
        read_native(path, mmap=False)


def test_zero_run_of_495_kb_in_a_32_mb_matrix(tmp_path):
    """The case the sampled checksum missed: zeros between the pages it looked at."""
    table = _table(rows=20_000, dim=420)  # 33.6 MB: the old sample's pages lie ~525 KB apart
    user = _user_file(tmp_path, table)
    _corrupt(user, _zero_run)
    with pytest.raises(VectorFormatError, match="checksum mismatch"):
        load_vectors(user)
    source = save_vectors(table, tmp_path / "big.bin", format="word2vec-binary")
    load_vectors(source)
    (entry,) = _cached_files()
    _corrupt(entry, _zero_run)
    _assert_same(load_vectors(source), table)



def test_ngrams_are_covered_by_the_checksum(tmp_path):
    rng = np.random.default_rng(3)
    table = _table(rows=50, dim=4)
    subwords = FastTextSubwords(rng.standard_normal((64, 4)).astype(np.float32), min_n=3, max_n=5)
    path = save_vectors(Vectors(table.index_to_key, table.vectors, subwords=subwords),
                        tmp_path / "ft.vectab", format="vectab")
    header, base = read_native_header(path)
    begin, stop = header["ngrams"]["data_offsets"]
    data = bytearray(path.read_bytes())
    data[base + (begin + stop) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(VectorFormatError, match="ft.vectab: checksum mismatch"):
        load_vectors(path)


def test_verify_false_skips_only_the_hash(tmp_path):
    table = _table(rows=30, dim=4)
    path = _user_file(tmp_path, table)
    _corrupt(path, "matrix_end")
    words, vectors, _, _ = read_native(path, verify=False)  # the caller's explicit choice
    assert words == table.index_to_key and not np.array_equal(vectors, table.vectors)
    _corrupt(path, "truncate_1")
    with pytest.raises(VectorFormatError, match="truncated"):
        read_native(path, verify=False)


# -- files of the previous format (version 1: a sampled checksum) -----------------------------


def _write_version_1(path: Path, words: list[str], matrix: np.ndarray,
                     metadata: dict[str, str]) -> None:
    """What vectab wrote before the whole-file checksum (its writer, kept here as the spec)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    vocab = "\n".join(words).encode()
    header = {
        "vectors": {"dtype": "F32", "shape": list(matrix.shape),
                    "data_offsets": [0, matrix.nbytes]},
        "vocab": {"dtype": "U8", "shape": [len(vocab)],
                  "data_offsets": [matrix.nbytes, matrix.nbytes + len(vocab)]},
    }
    flat = matrix.reshape(-1).view(np.uint8)
    if flat.size <= 65 * 4096:
        sample = flat.tobytes()
    else:
        step = flat.size // 64
        sample = (b"".join(flat[i * step : i * step + 4096].tobytes() for i in range(64))
                  + flat[-4096:].tobytes())
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps(header, sort_keys=True).encode())
    h.update(vocab)
    h.update(sample)
    header["__metadata__"] = {"format": "vectab-vectors", "version": "1",
                              **metadata, "checksum": h.hexdigest()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(len(text) + 8) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + flat.tobytes() + vocab)


def test_version_1_user_file_loads_with_a_warning_that_says_how_to_rewrite(tmp_path):
    table = _table(rows=200, dim=6)
    path = tmp_path / "old.vectab"
    _write_version_1(path, table.index_to_key, table.vectors, {})
    with pytest.warns(UserWarning,
                      match=r"old.vectab: written by an earlier vectab \(format version 1\)"
                            r".*save_vectors"):
        v = load_vectors(path)
    _assert_same(v, table)
    with pytest.raises(VectorFormatError, match="format version 1"):
        read_native(path, legacy="raise")
    save_vectors(v, path, format="vectab")  # the rewrite the warning suggests
    _, _, _, meta = read_native(path)
    assert meta["version"] == "2"


def test_version_1_user_file_still_has_its_partial_checksum_checked(tmp_path):
    table = _table(rows=200, dim=6)
    path = tmp_path / "old.vectab"
    _write_version_1(path, table.index_to_key, table.vectors, {})
    _corrupt(path, "vocab")
    with pytest.raises(VectorFormatError, match="old.vectab: checksum mismatch"):
        load_vectors(path)


def test_version_1_cache_entry_is_rebuilt_not_served(tmp_path):
    table = _table(rows=200, dim=6)
    path = save_vectors(table, tmp_path / "v.txt")
    entry = CacheEntry(path, format="word2vec", dtype=np.float32, on_error="raise")
    wrong = _table(seed=9, rows=200, dim=6)  # an entry with the right identity but other vectors
    report = json.dumps({"path": str(path), "rows_read": 200, "rows_kept": 200,
                         "skipped": {}, "examples": {}})
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    _write_version_1(entry.path, wrong.index_to_key,
                     wrong.vectors, {"source": entry.identity, "load_report": report})
    _assert_same(load_vectors(path), table)
    _, _, _, meta = read_native(entry.path)
    assert meta["version"] == "2"


# -- arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["format", "version", "checksum", "checksum_algorithm"])
def test_metadata_cannot_overwrite_the_format_fields(tmp_path, key):
    with (open(tmp_path / "x.vectab", "wb") as f,
          pytest.raises(ValueError, match=f"must not set \\['{key}'\\]")):
        write_native(f, ["a"], np.ones((1, 2), np.float32), metadata={key: "x"})


@pytest.mark.parametrize("legacy", ["ignore", True, None])
def test_legacy_option_is_checked(tmp_path, legacy):
    path = _user_file(tmp_path, _table(rows=3, dim=2))
    with pytest.raises(ValueError, match="`legacy` must be 'warn' or 'raise'"):
        read_native(path, legacy=legacy)


def test_racy_entry_drops_its_content_check_once_the_window_has_passed(tmp_path, monkeypatch):
    path = save_vectors(_table(rows=300, dim=8), tmp_path / "v.txt", precision=4)
    load_vectors(path)  # the source was written just now: the entry records its content hash
    (entry,) = _cached_files()
    assert "source_hash" in read_native(entry)[3]
    monkeypatch.setattr(cache_module, "_RACY_NS", -(10**30))  # as if 2 s had passed
    _assert_same(load_vectors(path), load_vectors(path, cache=False))
    assert "source_hash" not in read_native(entry)[3]  # rewritten with the stat identity only
    time.sleep(0.02)
    _edit_in_place_then_utime(path, _edited_bytes(path))
    _assert_same(load_vectors(path), load_vectors(path, cache=False))


def test_checksum_is_read_window_by_window_over_the_whole_file(tmp_path, monkeypatch):
    import mmap

    from vectab.vectors.formats import native

    # many windows, none aligned to a tensor
    monkeypatch.setattr(native, "_WINDOW", 3 * mmap.ALLOCATIONGRANULARITY)
    table = _table(rows=3000, dim=50)  # 600 KB
    path = _user_file(tmp_path, table)
    assert read_native(path)[0] == table.index_to_key  # the windows add up to the writer's hash
    good = path.read_bytes()
    spans = _layout(path)
    for pos in range(spans["vectors"][0], len(good), 7 * mmap.ALLOCATIONGRANULARITY // 3):
        damaged = bytearray(good)
        damaged[pos] ^= 0x01
        path.write_bytes(bytes(damaged))
        with pytest.raises(VectorFormatError, match="checksum mismatch"):
            read_native(path)
