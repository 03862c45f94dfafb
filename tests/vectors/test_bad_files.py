"""Bad vector files: a clear `VectorFormatError` (path:line, expected vs found), or a counted
skip."""

from __future__ import annotations

import struct
import tracemalloc

import numpy as np
import pytest

from vectab.errors import VectorFormatError
from vectab.vectors.io import load_vectors

GOOD = b"the 0.1 0.2 0.3\nof 0.4 0.5 0.6\n"


def _write(tmp_path, data: bytes, name: str = "v.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_real_glove_words_all_load(tmp_path):
    # pandas' pyarrow engine loses rows after '"'; np.loadtxt drops the '#' row
    words = ['"', "#", "'", "\\", "<unk>", "NA", "null", "nan", "-", "''", "``", "'s", "#1", '"the']
    data = b"".join(w.encode() + f" {i}.5 -{i}.25\n".encode() for i, w in enumerate(words))
    v = load_vectors(_write(tmp_path, data))
    assert v.index_to_key == words
    np.testing.assert_array_equal(v.vectors[:, 0], np.arange(len(words)) + 0.5)


def test_words_with_spaces_glove_840b(tmp_path):
    data = GOOD + b"at name@domain.com 1 2 3\n. . . 4 5 6\n"
    v = load_vectors(_write(tmp_path, data))
    assert v.index_to_key == ["the", "of", "at name@domain.com", ". . ."]
    np.testing.assert_array_equal(v[". . ."], [4, 5, 6])


CASES = [
    # name, bytes, format, error fragment, line, skip reason
    ("short row", GOOD + b"cat 1 2\n", "glove", "expected 3 numbers after the word, found 2",
     3, "wrong number of values"),
    ("long row", GOOD + b"cat 1 2 3 4\n", "glove", "expected 3 numbers after the word, found 4",
     3, "wrong number of values"),
    ("not a number", GOOD + b"cat 1 x 3\n", "glove", "expected a number after 'cat', found b'x'",
     3, "not a number"),
    ("nan", GOOD + b"cat 1 nan 3\n", "glove", "the vector of 'cat' holds 'nan'", 3, "not finite"),
    ("inf", GOOD + b"cat 1 -inf 3\n", "glove", "holds '-inf'", 3, "not finite"),
    ("non-utf8", GOOD + b"caf\xe9 1 2 3\n", "glove", "is not valid UTF-8", 3, "not UTF-8"),
    ("duplicate", GOOD + b"the 1 2 3\n", "glove", "the word 'the' already appeared on line 1",
     3, "duplicate word"),
    ("empty line", b"the 0.1 0.2 0.3\n\nof 1 2 3\n", "glove", "found an empty line",
     2, "empty line"),
    ("leading space", GOOD + b" 1 2 3\n", "glove", "the line starts with a space", 3, "empty word"),
    ("header too big", b"5 3\n" + GOOD, "word2vec",
     "the header says 5 words but the file has 2 vector rows", 1, "header count"),
    ("header too small", b"1 3\n" + GOOD, "word2vec",
     "the header says 1 words but the file has 2 vector rows", 1, "header count"),
    ("header dim", b"2 4\n" + GOOD, "word2vec", "expected 4 numbers after the word, found 3",
     2, "wrong number of values"),
]


@pytest.mark.parametrize("name,data,fmt,message,line,reason", CASES, ids=[c[0] for c in CASES])
def test_bad_text_raises_with_path_and_line(tmp_path, name, data, fmt, message, line, reason):
    path = _write(tmp_path, data)
    with pytest.raises(VectorFormatError, match=message) as info:
        load_vectors(path, format=fmt)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("name,data,fmt,message,line,reason", CASES, ids=[c[0] for c in CASES])
def test_bad_text_skip_counts_and_warns(tmp_path, name, data, fmt, message, line, reason):
    path = _write(tmp_path, data)
    with pytest.warns(UserWarning, match=reason):
        v = load_vectors(path, format=fmt, on_error="skip")
    report = v.load_report
    assert report.skipped == {reason: 2 if name == "header dim" else 1}
    assert message in report.examples[reason][0]
    if name != "header dim":
        assert v.index_to_key[:2] == ["the", "of"]  # the good rows all load
    assert report.rows_kept == len(v)


def test_skip_many_reasons_in_one_file(tmp_path):
    data = GOOD + b"a 1 2\nb 1 nan 3\nthe 1 2 3\nc\xff 1 2 3\nd 1 2 3\n"
    with pytest.warns(UserWarning, match="kept 3 of 7 rows"):
        v = load_vectors(_write(tmp_path, data), on_error="skip")
    assert v.index_to_key == ["the", "of", "d"]
    assert v.load_report.skipped == {
        "wrong number of values": 1, "not finite": 1, "duplicate word": 1, "not UTF-8": 1
    }
    assert "skipped 4" in v.load_report.summary()


def test_skip_report_survives_the_cache(tmp_path):
    path = _write(tmp_path, GOOD + b"a 1 2\n")
    with pytest.warns(UserWarning):
        first = load_vectors(path, on_error="skip")
    with pytest.warns(UserWarning):
        second = load_vectors(path, on_error="skip")  # from the cache
    assert second.load_report.skipped == first.load_report.skipped == {"wrong number of values": 1}
    with pytest.raises(VectorFormatError):  # raise mode is cached separately: still raises
        load_vectors(path)


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"])
@pytest.mark.parametrize("fmt", ["auto", "glove", "word2vec", "word2vec-binary"])
def test_empty_file(tmp_path, data, fmt):
    with pytest.raises(VectorFormatError, match="the file is empty"):
        load_vectors(_write(tmp_path, data), format=fmt)


@pytest.mark.parametrize("header", [b"abc def\n", b"3\n", b"3 0\n", b"-1 3\n", b"1 2 3\n"])
def test_bad_header(tmp_path, header):
    with pytest.raises(VectorFormatError, match="expected a header line 'count dim'"):
        load_vectors(_write(tmp_path, header + GOOD), format="word2vec")


def test_glove_format_on_a_file_with_header_says_so(tmp_path):
    with pytest.raises(VectorFormatError, match="looks like a word2vec header"):
        load_vectors(_write(tmp_path, b"2 3\n" + GOOD), format="glove")


def test_absurd_text_header_allocates_nothing_big(tmp_path):
    path = _write(tmp_path, b"1000000000000 1000000000\nthe 1 2 3\n")
    tracemalloc.start()
    try:
        # no line can hold 10^9 numbers (lines are at most 64 MiB): the header itself is refused
        with pytest.raises(VectorFormatError,
                           match=r":1: the header says 1000000000 numbers a line"):
            load_vectors(path, format="word2vec")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 << 20


def _binary(words, matrix, header=None, newline=True) -> bytes:
    n, d = matrix.shape
    out = (header or f"{n} {d}\n").encode()
    for w, row in zip(words, matrix.astype("<f4")):
        out += w + b" " + row.tobytes() + (b"\n" if newline else b"")
    return out


def test_truncated_binary(tmp_path):
    data = _binary([b"a", b"b", b"c"], np.ones((3, 4)))
    path = _write(tmp_path, data[:-7], "v.bin")
    with pytest.raises(VectorFormatError, match="truncated file|ends inside record 3"):
        load_vectors(path)
    with pytest.warns(UserWarning, match="truncated"):
        v = load_vectors(path, on_error="skip")
    assert v.index_to_key == ["a", "b"]


def test_binary_absurd_header_fails_before_allocating(tmp_path):
    path = _write(tmp_path, _binary([b"a"], np.ones((1, 4)), header="4000000000 4\n"), "v.bin")
    tracemalloc.start()
    try:
        with pytest.raises(VectorFormatError, match="the header says 4000000000 words of 4 dims"):
            load_vectors(path, format="word2vec-binary")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 << 20


def test_binary_bad_rows(tmp_path):
    matrix = np.ones((4, 3))
    matrix[2, 1] = np.nan
    data = _binary([b"a", b"b\xff", b"c", b"a"], matrix)
    path = _write(tmp_path, data, "v.bin")
    with pytest.raises(VectorFormatError, match=r":3: the word b'b\\xff' is not valid UTF-8"):
        load_vectors(path)
    with pytest.warns(UserWarning):
        v = load_vectors(path, on_error="skip")
    assert v.index_to_key == ["a"]
    assert v.load_report.skipped == {"not UTF-8": 1, "not finite": 1, "duplicate word": 1}


def test_binary_header_count_disagrees(tmp_path):
    short = _write(tmp_path, _binary([b"a", b"b"], np.ones((2, 3)), header="3 3\n"), "short.bin")
    with pytest.raises(VectorFormatError):
        load_vectors(short, format="word2vec-binary")
    long = _write(tmp_path, _binary([b"a", b"b"], np.ones((2, 3)), header="1 3\n"), "long.bin")
    with pytest.raises(VectorFormatError, match="goes on after record 1"):
        load_vectors(long, format="word2vec-binary")


def test_binary_without_newlines_gensim_style(tmp_path):
    data = _binary([b"a", b"b"], np.arange(6).reshape(2, 3), newline=False)
    v = load_vectors(_write(tmp_path, data, "g.bin"))
    np.testing.assert_array_equal(v.vectors, np.arange(6).reshape(2, 3))


def test_unknown_content(tmp_path):
    with pytest.raises(VectorFormatError, match="not a recognised word-vector file"):
        load_vectors(_write(tmp_path, b"hello world\nthis is prose\n"))


def test_damaged_vectab_file(tmp_path):
    from vectab.vectors.io import save_vectors
    from vectab.vectors.store import Vectors

    path = save_vectors(Vectors(["a", "b"], np.ones((2, 3), np.float32)),
                        tmp_path / "v.vectab", format="vectab")
    data = bytearray(path.read_bytes())
    data[-12] ^= 0xFF  # a vector byte
    path.write_bytes(bytes(data))
    with pytest.raises(VectorFormatError, match="checksum mismatch"):
        load_vectors(path)
    path.write_bytes(bytes(data[:-3]))
    with pytest.raises(VectorFormatError, match="truncated"):
        load_vectors(path, format="vectab")
    path.write_bytes(struct.pack("<Q", 10**9) + b"{}")
    with pytest.raises(VectorFormatError, match="safetensors header length"):
        load_vectors(path, format="vectab")


def test_quantized_fasttext_is_refused(tmp_path):
    # magic, version, args (12 ints + double), dict sizes, ntokens, pruneidx, one word, quant flag
    data = (struct.pack("<2i", 793712314, 12)
            + struct.pack("<12id", 2, 5, 5, 1, 5, 1, 1, 1, 0, 3, 6, 100, 1e-4))
    data += (struct.pack("<3i", 1, 1, 0) + struct.pack("<qq", 10, -1) + b"a\0"
             + struct.pack("<qb", 3, 0))
    data += struct.pack("<?", True)
    with pytest.raises(VectorFormatError, match="quantized fastText models"):
        load_vectors(_write(tmp_path, data, "m.ftz"))
