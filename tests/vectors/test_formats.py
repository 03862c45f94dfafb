"""Every vector format: exact round trips, detection from content, gensim parity both ways."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vectab.errors import VectorFormatError
from vectab.vectors.formats import FORMATS, detect_format
from vectab.vectors.io import load_vectors, save_vectors
from vectab.vectors.store import Vectors

WORDS = ["the", '"', "#", "'", "\\", "<unk>", "NA", "naïve", "日本", "'s", "1990"]
WRITE = ["word2vec", "word2vec-binary", "glove", "fasttext", "vectab"]


def _vectors(n_extra: int = 20, dim: int = 7, seed: int = 0) -> Vectors:
    rng = np.random.default_rng(seed)
    words = WORDS + [f"w{i}" for i in range(n_extra)]
    matrix = (rng.standard_normal((len(words), dim)) * 10.0 ** rng.integers(-8, 4, (len(words), 1)))
    return Vectors(words, matrix.astype(np.float32))


def _gensim_test_file(name: str) -> Path:
    gensim = pytest.importorskip("gensim")
    path = Path(gensim.__file__).parent / "test" / "test_data" / name
    if not path.exists():
        pytest.skip(f"gensim test file {name} not installed")
    return path


@pytest.mark.parametrize("fmt", WRITE)
@pytest.mark.parametrize("cache", [False, True])
def test_round_trip_is_exact(tmp_path, fmt, cache):
    v = _vectors()
    path = save_vectors(v, tmp_path / f"v.{fmt}", format=fmt)
    for _ in range(2):  # the second load comes from the cache when cache=True
        back = load_vectors(path, cache=cache)
        assert back.index_to_key == v.index_to_key
        np.testing.assert_array_equal(back.vectors, v.vectors)
        assert back.vectors.dtype == np.float32


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove"])
def test_compressed_round_trip(tmp_path, suffix, fmt):
    v = _vectors()
    path = save_vectors(v, tmp_path / f"v.data{suffix}", format=fmt)
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
    with opener(path, "rb") as f:
        assert f.read(3)  # really compressed
    back = load_vectors(path)
    np.testing.assert_array_equal(back.vectors, v.vectors)


def test_compression_found_from_content_and_zip(tmp_path):
    v = _vectors()
    plain = save_vectors(v, tmp_path / "v.txt", format="glove")
    renamed = tmp_path / "no_extension"
    renamed.write_bytes(gzip.compress(plain.read_bytes()))
    assert load_vectors(renamed).index_to_key == v.index_to_key
    archive = tmp_path / "v.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(plain, "glove.txt")
    np.testing.assert_array_equal(load_vectors(archive).vectors, v.vectors)
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as z:
        z.write(plain, "a.txt")
        z.write(plain, "b.txt")
    with pytest.raises(VectorFormatError, match="holds 2 files"):
        load_vectors(tmp_path / "two.zip")


@pytest.mark.parametrize("fmt", WRITE)
def test_detection_ignores_the_extension(tmp_path, fmt):
    path = save_vectors(_vectors(), tmp_path / "misleading.bin.txt", format=fmt)
    expected = {"fasttext": "word2vec"}.get(fmt, fmt)
    assert detect_format(path) == expected


def test_text_precision(tmp_path):
    v = Vectors(["a", "b"], np.array([[0.123456789, -1.5], [2.0, 1e-7]], np.float32))
    path = save_vectors(v, tmp_path / "v.txt", format="glove", precision=3)
    assert path.read_text() == "a 0.123 -1.5\nb 2 0\n"
    back = load_vectors(path)
    np.testing.assert_array_equal(back.vectors,
                                  np.round(v.vectors.astype(np.float64), 3).astype(np.float32))


def test_word2vec_c_trailing_space_and_crlf(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"2 3\r\nthe 0.1 0.2 0.3 \r\nof 1 2 3 \r\n")
    v = load_vectors(path)
    assert v.index_to_key == ["the", "of"]
    np.testing.assert_array_equal(v.vectors, np.array([[0.1, 0.2, 0.3], [1, 2, 3]], np.float32))


def test_vectab_format_keeps_any_word_and_dtype(tmp_path):
    v = Vectors(["a b", "line\nbreak", ""], np.arange(6, dtype=np.float64).reshape(3, 2))
    path = save_vectors(v, tmp_path / "v.vectab", format="vectab")
    back = load_vectors(path, dtype=np.float64)
    assert back.index_to_key == v.index_to_key
    np.testing.assert_array_equal(back.vectors, v.vectors)
    safetensors = pytest.importorskip("safetensors.numpy")
    tensors = safetensors.load_file(str(path))  # any safetensors reader opens it
    np.testing.assert_array_equal(tensors["vectors"], v.vectors)


@settings(max_examples=25, deadline=None)
@given(
    words=st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
                min_size=1, max_size=8),
        min_size=1, max_size=6, unique=True,
    ),
    values=st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False),
                    min_size=18, max_size=18),
    fmt=st.sampled_from(WRITE),
)
def test_property_round_trip(tmp_path_factory, words, values, fmt):
    matrix = np.array(values, np.float32)[: len(words) * 3].reshape(-1, 3)[: len(words)]
    if matrix.shape[0] < len(words):
        matrix = np.resize(matrix, (len(words), 3)).astype(np.float32)
    v = Vectors(words, matrix)
    path = save_vectors(v, tmp_path_factory.mktemp("p") / "v", format=fmt)
    back = load_vectors(path, format={"fasttext": "word2vec"}.get(fmt, fmt), cache=False)
    assert back.index_to_key == words
    np.testing.assert_array_equal(back.vectors, matrix)


# ---- gensim parity -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove", "fasttext"])
def test_gensim_reads_what_vectab_writes(tmp_path, fmt):
    keyedvectors = pytest.importorskip("gensim.models.keyedvectors")
    v = _vectors()
    path = save_vectors(v, tmp_path / "v", format=fmt)
    kv = keyedvectors.KeyedVectors.load_word2vec_format(
        path, binary=fmt == "word2vec-binary", no_header=fmt == "glove"
    )
    assert kv.index_to_key == v.index_to_key
    np.testing.assert_array_equal(kv.vectors, v.vectors)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("header", [True, False])
def test_vectab_reads_what_gensim_writes(tmp_path, binary, header):
    keyedvectors = pytest.importorskip("gensim.models.keyedvectors")
    if binary and not header:
        pytest.skip("word2vec binary always has a header")
    v = _vectors()
    kv = keyedvectors.KeyedVectors(v.vector_size)
    kv.add_vectors(v.index_to_key, v.vectors)
    path = tmp_path / "g"
    kv.save_word2vec_format(str(path), binary=binary, write_header=header)
    back = load_vectors(path)
    assert back.index_to_key == v.index_to_key
    np.testing.assert_array_equal(back.vectors, v.vectors)


def test_gensim_pre_kv_c_is_text_not_binary():
    path = _gensim_test_file("word2vec_pre_kv_c")
    assert detect_format(path) == "word2vec"
    keyedvectors = pytest.importorskip("gensim.models.keyedvectors")
    kv = keyedvectors.KeyedVectors.load_word2vec_format(str(path), binary=False)
    v = load_vectors(path)
    assert v.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(v.vectors, kv.vectors)
    with pytest.raises(VectorFormatError, match="looks like word2vec \\*text\\*"):
        load_vectors(path, format="word2vec-binary")


# cp852_fasttext.bin is not UTF-8: tests/reliability/test_fasttext_bin.py loads it with
# encoding="cp852"
@pytest.mark.parametrize(
    "name", ["lee_fasttext.bin", "lee_fasttext_new.bin", "non_ascii_fasttext.bin", "toy-model.bin"]
)
def test_fasttext_bin_equals_gensim(name):
    path = _gensim_test_file(name)
    fasttext = pytest.importorskip("gensim.models.fasttext")
    g = fasttext.load_facebook_vectors(str(path))
    v = load_vectors(path)
    assert v.index_to_key == g.index_to_key
    for word in g.index_to_key:
        np.testing.assert_array_equal(v[word], g[word])
    for oov in ["landlord", "xyzzyq", "naïveté", "日本語", "zz", "Anarchism-like"]:
        assert (oov in v) == (oov in g) and not v.has_index_for(oov)
        np.testing.assert_array_equal(v.subwords.word_vector(oov), g[oov])
        np.testing.assert_array_equal(v[oov], g[oov])


def test_fasttext_bin_vocab_limit_and_vectab_copy(tmp_path):
    path = _gensim_test_file("lee_fasttext.bin")
    full = load_vectors(path)
    some = load_vectors(path, limit=10, vocab=full.index_to_key[5:20])
    assert some.index_to_key == full.index_to_key[5:10]
    np.testing.assert_array_equal(some.vectors, full.vectors[5:10])
    copy = load_vectors(save_vectors(full, tmp_path / "ft.vectab", format="vectab"))
    np.testing.assert_array_equal(copy.vectors, full.vectors)
    np.testing.assert_array_equal(copy["notaword"], full["notaword"])


def test_format_names_are_documented():
    assert set(WRITE) < set(FORMATS) and "fasttext-bin" in FORMATS


def test_gz_of_gensim_file(tmp_path):
    path = _gensim_test_file("word2vec_pre_kv_c")
    with open(path, "rb") as src, gzip.open(tmp_path / "c.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert load_vectors(tmp_path / "c.gz").index_to_key == load_vectors(path).index_to_key


@pytest.mark.parametrize("on_error", ["skip", "raise"])
def test_compiled_and_python_parsers_agree(tmp_path, monkeypatch, on_error):
    from vectab.vectors.formats import binary, text

    rng = np.random.default_rng(3)
    rows = [f"{w} " + " ".join(f"{x:.6f}" for x in rng.standard_normal(4)) for w in WORDS]
    rows += ["at home 1 2 3 4", "x 1e-3 -2.5E+2 +3 .5",
             "y 1 2 3 4 ", "z 0.1234567890123456789 1 2 3"]
    bad = ["short 1 2", "nan 1 nan 2 3", "dup 1 2 3 4", "dup 5 6 7 8"]
    data = ("\n".join(rows + (bad if on_error == "skip" else [])) + "\n").encode()
    glove = tmp_path / "g.txt"
    glove.write_bytes(data.replace(b"\n", b"\r\n", 3))
    w2v_bin = save_vectors(_vectors(), tmp_path / "b.bin", format="word2vec-binary")

    def load_all():
        with pytest.warns(UserWarning) if on_error == "skip" else contextlib.nullcontext():
            a = load_vectors(glove, on_error=on_error, cache=False)
        b = load_vectors(w2v_bin, cache=False)
        return a, b

    compiled = load_all()
    monkeypatch.setattr(text, "kernels_ready", lambda: False)
    monkeypatch.setattr(binary, "kernels_ready", lambda: False)
    python = load_all()
    for c, p in zip(compiled, python):
        assert c.index_to_key == p.index_to_key
        np.testing.assert_array_equal(c.vectors, p.vectors)
        assert c.load_report.skipped == p.load_report.skipped
    assert "at home" in compiled[0]


def test_row_sink_grows_within_the_input_bound_and_keeps_its_rows():
    from vectab.vectors.formats._report import Problems
    from vectab.vectors.formats._rows import RowSink

    for bound in (None, 10, 1000):
        sink = RowSink(2, np.float32, keep=None, limit=None, problems=Problems("f", "raise"))
        sink.start(2, 2, bound=bound)
        for i in range(9):
            sink.reserve(1)[:] = i
            sink.commit([f"w{i}"], [i + 1])
            if bound is not None:
                assert sink._matrix.shape[0] <= max(bound, 2)
        words, matrix = sink.finish()
        assert words == [f"w{i}" for i in range(9)]
        np.testing.assert_array_equal(matrix[:, 0], np.arange(9, dtype=np.float32))
