"""encoding= / unicode_errors= (gensim's), the UTF-8 BOM, tabs and overflow: one rule per test."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pytest

from vectab.errors import VectorFormatError
from vectab.vectors.io import load_vectors

GLOVE = b"the 0.5 1\nof 2 -3\n"


def _gensim_file(name: str) -> Path:
    gensim = pytest.importorskip("gensim")
    path = Path(gensim.__file__).parent / "test" / "test_data" / name
    if not path.is_file():
        pytest.skip(f"{name} not in this gensim's test data")
    return path


# gensim's own test files that load only with unicode_errors="replace"
@pytest.mark.parametrize("name",
                         ["w2v_keyedvectors_load_test.modeldata", "pang_lee_polarity_fasttext.vec"])
def test_gensim_files_that_need_replace(name):
    path = _gensim_file(name)
    keyedvectors = pytest.importorskip("gensim.models.keyedvectors")
    with pytest.raises(VectorFormatError,
                       match=r":\d+: the word .* is not valid UTF-8.*unicode_errors='replace'"):
        load_vectors(path, format="word2vec", cache=False)
    # with "ignore", one word of the fastText file decodes to '' (gensim keeps the key ''; vectab
    # refuses an empty word), so "ignore" is compared on the other file only
    for errors in ("replace", "ignore") if name.endswith("modeldata") else ("replace",):
        ours = load_vectors(path, format="word2vec", cache=False, unicode_errors=errors)
        theirs = keyedvectors.KeyedVectors.load_word2vec_format(str(path), unicode_errors=errors)
        assert ours.index_to_key == theirs.index_to_key
        np.testing.assert_array_equal(ours.vectors, theirs.vectors)


@pytest.mark.parametrize("fmt,data", [("glove", GLOVE), ("word2vec", b"2 2\n" + GLOVE)])
def test_utf8_bom_is_not_part_of_the_first_word(tmp_path, fmt, data):
    path = tmp_path / "v.txt"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    for format in (fmt, "auto"):
        v = load_vectors(path, format=format, cache=False)
        assert v.index_to_key == ["the", "of"]
        np.testing.assert_array_equal(v["the"], [0.5, 1])


@pytest.mark.parametrize("errors,words",
                         [("replace", ["the", "caf\ufffd"]), ("ignore", ["the", "caf"])])
def test_unicode_errors_modes_text_and_binary(tmp_path, errors, words):
    text = tmp_path / "v.txt"
    text.write_bytes(b"the 1 2\ncaf\xe9 3 4\n")
    binary = tmp_path / "v.bin"
    binary.write_bytes(b"2 2\n" + b"the " + np.ones(2, "<f4").tobytes()
                       + b"\ncaf\xe9 " + np.ones(2, "<f4").tobytes())
    for path in (text, binary):
        with pytest.raises(VectorFormatError,
                           match=rf"{path.name}:\d: the word b'caf\\xe9' is not valid UTF-8"):
            load_vectors(path, cache=False)
        assert load_vectors(path, cache=False, unicode_errors=errors).index_to_key == words
        assert load_vectors(path, cache=False, encoding="latin-1").index_to_key == ["the", "café"]


def test_strict_skip_counts_undecodable_words(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"the 1 2\ncaf\xe9 3 4\n")
    with pytest.warns(UserWarning, match="not UTF-8 1"):
        v = load_vectors(path, cache=False, on_error="skip")
    assert v.index_to_key == ["the"]


def test_encoding_options_are_cached_apart(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"the 1 2\ncaf\xe9 3 4\n")
    assert load_vectors(path, encoding="latin-1").index_to_key == ["the", "café"]
    assert load_vectors(path, unicode_errors="replace").index_to_key == ["the", "caf\ufffd"]
    with pytest.raises(VectorFormatError):
        load_vectors(path)
    # each decoding has its own cache entry, served again on the next load
    from vectab.vectors.cache import cache_dir

    assert len(list(cache_dir().glob("*.vectab"))) == 2
    assert load_vectors(path, encoding="latin-1").index_to_key == ["the", "café"]
    assert load_vectors(path, unicode_errors="replace").index_to_key == ["the", "caf\ufffd"]
    assert len(list(cache_dir().glob("*.vectab"))) == 2


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"unicode_errors": "surrogateescape"},
         r"`unicode_errors` must be one of \('strict', 'replace', 'ignore'\), "
         r"got 'surrogateescape'"),
        ({"unicode_errors": None}, "`unicode_errors` must be one of"),
        ({"encoding": "no-such-codec"},
         "`encoding` must be a codec Python knows, got 'no-such-codec'"),
        ({"encoding": "utf-16"}, "`encoding` must be an ASCII-compatible encoding.*got 'utf-16'"),
    ],
)
def test_bad_decoding_options(tmp_path, kwargs, message):
    path = tmp_path / "v.txt"
    path.write_bytes(GLOVE)
    with pytest.raises(ValueError, match=message):
        load_vectors(path, **kwargs)
    with pytest.raises(TypeError, match="`encoding` must be a str"):
        load_vectors(path, encoding=8)


@pytest.mark.parametrize("fmt,prefix,line", [("glove", b"", 1), ("word2vec", b"2 2\n", 2)])
def test_word_followed_by_a_tab_is_an_error(tmp_path, fmt, prefix, line):
    path = tmp_path / "v.txt"
    path.write_bytes(prefix + GLOVE.replace(b" ", b"\t", 1))
    with pytest.raises(VectorFormatError,
                       match=rf"v.txt:{line}: the word b'the\\t0.5' holds a tab"):
        load_vectors(path, format=fmt, cache=False)
    path.write_bytes(GLOVE + b"cat\t1 2\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = load_vectors(path, format="glove", cache=False, on_error="skip")
    assert v.index_to_key == ["the", "of"] and v.load_report.skipped == {"tab": 1}


@pytest.mark.parametrize(
    "dtype,value",
    [("float32", "3.5e38"), ("float32", "-3.5e38"), ("float16", "70000"), ("float16", "-65520")]
)
def test_values_overflowing_the_dtype_are_errors(tmp_path, dtype, value):
    path = tmp_path / "v.txt"
    path.write_bytes(GLOVE + f"cat 1 {value}\n".encode())
    with pytest.raises(VectorFormatError,
                       match=rf"v.txt:3: the vector of 'cat' holds '{value}', "
                             rf"which overflows {dtype}"):
        load_vectors(path, dtype=dtype, cache=False)
    assert load_vectors(path, dtype="float64", cache=False)["cat"][1] == float(value)


def test_binary_float16_overflow_is_an_error(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(b"1 2\nbig " + np.array([1, 70000], "<f4").tobytes() + b"\n")
    with pytest.raises(VectorFormatError,
                       match=r"v.bin:2: the vector of 'big' holds 70000, which overflows float16"):
        load_vectors(path, dtype="float16", cache=False)
    assert load_vectors(path, cache=False)["big"][1] == 70000


@pytest.mark.parametrize("kind", ["gz truncated", "gz crc", "bz2", "zip"])
def test_damaged_archives_name_the_file(tmp_path, kind):
    import bz2
    import io
    import zipfile

    data = b"2 2\n" + GLOVE * 2000
    if kind.startswith("gz"):
        packed = gzip.compress(data)
        packed = packed[: len(packed) // 2] if kind == "gz truncated" else packed[:-8] + bytes(8)
    elif kind == "bz2":
        packed = bz2.compress(data)[:-10]
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("v.txt", data)
        packed = buf.getvalue()[:-30]
    path = tmp_path / "v.txt.x"
    path.write_bytes(packed)
    for fmt in ("auto", "word2vec"):
        with pytest.raises(VectorFormatError, match=r"v.txt.x: the (gzip|bz2|zip) data is damaged"):
            load_vectors(path, format=fmt, cache=False)
