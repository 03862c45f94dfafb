"""Atomic writes: a crash never leaves a half-written file or directory where a user expects one.

One file (:func:`atomic_write`, :func:`atomic_path`): written beside the target under a
temporary name, fsync'ed, then renamed over it with one ``os.replace``.

A directory of files that belong together (a saved model, a checkpoint; :func:`atomic_dir`):

1. Under an exclusive ``flock`` on the parent folder (writers of one folder take turns), the
   leftovers of an earlier write that was killed are settled first (see *recovery* below).
2. The new directory is built beside the target as ``.<name>.tmp-<random>``. On success every
   file is fsync'ed, ``manifest.json`` (format version; every file's name, size and sha256) is
   written LAST and fsync'ed, then the directory itself. A directory is valid only when its
   manifest matches its files (:func:`verify_manifest`); a half-built one has no manifest.
3. The swap is two renames: the old target -> ``.<name>.old-<random>``, the new directory ->
   ``<name>``; the parent is fsync'ed. The old directory is then renamed to
   ``.<name>.del-<random>`` and removed. Renames are atomic, so an ``.old-*`` directory is
   always a whole former target, never a partial one: what is being deleted is ``.del-*``.

*Recovery.* A kill between the two renames leaves no ``<name>`` but a complete ``.old-*``.
Readers call :func:`committed_dir`, which then returns that ``.old-*`` directory (the newest
by ctime, if several); the next writer renames it back to ``<name>`` before anything else.
``.tmp-*`` and ``.del-*`` directories are never read: the next writer removes them, and every
other ``.old-*`` once ``<name>`` exists. So at any instant a reader finds the complete old
directory or the complete new one. On an exception inside the ``with`` block the temporary
directory is removed and the target is left as it was.

Files and directories get the mode a plain ``open()`` / ``mkdir()`` would give under the
user's umask (``mkstemp``/``mkdtemp`` would make them private), or keep the mode of the file
or directory they replace.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from vectab._modelfile import read_json
from vectab.errors import ModelFormatError

__all__ = [
    "atomic_write", "atomic_path", "atomic_dir", "check_output", "check_replaceable",
    "committed_dir", "verify_manifest", "MANIFEST_NAME",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "vectab-directory-manifest"
MANIFEST_VERSION = 1
_MAX_MANIFEST_BYTES = 16 * 2**20
_CHUNK = 2**20


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed over ``path``.

    On any exception the temporary file is removed and ``path`` is left as it was.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
        >>> with atomic_path(target) as tmp:
        ...     _ = tmp.write_text("hello")
        >>> target.read_text()
        'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # mkstemp creates the file 0600; give it the mode a plain open() would (or keep the old one).
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.chmod(tmp_path, mode)
    try:
        yield tmp_path
        # again: a writer that recreates the file (safetensors does) would leave it 0600
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", **open_kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; rename it over ``path`` on success.

    The data is flushed and fsync'ed before the rename, so ``path`` holds either the old or
    the complete new content, never a mix.

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.json"
        >>> with atomic_write(target) as f:
        ...     _ = f.write("{}")
        >>> target.read_text()
        '{}'
    """
    if "w" not in mode and "x" not in mode:
        raise ValueError(f"`mode` must be a write mode such as 'w' or 'wb', got {mode!r}")
    mode = mode.replace("x", "w")
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    with atomic_path(path) as tmp, open(tmp, mode, **open_kwargs) as f:
        yield f
        f.flush()
        os.fsync(f.fileno())


# ---------------------------------------------------------------------- directories
def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # a platform that cannot open directories
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _hash_file(path: Path, *, sync: bool = False) -> tuple[int, str]:
    """``(size, sha256 hex)`` of a regular file, fsync'ed first when ``sync``."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        if sync:
            os.fsync(f.fileno())
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _write_manifest(directory: Path) -> None:
    """fsync every file under ``directory``, then write its manifest last and fsync it."""
    files: dict[str, dict[str, Any]] = {}
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            rel = path.relative_to(directory).as_posix()
            if rel == MANIFEST_NAME:
                raise ValueError(
                    f"{path}: {MANIFEST_NAME} is written by vectab; do not write it yourself"
                )
            if not stat.S_ISREG(os.lstat(path).st_mode):
                raise ValueError(f"{path}: only regular files can be part of a saved directory")
            size, digest = _hash_file(path, sync=True)
            files[rel] = {"size": size, "sha256": digest}
        for name in dirs:
            _fsync_dir(Path(root) / name)
    manifest = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "files": files}
    with open(directory / MANIFEST_NAME, "x", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())


def _siblings(path: Path, kind: str) -> list[Path]:
    """``.<name>.<kind>-*`` entries beside ``path`` (kind: tmp, old, del)."""
    prefix = f".{path.name}.{kind}-"
    try:
        names = os.listdir(path.parent)
    except FileNotFoundError:
        return []
    return [path.parent / n for n in names if n.startswith(prefix)]


def _remove(path: Path) -> None:
    """Delete a leftover directory (or file); an ``.old-*`` is renamed ``.del-*`` first."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _discard_old(old: Path, target: Path) -> None:
    doomed = target.parent / f".{target.name}.del-{secrets.token_hex(4)}"
    try:
        os.rename(old, doomed)
    except OSError:
        return  # left as .old-*: the next writer removes it once the target exists
    _remove(doomed)


def _newest(paths: Iterable[Path]) -> Path | None:
    dirs = []
    for p in paths:
        with contextlib.suppress(OSError):
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode):
                dirs.append((st.st_ctime_ns, p.name, p))
    return max(dirs)[2] if dirs else None


def committed_dir(path: str | os.PathLike[str]) -> Path:
    """The directory a reader should open for ``path``, written by :func:`atomic_dir`.

    ``path`` itself when it exists; when a write was killed between its two renames (no
    ``path``, a complete ``.<name>.old-*`` beside it), that old directory; otherwise ``path``
    (so the caller reports it missing). Never a ``.tmp-*`` or ``.del-*`` directory.
    """
    path = Path(path)
    if os.path.lexists(path):
        return path
    return _newest(_siblings(path, "old")) or path


def _recover(target: Path) -> None:
    """Settle what a killed write left beside ``target`` (the parent's lock is held)."""
    if not os.path.lexists(target):
        old = _newest(_siblings(target, "old"))
        if old is not None:
            os.rename(old, target)
            _fsync_dir(target.parent)
    for leftover in _siblings(target, "tmp") + _siblings(target, "del") + _siblings(target, "old"):
        _remove(leftover)


_LOCKED: set[str] = set()


@contextlib.contextmanager
def _parent_lock(parent: Path) -> Iterator[None]:
    """An exclusive flock on ``parent`` (re-entrant within a process; skipped where unsupported)."""
    key = os.path.realpath(parent)
    if key in _LOCKED:
        yield
        return
    try:
        import fcntl

        fd = os.open(parent, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        _LOCKED.add(key)
        try:
            yield
        finally:
            _LOCKED.discard(key)
    finally:
        os.close(fd)  # releases the lock


def _foreign_entries(directory: Path, owned: Iterable[str]) -> list[str]:
    """Entries of an existing ``directory`` that are not part of the artifact it holds."""
    allowed = set(owned) | {MANIFEST_NAME}
    with contextlib.suppress(OSError, ValueError, AttributeError):
        listed = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
        allowed |= {str(name).split("/")[0] for name in listed}
    return sorted(n for n in os.listdir(directory) if n not in allowed)


def check_replaceable(path: str | os.PathLike[str], *, owned: Iterable[str] | None = None) -> Path:
    """Refuse a ``path`` that :func:`atomic_dir` cannot replace whole; return the path it uses.

    Call it before long work whose result is saved there. ``owned``: as in :func:`atomic_dir`.

    Raises:
        NotADirectoryError: ``path`` is a file.
        FileExistsError: ``path`` holds files that are not part of the artifact, or is the
            current working directory (or a folder above it).
    """
    path = Path(os.path.abspath(path))
    if path.is_symlink() and path.is_dir():
        path = path.resolve()
    if not path.name:
        raise FileExistsError(f"{path}: a root folder cannot be replaced; pass a folder inside it")
    if os.path.lexists(path) and not path.is_dir():
        raise NotADirectoryError(
            f"{path}: exists and is not a directory; pass a folder path (it is created or "
            "replaced whole), or move the file away"
        )
    if path.is_dir():
        cwd = Path(os.getcwd()).resolve()
        if cwd == path.resolve() or path.resolve() in cwd.parents:
            raise FileExistsError(
                f"{path}: is the current folder (or above it) and would be replaced whole; "
                "pass a new subfolder, e.g. ./model"
            )
        foreign = _foreign_entries(path, owned) if owned is not None else []
        if foreign:
            raise FileExistsError(
                f"{path}: holds {len(foreign)} entries that are not part of the saved "
                f"artifact ({', '.join(map(repr, foreign[:5]))}); the directory is replaced "
                "whole, which would delete them: pick a new or empty folder, or move them"
            )
    return path


@contextlib.contextmanager
def atomic_dir(
    path: str | os.PathLike[str],
    *,
    owned: Iterable[str] | None = None,
    manifest: bool = True,
) -> Iterator[Path]:
    """Yield a new empty directory beside ``path``; on success it replaces ``path`` whole.

    Write every file of the artifact into the yielded directory. When the ``with`` block ends
    without an exception the files are fsync'ed, ``manifest.json`` is written last (unless
    ``manifest=False``) and the directory is swapped in (see the module docstring): at any
    instant, even after a kill, :func:`committed_dir` finds the complete old or the complete
    new directory. On an exception the temporary directory is removed and ``path`` is left
    as it was.

    Args:
        path: the directory to create or replace (a symlink to a directory: its target).
        owned: when given, the names an existing ``path`` may hold (besides the files its
            manifest lists). Anything else there is not part of the artifact, so the
            directory is not replaced and ``FileExistsError`` is raised: replacing it would
            delete the user's other files.
        manifest: write ``manifest.json`` (what makes the directory valid for
            :func:`verify_manifest`).

    Example:
        >>> import tempfile, pathlib
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "model"
        >>> with atomic_dir(target) as tmp:
        ...     _ = (tmp / "config.json").write_text("{}")
        >>> sorted(p.name for p in target.iterdir())
        ['config.json', 'manifest.json']
    """
    path = check_replaceable(path, owned=owned)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _parent_lock(path.parent):
        _recover(path)
        check_replaceable(path, owned=owned)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o777 & ~_umask()
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            os.chmod(tmp, mode)
            yield tmp
            if manifest:
                _write_manifest(tmp)
            _fsync_dir(tmp)
            if os.path.lexists(path):
                old = path.parent / f".{path.name}.old-{secrets.token_hex(4)}"
                os.rename(path, old)
                try:
                    os.rename(tmp, path)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.rename(old, path)
                    raise
                _fsync_dir(path.parent)
                _discard_old(old, path)
            else:
                os.rename(tmp, path)
                _fsync_dir(path.parent)
        except BaseException:
            _remove(tmp)
            raise


def _manifest_error(path: Path, field: str | None, message: str) -> ModelFormatError:
    return ModelFormatError(path, field, message)


def verify_manifest(
    directory: str | os.PathLike[str],
    *,
    required: Iterable[str] = (),
    content: Iterable[str] = (),
    what: str = "saved model",
) -> dict[str, dict[str, Any]]:
    """Check that ``directory``'s files match its ``manifest.json``; return the listed files.

    Reads only the manifest and hashes the listed files (no other parsing): call it before
    anything is read from the directory.

    Args:
        directory: a directory written through :func:`atomic_dir`.
        required: names the manifest must list (e.g. ``config.json``).
        content: names the reader would use if present: such a file that the manifest does
            not list was not part of the save and is refused.
        what: how the error messages call the directory.

    Raises:
        vectab.errors.ModelFormatError: naming the file: the manifest is missing, not a
            regular file, not valid JSON or of an unknown format; a listed file is missing,
            not a regular file, of another size or another sha256; a required file is not
            listed; a content file is present but not listed.
    """
    directory = Path(directory)
    mpath = directory / MANIFEST_NAME
    resave = "re-save it (save_model) or retrain"
    try:
        st = os.lstat(mpath)
    except FileNotFoundError:
        raise _manifest_error(
            mpath, None,
            f"missing: expected a manifest listing the files of the {what}, found none (the "
            f"directory was written by an older vectab or by hand, or its save did not "
            f"finish); {resave}"
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise _manifest_error(
            mpath, None, "expected a regular file, found something else; " + resave
        )
    if st.st_size > _MAX_MANIFEST_BYTES:
        raise _manifest_error(mpath, None, f"expected at most {_MAX_MANIFEST_BYTES} bytes, "
                              f"found {st.st_size}; {resave}")
    try:
        data = read_json(mpath)  # strict JSON (no duplicate keys, no NaN), regular files only
    except ModelFormatError as exc:
        problem = str(exc).removeprefix(f"{mpath}: ")
        raise _manifest_error(mpath, None, f"{problem}; {resave}") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise _manifest_error(
            mpath, "format", f"expected {MANIFEST_FORMAT!r}, found {found!r}; {resave}"
        )
    if data.get("version") != MANIFEST_VERSION:
        raise _manifest_error(
            mpath,
            "version",
            f"expected {MANIFEST_VERSION}, found "
            f"{data.get('version')!r}; this vectab reads version {MANIFEST_VERSION}",
        )
    files = data.get("files")
    if not isinstance(files, dict):
        raise _manifest_error(mpath, "files", f"expected an object {{name: {{size, sha256}}}}, "
                              f"found {type(files).__name__}; {resave}")
    for name, entry in files.items():
        parts = name.split("/")
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or any(p in ("", ".", "..") for p in parts)
            or name == MANIFEST_NAME
        ):
            raise _manifest_error(
                mpath, "files", f"expected plain relative file names, found {name!r}"
            )
        size = entry.get("size") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if (not isinstance(size, int) or isinstance(size, bool) or size < 0
                or not isinstance(digest, str) or len(digest) != 64):
            raise _manifest_error(mpath, f"files.{name}", "expected {\"size\": int >= 0, "
                                  f"\"sha256\": 64 hex digits}}, found {entry!r}; {resave}")
        fpath = directory / name
        try:
            fst = os.lstat(fpath)
        except (FileNotFoundError, NotADirectoryError):
            raise _manifest_error(fpath, None, f"missing, but {MANIFEST_NAME} lists it ({size} "
                                  f"bytes): the {what} is incomplete; {resave}") from None
        if not stat.S_ISREG(fst.st_mode):
            raise _manifest_error(fpath, None, "expected a regular file, found something else "
                                  f"(a directory, link, FIFO or device); {resave}")
        if fst.st_size != size:
            raise _manifest_error(fpath, "size", f"expected {size} bytes as {MANIFEST_NAME} "
                                  f"records, found {fst.st_size}: the file was changed or "
                                  f"truncated after saving; {resave}")
        if _hash_file(fpath)[1] != digest:
            raise _manifest_error(fpath, "sha256", f"expected sha256 {digest[:16]}... as "
                                  f"{MANIFEST_NAME} records, found different content: the file "
                                  f"was modified after saving; {resave}")
    for name in required:
        if name not in files:
            raise _manifest_error(directory / name, None, f"expected it listed in {MANIFEST_NAME} "
                                  f"as part of the {what}, found it missing there; {resave}")
    for name in content:
        if name not in files and os.path.lexists(directory / name):
            raise _manifest_error(directory / name, None, f"present but not listed in "
                                  f"{MANIFEST_NAME}: it was not part of the save; remove it "
                                  f"or {resave}")
    return files


def check_output(path: str | os.PathLike[str], *, option: str, kind: str) -> None:
    """Refuse an output ``path`` that cannot be written, before any long work starts.

    The one rule for every writer: the CLI's options and the library's ``out=`` arguments.

    Args:
        path: where the command will write.
        option: how the user named it (``--out``), for the message.
        kind: ``"dir"`` (a folder is written) or ``"file"``.

    Raises:
        ValueError: ``path`` exists as the other kind, a parent is a file, or the nearest
            existing parent folder is not writable.
    """
    path = Path(path)
    if kind == "dir" and path.exists() and not path.is_dir():
        raise ValueError(
            f"{option} {path} is an existing file, but a folder is written there; "
            "pass a new or existing folder"
        )
    if kind == "file" and path.is_dir():
        raise ValueError(
            f"{option} {path} is a directory, but a file is written there; "
            f"pass a file name such as {path / 'vectors.txt'}"
        )
    parent = path.parent if kind == "file" or not path.exists() else path
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise ValueError(
            f"{option} {path}: {parent} is a file, not a folder; choose a path under a folder"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(
            f"{option} {path}: cannot write in {parent} (permission denied); "
            "choose a folder you can write to"
        )
