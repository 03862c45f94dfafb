"""Atomic writes: all or nothing, with the permissions a plain open() would give."""

from __future__ import annotations

import os
import stat

import pytest

from vectab._fileio import atomic_path, atomic_write


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "vectors.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(target) as f:
        f.write("half of the new content")
        raise RuntimeError("crash in the middle")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.txt"]


def test_new_file_gets_umask_permissions_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "a.txt") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644


def test_replacing_a_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "b.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_read_mode_is_rejected(tmp_path):
    with (pytest.raises(ValueError, match="`mode` must be a write mode"),
          atomic_write(tmp_path / "c", "r")):
        pass
