"""Compiled inner loops (used when numba is installed): the text and binary readers, and the
running top-k of the exact CPU search (``update_topk``).

``pip install vectab[fast]`` adds numba; without it the readers use pyarrow and Python and
give the same results (set ``VECTAB_NO_NUMBA=1`` to force that). The kernels only do the common
case; any line or record they cannot handle exactly is flagged and parsed again by the exact Python
code, which names the problem.

Numbers are parsed like ``strtod`` followed by a cast: the decimal mantissa (at most 15
significant digits, so it is an exact float64) is multiplied or divided by an exact power of
ten (at most 1e22), one correctly rounded float64 operation, then cast to the output dtype.
That is what gensim and numpy do (text -> float64 -> float32). Longer mantissas or larger
exponents, values that overflow the output dtype and words holding a tab are flagged for the
exact path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np

from vectab._jit import njit

__all__ = [
    "HAVE_NUMBA",
    "kernels_ready",
    "topk_ready",
    "warm_up_readers",
    "parse_text_lines",
    "scan_binary",
    "update_topk",
]

if os.environ.get("VECTAB_NO_NUMBA"):  # force the pure pyarrow/Python readers
    numba = None
else:
    # With colorama installed, numba formats every internal typing message inside colorama's
    # init()/deinit(), and deinit() puts back the sys.stdout/sys.stderr it found at init().
    # From the warm-up thread below that silently undoes any redirection the program makes in
    # the meantime (a test runner's capture, rich's Live, contextlib.redirect_stdout). Plain
    # messages need no colorama; the user's own setting wins.
    os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
    try:
        import numba
    except ImportError:  # pragma: no cover - exercised where numba is absent
        numba = None

HAVE_NUMBA = numba is not None
_POW10 = np.array([10.0**k for k in range(23)], dtype=np.float64)


def _parse_text_lines(block, starts, ends, dim, out, word_end, status, pow10):  # pragma: no cover
    for i in numba.prange(starts.size):
        s = starts[i]
        e = ends[i]
        while e > s and (block[e - 1] == 13 or block[e - 1] == 32):
            e -= 1
        p = s
        tab = False
        while p < e and block[p] != 32:
            tab = tab or block[p] == 9
            p += 1
        word_end[i] = p
        if p == s or p >= e or tab:  # a tab in the word: the exact parser names it
            status[i] = 1
            continue
        q = p
        ok = True
        for j in range(dim):
            p = q + 1
            if p >= e:
                ok = False
                break
            q = p
            neg = False
            if block[q] == 45:
                neg = True
                q += 1
            elif block[q] == 43:
                q += 1
            mant = 0
            digits = 0
            seen = False
            scale = 0
            while q < e and 48 <= block[q] <= 57:
                d = block[q] - 48
                if mant > 0 or d > 0:
                    digits += 1
                mant = mant * 10 + d
                seen = True
                q += 1
            if q < e and block[q] == 46:
                q += 1
                while q < e and 48 <= block[q] <= 57:
                    d = block[q] - 48
                    if mant > 0 or d > 0:
                        digits += 1
                    mant = mant * 10 + d
                    scale -= 1
                    seen = True
                    q += 1
            if not seen or digits > 15:
                ok = False
                break
            if q < e and (block[q] == 101 or block[q] == 69):
                q += 1
                eneg = False
                if q < e and (block[q] == 45 or block[q] == 43):
                    eneg = block[q] == 45
                    q += 1
                ex = 0
                edigits = 0
                while q < e and 48 <= block[q] <= 57 and edigits < 6:
                    ex = ex * 10 + (block[q] - 48)
                    edigits += 1
                    q += 1
                if edigits == 0:
                    ok = False
                    break
                scale += -ex if eneg else ex
            if q < e and block[q] != 32:
                ok = False
                break
            if mant == 0:
                v = 0.0
            elif 0 <= scale <= 22:
                v = float(mant) * pow10[scale]
            elif -22 <= scale < 0:
                v = float(mant) / pow10[-scale]
            else:
                ok = False
                break
            out[i, j] = -v if neg else v
            if np.isinf(out[i, j]):  # beyond the output dtype: the exact parser names it
                ok = False
                break
        if ok and q < e:
            ok = False  # more fields than dim: a word with spaces, or a long row
        status[i] = 0 if ok else 2


def _scan_binary(
    buf, pos, record, max_rows, max_word, starts, spaces, vectors, words
):  # pragma: no cover
    size = buf.size
    n = 0
    w = 0
    while n < max_rows:
        p = pos
        if p < size and buf[p] == 10:
            p += 1
        q = p
        limit = min(size, p + max_word)
        while q < limit and buf[q] != 32:
            q += 1
        if q >= limit or q + 1 + record > size or w + (q - p) + 1 > words.size:
            break
        starts[n] = p
        spaces[n] = q
        words[w : w + q - p] = buf[p:q]
        words[w + q - p] = 10
        w += q - p + 1
        vectors[n, :] = buf[q + 1 : q + 1 + record]
        n += 1
        pos = q + 1 + record
    return n, pos, w


_CHUNK = 64  # scores checked at once: their max first, one by one only when it can enter


def _chunk_max(row, lo, hi):  # pragma: no cover - compiled by numba
    m = row[lo]
    for j in range(lo + 1, hi):
        m = max(m, row[j])
    return m


def _update_topk(scores, first, best, best_ids):  # pragma: no cover - compiled by numba
    b, n = scores.shape
    k = best.shape[1]
    for i in numba.prange(b):
        row = scores[i]
        top = best[i]
        ids = best_ids[i]
        for lo in range(0, n, _CHUNK):
            hi = min(lo + _CHUNK, n)
            if ids[k - 1] >= 0 and not _chunk_max_jit(row, lo, hi) > top[k - 1]:
                continue
            for j in range(lo, hi):
                v = row[j]
                if ids[k - 1] >= 0 and not v > top[k - 1]:
                    continue
                # insert v, keeping top sorted best first (earlier rows first among equals)
                p = k - 1
                while p > 0 and (ids[p - 1] < 0 or top[p - 1] < v):
                    top[p] = top[p - 1]
                    ids[p] = ids[p - 1]
                    p -= 1
                top[p] = v
                ids[p] = first + j


def _warm_readers() -> None:
    """Load (or, the first time ever, compile and cache) the readers' kernels on tiny inputs."""
    global _BROKEN
    try:
        with _LOCK:
            _compile_readers()
    except Exception as error:  # noqa: BLE001 - any failure: fall back to the Python readers
        _BROKEN = error
    finally:
        _READERS_READY.set()


def _warm_topk() -> None:
    """Load (or compile) the exact search's top-k kernel."""
    global _TOPK_BROKEN
    try:
        with _LOCK:
            _topk_jit(np.zeros((1, 2), np.float32), 0, np.full((1, 1), -np.inf, np.float32),
                      np.full((1, 1), -1, np.int64))
    except Exception as error:  # noqa: BLE001 - any failure: the search uses torch.topk
        _TOPK_BROKEN = error


def _start(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    if _touches_std_streams():
        # numba was imported earlier with colours on: compile here, not beside the program
        thread.run()
    else:
        thread.start()
    return thread


def warm_up_readers() -> None:
    """Start loading the readers' kernels in the background, once (numba only).

    The text and binary readers call it when they are imported, so a program that loads a file
    has them ready by its first read, and a program that only searches never loads them
    (about 0.6 s of a core).
    """
    global _WARM_READERS
    if not HAVE_NUMBA:
        return
    with _START_LOCK:
        if _WARM_READERS is None:
            _WARM_READERS = _start(_warm_readers, "vectab-readers")


def _compile_readers() -> None:
    line = np.frombuffer(b"a 1\n", dtype=np.uint8)
    for dtype in (np.float32, np.float64):
        starts, ends = np.zeros(1, np.int64), np.full(1, 3, np.int64)
        out, word_end, status = np.empty((1, 1), dtype), np.empty(1, np.int64), np.zeros(1, np.int8)
        _parse_jit(line, starts, ends, 1, out, word_end, status, _POW10)
    record = np.frombuffer(b"a " + bytes(4), dtype=np.uint8)
    for target in (np.empty((1, 4), np.uint8), np.empty((1, 1), np.float32).view(np.uint8)):
        _scan_jit(
            record,
            0,
            4,
            1,
            16,
            np.empty(1, np.int64),
            np.empty(1, np.int64),
            target,
            np.empty(64, np.uint8),
        )


def _touches_std_streams() -> bool:
    """True when numba's messages go through colorama (which swaps sys.stdout and sys.stderr)."""
    import numba.core.errors as numba_errors

    return hasattr(numba_errors, "ColorShell")


_BROKEN: Exception | None = None
_TOPK_BROKEN: Exception | None = None
_READERS_READY = threading.Event()
_LOCK = threading.Lock()  # numba's default thread pool must not be entered from two threads
_START_LOCK = threading.Lock()
_WARM: threading.Thread | None = None  # the top-k kernel's loading thread
_WARM_READERS: threading.Thread | None = None

if HAVE_NUMBA:
    _parse_jit = njit(parallel=True, nogil=True)(_parse_text_lines)
    _scan_jit = njit(nogil=True)(_scan_binary)
    # max() without NaN checks vectorizes (scores of finite unit vectors are never NaN)
    _chunk_max_jit = njit(fastmath=True, inline="always")(_chunk_max)
    _topk_jit = njit(parallel=True, nogil=True)(_update_topk)
    # numba's first dispatch in a process takes a while (type registry, cache load): start it
    # now, beside whatever else the program imports, rather than inside the first search
    _WARM = _start(_warm_topk, "vectab-kernels")


def kernels_ready(wait: bool = True) -> bool:
    """True when the readers' compiled kernels can be used (numba installed and they loaded)."""
    if not HAVE_NUMBA:
        return False
    warm_up_readers()
    if not _READERS_READY.is_set():
        if not wait:
            return False
        _READERS_READY.wait()
    return _BROKEN is None


def topk_ready(wait: bool = True) -> bool:
    """True when :func:`update_topk` can be used; ``wait=False``: False while it still loads."""
    if _WARM is None:
        return False
    if _WARM.is_alive():
        if not wait:
            return False
        _WARM.join()
    return _TOPK_BROKEN is None


def update_topk(scores: np.ndarray, first: int, best: np.ndarray, best_ids: np.ndarray) -> None:
    """Merge the scores ``(b, n)`` of rows ``first .. first + n`` into a running top-k.

    ``best`` ``(b, k)`` float32 sorted best first (start at -inf), ``best_ids`` ``(b, k)`` int64
    (start at -1 = empty slot); both are updated in place. Each query keeps its sorted best
    ``k`` and a score only enters when it beats the ``k``-th (checked 64 scores at a time by
    their max), so a block is read once, while it is still in cache, in parallel over
    queries. Same answer as ``torch.topk`` over the whole row; of equal scores, the earlier
    row ranks first.
    """
    with _LOCK:
        _topk_jit(scores, first, best, best_ids)


def parse_text_lines(
    block: np.ndarray, starts: np.ndarray, ends: np.ndarray, dim: int, out: np.ndarray
):
    """Parse ``word v1 .. vD`` lines of ``block`` into ``out``; return (word ends, status).

    ``status`` is 0 for a line parsed exactly, else the line must go through the exact parser.
    """
    word_end = np.empty(starts.size, dtype=np.int64)
    status = np.zeros(starts.size, dtype=np.int8)
    with _LOCK:
        _parse_jit(block, starts, ends, dim, out, word_end, status, _POW10)
    return word_end, status


def scan_binary(
    buf: np.ndarray, pos: int, record: int, max_rows: int, max_word: int, vectors: np.ndarray
):
    """Find whole word2vec binary records from ``pos``; copy their vectors into ``vectors``.

    Returns (rows found, new position, word starts, space positions, the words joined by
    newlines).
    """
    starts = np.empty(max_rows, dtype=np.int64)
    spaces = np.empty(max_rows, dtype=np.int64)
    words = np.empty(max_rows * 32 + max_word, dtype=np.uint8)
    n, pos, w = _scan_jit(buf, pos, record, max_rows, max_word, starts, spaces, vectors, words)
    return int(n), int(pos), starts[:n], spaces[:n], words[: max(w - 1, 0)].tobytes()
