"""fastText ``.bin``: damaged headers, truncation, NaN/inf rows, bad encodings, models without
n-grams.

Every model here is written by hand with ``struct`` (fastText's ``Args``/``Dictionary``/
``Matrix::save`` layouts) or taken from gensim's test data; where gensim reads a file, words and
vectors are compared with its ``load_facebook_vectors``.
"""

from __future__ import annotations

import gzip
import os
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from vectab.errors import OutOfVocabularyError, VectorFormatError
from vectab.vectors import Vectors
from vectab.vectors.align import build_embedding_matrix
from vectab.vectors.formats._report import Problems
from vectab.vectors.formats.fasttext import FASTTEXT_MAGIC, FastTextSubwords, read_fasttext_bin
from vectab.vectors.io import load_vectors

ARGS = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model", "bucket", "minn",
        "maxn", "lr_update_rate")


def fasttext_bytes(words, matrix=None, *, dim=4, bucket=20, minn=3, maxn=6, labels=(), seed=0,
                   header=None) -> bytes:
    """A fastText .bin model (version 12): header, vocabulary, input matrix, output matrix.

    ``header`` replaces header fields (``size``, ``nwords``, ``nlabels``, ``pruneidx_size``,
    ``version``, ``rows``, ``cols``, ``quant``, or an Args name) with raw values; the data
    written stays that of the other arguments.
    """
    override = header or {}
    words = [w.encode() if isinstance(w, str) else w for w in words]
    if matrix is None:
        matrix = np.random.default_rng(seed).normal(size=(len(words) + bucket, dim)).astype("<f4")
    args = dict(dim=dim, ws=5, epoch=5, min_count=1, neg=5, word_ngrams=1, loss=2, model=2,
                bucket=bucket, minn=minn, maxn=maxn, lr_update_rate=100)
    args.update({k: v for k, v in override.items() if k in args})
    h = dict(version=12, size=len(words) + len(labels), nwords=len(words), nlabels=len(labels),
             ntokens=1000, pruneidx_size=-1, quant=0, rows=matrix.shape[0], cols=matrix.shape[1])
    h.update({k: v for k, v in override.items() if k in h})
    out = (struct.pack("<2i", FASTTEXT_MAGIC, h["version"])
           + struct.pack("<12id", *(args[k] for k in ARGS), 1e-4))
    out += struct.pack("<3iqq", h["size"], h["nwords"], h["nlabels"],
                       h["ntokens"], h["pruneidx_size"])
    for i, w in enumerate(words):
        out += w + b"\0" + struct.pack("<qb", 100 - i, 0)
    for lab in labels:
        out += lab.encode() + b"\0" + struct.pack("<qb", 50, 1)
    out += struct.pack("<B", h["quant"]) + struct.pack("<2q", h["rows"], h["cols"])
    out += np.ascontiguousarray(matrix, "<f4").tobytes()
    out += (struct.pack("<?2q", False, len(words), dim)
            + np.zeros((len(words), dim), "<f4").tobytes())
    return out


WORDS = ["the", "cat", "naïve", "日本", "dogs"]


def _write(tmp_path: Path, data: bytes, name: str = "m.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _read(path, *, on_error="raise", **kw):
    problems = Problems(path, on_error)
    words, vectors, sub = read_fasttext_bin(path, limit=None, keep=None, dtype=np.float32,
                                            problems=problems, **kw)
    return words, vectors, sub, problems.report


def _gensim_file(name: str) -> Path:
    gensim = pytest.importorskip("gensim")
    path = Path(gensim.__file__).parent / "test" / "test_data" / name
    if not path.exists():
        pytest.skip(f"{name} not in this gensim")
    return path


def _raw_vocab(path: Path) -> list[bytes]:
    """The words' bytes of a new-format model, parsed independently of vectab."""
    data = path.read_bytes()
    off = 8 + struct.calcsize("<12id")
    size, nwords, _ = struct.unpack_from("<3i", data, off)
    off += 12 + 16
    words = []
    for _ in range(size):
        end = data.index(b"\0", off)
        words.append(data[off:end])
        off = end + 10
    return words[:nwords]


# ----- a hand-written model reads like gensim reads it -------------------------------------------
def test_handwritten_model_equals_gensim(tmp_path):
    fasttext = pytest.importorskip("gensim.models.fasttext")
    path = _write(tmp_path, fasttext_bytes(WORDS))
    g = fasttext.load_facebook_vectors(str(path))
    v = load_vectors(path)
    assert v.index_to_key == g.index_to_key == WORDS
    for w in WORDS + ["catnip", "zz", "ïï"]:
        np.testing.assert_allclose(v[w], g[w], rtol=1e-6)


# ----- NaN / inf rows -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_word_row_names_the_word(tmp_path, bad):
    m = np.ones((len(WORDS) + 20, 4), "<f4")
    m[1, 2] = bad
    path = _write(tmp_path, fasttext_bytes(WORDS, m))
    with pytest.raises(VectorFormatError,
                       match=r"m\.bin: the vector of word 2 \('cat'\) holds NaN or infinity"):
        load_vectors(path)
    words, vectors, _, report = _read(path, on_error="skip")  # skip drops that word only
    assert words == [w for w in WORDS if w != "cat"] and np.isfinite(vectors).all()
    assert report.skipped == {"not finite": 1}


def test_inf_in_ngram_row_is_an_error_even_when_skipping(tmp_path):
    m = np.ones((len(WORDS) + 20, 4), "<f4")
    m[len(WORDS) + 7, 0] = np.inf
    path = _write(tmp_path, fasttext_bytes(WORDS, m))
    for on_error in ("raise", "skip"):
        with pytest.raises(VectorFormatError,
                           match=r"m\.bin: n-gram row 7 \(input matrix row 12\) "
                                 r"holds NaN or infinity"):
            _read(path, on_error=on_error)


# ----- encodings ----------------------------------------------------------------------------------
BAD_WORDS = [b"caf\xe9", b"ok", b"\xff\xfebad", b"mid\xc3dle"]


def test_invalid_utf8_is_an_error_under_strict(tmp_path):
    path = _write(tmp_path, fasttext_bytes(BAD_WORDS))
    with pytest.raises(VectorFormatError,
                       match=r"m\.bin: word 1 \(b'caf\\xe9'\) is not valid utf-8"
                             r".*unicode_errors='replace'"):
        load_vectors(path)
    words, _, _, report = _read(path, on_error="skip")
    assert words == ["ok"] and report.skipped == {"not UTF-8": 3}


@pytest.mark.parametrize("errors", ["replace", "ignore"])
def test_invalid_utf8_replace_and_ignore_decode_like_python(tmp_path, errors):
    fasttext = pytest.importorskip("gensim.models.fasttext")
    matrix = np.random.default_rng(1).normal(size=(len(BAD_WORDS) + 20, 4)).astype("<f4")
    words, vectors, sub, _ = _read(_write(tmp_path, fasttext_bytes(BAD_WORDS, matrix)),
                                   unicode_errors=errors)
    assert words == [w.decode("utf-8", errors) for w in BAD_WORDS]
    # the vectors are those gensim builds for the same matrix with the decoded words as UTF-8
    clean = _write(tmp_path, fasttext_bytes([w.encode() for w in words], matrix), "clean.bin")
    g = fasttext.load_facebook_vectors(str(clean))
    assert g.index_to_key == words
    np.testing.assert_allclose(vectors, g.vectors, rtol=1e-6)
    np.testing.assert_allclose(sub.word_vector("unknown"), g["unknown"], rtol=1e-6)


def test_words_equal_after_replace_are_duplicates(tmp_path):
    path = _write(tmp_path, fasttext_bytes([b"a\xff", b"a\xfe", b"b"]))
    with pytest.raises(VectorFormatError,
                       match="word 2 \\(b'a\\\\xfe'\\) reads as 'a\ufffd', already word 1"):
        _read(path, unicode_errors="replace")
    words, _, _, report = _read(path, unicode_errors="replace", on_error="skip")
    assert words == ["a\ufffd", "b"] and report.skipped == {"duplicate word": 1}


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        ({"unicode_errors": "backslashreplace"},
         r"`unicode_errors` must be one of \('strict', 'replace', 'ignore'\), "
         r"got 'backslashreplace'"),
        ({"unicode_errors": None}, r"`unicode_errors` must be one of .* got None"),
        ({"encoding": "no-such-codec"},
         r"`encoding` must be a codec Python knows, got 'no-such-codec'"),
    ],
)
def test_decoding_options_are_validated(tmp_path, kw, pattern):
    path = _write(tmp_path, fasttext_bytes(WORDS))
    with pytest.raises(ValueError, match=pattern):
        _read(path, **kw)


def test_gensim_cp852_model_needs_its_encoding():
    fasttext = pytest.importorskip("gensim.models.fasttext")
    path = _gensim_file("cp852_fasttext.bin")
    with pytest.raises(VectorFormatError,
                       match=r"cp852_fasttext\.bin: word \d+ \(b'.*'\) is not valid utf-8"):
        load_vectors(path)
    words, vectors, sub, _ = _read(path, encoding="cp852")
    g = fasttext.load_facebook_vectors(str(path), encoding="cp852")
    assert words == g.index_to_key
    np.testing.assert_array_equal(vectors, g.vectors)
    for oov in ["svět", "zz", "日本語"]:
        np.testing.assert_array_equal(sub.word_vector(oov), g[oov])


# ----- header fields ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        ({"dim": -3}, r"header field `dim` is -3; expected 1\.\.100000"),
        ({"dim": 0}, r"header field `dim` is 0; expected 1\.\.100000"),
        ({"dim": 10**9}, r"header field `dim` is 1000000000; expected 1\.\.100000"),
        ({"bucket": -1}, r"header field `bucket` is -1; expected a count >= 0"),
        ({"minn": -2}, r"header field `minn` is -2"),
        ({"maxn": -1}, r"header field `maxn` is -1"),
        ({"model": 7}, r"header field `model` is 7; expected 1 \(cbow\), 2 \(skipgram\) or 3"),
        ({"version": 99}, r"header field `version` is 99; expected 1\.\.12"),
        ({"size": -1}, r"header field `size` is -1"),
        ({"nwords": 9}, r"header field `nwords` is 9; expected 0\.\.size=5"),
        ({"nwords": -1}, r"header field `nwords` is -1"),
        ({"nlabels": 3}, r"header field `nlabels` is 3; expected size - nwords = 0"),
        ({"pruneidx_size": -9}, r"header field `pruneidx_size` is -9; expected -1"),
        ({"pruneidx_size": 10**12},
         r"header field `pruneidx_size` is 1000000000000; expected at most \d+"),
        ({"size": 2**31 - 1, "nwords": 2**31 - 1},
         r"header field `size` is 2147483647; expected at most \d+ entries"),
        ({"rows": 10**12},
         r"the input matrix header says 1000000000000 x 4; expected nwords \+ bucket = 25 rows"),
        ({"rows": 26}, r"the input matrix header says 26 x 4; expected nwords \+ bucket = 25"),
        ({"cols": 3}, r"the input matrix header says 25 x 3; expected .* dim = 4 columns"),
        ({"quant": 2}, r"quantization flag of the input matrix is 2; expected 0 or 1"),
        ({"quant": 1}, r"quantized fastText models \(\.ftz\) are not supported"),
        # bucket is an int32 in the file: its largest value claims 2**31 rows (32 GiB here)
        ({"bucket": 2**31 - 1},
         r"the input matrix header says 25 x 4; expected nwords \+ bucket = 2147483652"),
    ],
)
def test_bad_header_fields(tmp_path, override, pattern):
    path = _write(tmp_path, fasttext_bytes(WORDS, header=override))
    with pytest.raises(VectorFormatError, match=pattern) as info:
        load_vectors(path)
    assert info.value.path == str(path)


def test_matrix_claimed_larger_than_the_file(tmp_path):
    data = fasttext_bytes(WORDS,
                          np.zeros((25, 4), "<f4"), header={"bucket": 2**31 - 1, "rows": 2**31 + 4})
    with pytest.raises(VectorFormatError,
                       match=r"the input matrix needs 34359738432 bytes .* "
                             r"but only \d+ bytes remain"):
        load_vectors(_write(tmp_path, data))


def test_one_empty_word_loads_as_gensim_keeps_it(tmp_path):
    # gensim's toy-model-pretrained.bin has one; load_facebook_vectors keeps the key ''
    path = _write(tmp_path, fasttext_bytes(["a", b"", "c"]))
    wv = load_vectors(path, cache=False)
    assert wv.index_to_key == ["a", "", "c"]
    gensim_fasttext = pytest.importorskip("gensim.models.fasttext")
    theirs = gensim_fasttext.load_facebook_vectors(str(path))
    assert theirs.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(wv.vectors, theirs.vectors)


def test_empty_word_wrong_entry_type_and_endless_word(tmp_path):
    with pytest.raises(VectorFormatError, match=r"vocabulary entry 3 of 3 is an empty word, and "
                                                r"so was entry 2"):
        load_vectors(_write(tmp_path, fasttext_bytes(["a", b"", b""])))
    bad_type = fasttext_bytes(["a", "b"]).replace(b"b\0" + struct.pack("<qb", 99, 0),
                                                  b"b\0" + struct.pack("<qb", 99, 4))
    with pytest.raises(VectorFormatError,
                       match=r"vocabulary entry 2 of 2 \(b'b'\) has entry type 4; "
                             r"expected 0 \(word"):
        load_vectors(_write(tmp_path, bad_type))
    with pytest.raises(VectorFormatError,
                       match=r"vocabulary entry 1 of 1 is longer than 1048576 bytes"):
        load_vectors(_write(tmp_path, fasttext_bytes([b"x" * (3 << 20)])))


# ----- truncation ---------------------------------------------------------------------------------
def _cut_points(data: bytes) -> dict[str, int]:
    header = 8 + struct.calcsize("<12id") + 28
    matrix = data.index(struct.pack("<B2q", 0, 25, 4)) + 17
    return {"header": header // 2, "vocab-start": header + 6,
            "vocab": header + 65, "matrix": matrix + 50}


@pytest.mark.parametrize(("where", "pattern"), [
    ("header", r"ends inside the (header|dictionary header)"),
    ("vocab-start",
     r"header field `size` is 5; expected at most 0 entries \(5 entries need at least 55 bytes"),
    ("vocab", r"ends inside its vocabulary, in entry 5 of 5 words"),
    ("matrix", r"the input matrix needs 400 bytes \(25 x 4 float32\) but only 50 bytes remain"),
])
def test_truncated_file(tmp_path, where, pattern):
    data = fasttext_bytes(WORDS)
    with pytest.raises(VectorFormatError, match=pattern):
        load_vectors(_write(tmp_path, data[: _cut_points(data)[where]]))


@pytest.mark.parametrize(("where", "pattern"), [
    ("header", r"ends inside the (header|dictionary header)"),
    ("vocab-start", r"ends inside its vocabulary, in entry 1 of 5 words"),
    ("vocab", r"ends inside its vocabulary, in entry 5 of 5 words"),
    ("matrix", r"ends inside its input matrix \(25 x 4\)"),
])
def test_gz_of_truncated_model(tmp_path, where, pattern):
    data = fasttext_bytes(WORDS)
    path = _write(tmp_path, gzip.compress(data[: _cut_points(data)[where]]), "m.bin.gz")
    with pytest.raises(VectorFormatError, match=pattern):
        load_vectors(path, format="fasttext-bin")


def test_every_prefix_of_a_model_is_a_clean_error(tmp_path):
    data = fasttext_bytes(["a", "bc"], dim=2, bucket=3)
    # the input matrix is all a word reader needs
    end = data.index(struct.pack("<?2q", False, 2, 2))
    for cut in range(end):
        with pytest.raises(VectorFormatError):
            _read(_write(tmp_path, data[:cut]))
        with pytest.raises(VectorFormatError):
            _read(_write(tmp_path, gzip.compress(data[:cut]), "m.gz"))
    assert _read(_write(tmp_path, data[:end]))[0] == ["a", "bc"]


def test_cut_gzip_stream_is_a_clean_error(tmp_path):
    packed = gzip.compress(fasttext_bytes(WORDS, bucket=2000))
    path = _write(tmp_path, packed[: len(packed) // 2], "m.bin.gz")
    with pytest.raises(VectorFormatError, match=r"m\.bin\.gz"):
        load_vectors(path, format="fasttext-bin")


# ----- models without character n-grams -----------------------------------------------------------
def _assert_oov_everywhere(v: Vectors, oov: str) -> None:
    """Every public path that builds a vector for an unknown word refuses it."""
    known = v.index_to_key[0]
    calls = [
        lambda: v[oov],
        lambda: v.get_vector(oov),
        lambda: v.get_vector(oov, norm=True),
        lambda: v.most_similar(oov),
        lambda: v.most_similar(positive=[known], negative=[oov]),
        lambda: v.similar_by_word(oov),
        lambda: v.similarity(known, oov),
        lambda: v.most_similar_cosmul(positive=[oov]),
        lambda: v.most_similar_batch([known, oov]),
    ]
    for call in calls:
        with pytest.raises(OutOfVocabularyError, match=repr(oov)):
            call()
    assert v.get(oov) is None and not v.has_vector(oov) and oov not in v and v.has_vector(known)
    with pytest.warns(UserWarning, match="ignoring words without vectors"):
        assert v.doesnt_match([*v.index_to_key[:3], oov]) in v.index_to_key[:3]
    matrix, report = build_embedding_matrix({known: 1, oov: 2}, v, oov_init="zeros")
    assert report.missing == [oov] and report.found.get("subword", 0) == 0
    assert report.pretrained_mask.tolist() == [False, True, False]


@pytest.mark.parametrize(
    "kw", [{"bucket": 0}, {"maxn": 0},
           {"minn": 0, "maxn": 0, "header": {"model": 3}}, {"minn": 7, "maxn": 6},
           # fastText's loadModel: v11 supervised = no char n-grams
           {"header": {"version": 11, "model": 3}}]
)
def test_model_without_ngrams_has_no_vector_for_unknown_words(tmp_path, kw):
    words = ["the", "cat", "dog", "mat"]
    v = load_vectors(_write(tmp_path, fasttext_bytes(words, **kw)))
    assert v.subwords is None and v.index_to_key == words
    _assert_oov_everywhere(v, "unknownword")


def test_subword_model_without_ngrams_refuses_unknown_words():
    # a FastTextSubwords built elsewhere (a .vtab saved from such a model): same refusals
    rng = np.random.default_rng(0)
    for sub in [FastTextSubwords(np.ones((10, 3), np.float32), min_n=0, max_n=0),
                FastTextSubwords(np.ones((0, 3), np.float32), min_n=3, max_n=6)]:
        v = Vectors(["a", "b", "c"], rng.normal(size=(3, 3)).astype(np.float32), subwords=sub)
        _assert_oov_everywhere(v, "zzz")
    # n-grams of 5..6 characters: "<ab>" has none, so "ab" has no vector; "<abcd>" has some
    v = Vectors(["x", "y", "z"], rng.normal(size=(3, 3)).astype(np.float32),
                subwords=FastTextSubwords(np.ones((10, 3), np.float32), min_n=5, max_n=6))
    _assert_oov_everywhere(v, "ab")
    assert v.has_vector("abcd") and v["abcd"].tolist() == [1.0, 1.0, 1.0]


def test_gensim_supervised_model_needs_replace_and_has_no_subwords():
    path = _gensim_file("pang_lee_polarity_fasttext.bin")  # supervised: bucket=0, maxn=0, 2 labels
    with pytest.raises(VectorFormatError,
                       match=r"pang_lee_polarity_fasttext\.bin: word \d+ .* is not valid utf-8"):
        load_vectors(path)
    for errors in ("replace", "ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            words, vectors, sub, report = _read(path, unicode_errors=errors, on_error="skip")
        raw = _raw_vocab(path)
        decoded = [w.decode("utf-8", errors) for w in raw]
        assert words == list(dict.fromkeys(decoded)) and report.rows_read == len(raw) == 1694
        assert sub is None and "__label__pos" not in words and np.isfinite(vectors).all()
        v = Vectors(words, vectors, subwords=sub)
        _assert_oov_everywhere(v, "notawordinthismodel")


def test_gensim_real_models_are_finite_and_keep_their_subwords():
    for name in ("lee_fasttext.bin", "lee_fasttext_new.bin", "toy-model.bin"):
        v = load_vectors(_gensim_file(name))
        assert v.subwords is not None and v.subwords.has_ngrams and np.isfinite(v.vectors).all()
        assert v.has_vector("xyzzyq") and np.any(v["xyzzyq"])
        assert os.path.basename(v.load_report.path) == name
