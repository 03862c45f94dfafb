"""`load_vectors` / `save_vectors` options: limit, vocabulary filter, dtype, progress, errors."""

from __future__ import annotations

import numpy as np
import pytest

from vectab.vectors.io import load_vectors, save_vectors
from vectab.vectors.store import Vectors

FORMATS = ["word2vec", "word2vec-binary", "glove", "vectab"]


@pytest.fixture
def table() -> Vectors:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50)] + ["the", "cat", '"']
    return Vectors(words, rng.standard_normal((len(words), 5)).astype(np.float32))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("cache", [False, True])
def test_limit_reads_first_rows(tmp_path, table, fmt, cache):
    path = save_vectors(table, tmp_path / "v", format=fmt)
    load_vectors(path, cache=cache)  # with cache=True, the limited load now comes from the cache
    for limit in (0, 1, 7, 53, 1000):
        v = load_vectors(path, limit=limit, cache=cache)
        assert v.index_to_key == table.index_to_key[:limit]
        np.testing.assert_array_equal(v.vectors, table.vectors[:limit])


class _TokenizerLike:
    word_index = {"cat": 1, "the": 2, "unknown": 3}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "make_vocab",
    [
        _TokenizerLike,
        lambda: {"cat": 1, "the": 2, "unknown": 3},
        lambda: ["the", "cat", "unknown"],
        lambda: iter({"cat", "the"}),
    ],
    ids=["tokenizer", "word_index", "list", "iterator"],
)
def test_vocabulary_filter(tmp_path, table, fmt, make_vocab):
    path = save_vectors(table, tmp_path / "v", format=fmt)
    v = load_vectors(path, vocab=make_vocab())
    assert v.index_to_key == ["the", "cat"]  # file order
    np.testing.assert_array_equal(v.vectors, table.vectors[[50, 51]])


def test_vocabulary_filter_from_cache_and_with_limit(tmp_path, table):
    path = save_vectors(table, tmp_path / "v.txt", format="glove")
    load_vectors(path)
    assert load_vectors(path, vocab=["w3", "cat"]).index_to_key == ["w3", "cat"]
    assert load_vectors(path, vocab=["w3", "cat"], limit=10).index_to_key == ["w3"]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, "float64"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_dtype(tmp_path, table, dtype, fmt):
    path = save_vectors(table, tmp_path / "v", format=fmt)
    v = load_vectors(path, dtype=dtype)
    assert v.vectors.dtype == np.dtype(dtype)
    if np.dtype(dtype) == np.float64 and fmt in ("word2vec", "glove"):
        # text holds the shortest decimal of each float32; read as float64 it stays that decimal
        np.testing.assert_array_equal(v.vectors.astype(np.float32), table.vectors)
    else:
        np.testing.assert_array_equal(v.vectors, table.vectors.astype(dtype))


def test_float64_text_keeps_more_precision(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("a 0.1234567890123\n")
    assert load_vectors(path, dtype=np.float64).vectors[0, 0] == 0.1234567890123


def test_vectors_are_zero_copy_to_torch(tmp_path, table):
    torch = pytest.importorskip("torch")
    v = load_vectors(save_vectors(table, tmp_path / "v.vectab", format="vectab"))
    t = torch.from_numpy(v.vectors)
    assert t.data_ptr() == v.vectors.__array_interface__["data"][0]
    t[0, 0] = 42.0  # copy-on-write map: writable, the file is untouched
    assert load_vectors(tmp_path / "v.vectab").vectors[0, 0] == table.vectors[0, 0]


def test_progress_callback(tmp_path, table):
    path = save_vectors(table, tmp_path / "v.txt", format="glove")
    events = []
    load_vectors(path, progress=events.append, cache=False)
    size = path.stat().st_size
    assert [e.kind for e in events][0] == "start" and events[-1].kind == "end"
    assert (events[-1].done, events[-1].total, events[-1].unit) == (size, size, "bytes")


def test_progress_bar(tmp_path, table):
    path = save_vectors(table, tmp_path / "v.txt", format="glove")
    assert len(load_vectors(path, progress=True)) == len(table)


BAD_LOAD_ARGS = [
    ({"format": "csv"}, ValueError, "`format` must be one of"),
    ({"limit": -1}, ValueError, "`limit` must be an int >= 0 or None, got -1"),
    ({"limit": 2.5}, TypeError, "`limit`"),
    ({"limit": True}, TypeError, "`limit`"),
    ({"limit": "10"}, TypeError, "`limit` must be an int >= 0 or None, got str: '10'"),
    ({"dtype": np.int32}, ValueError, "`dtype` must be float16, float32 or float64"),
    ({"dtype": "nonsense"}, ValueError, "`dtype`"),
    ({"cache": "yes"}, TypeError, "`cache` must be True or False"),
    ({"on_error": "ignore"}, ValueError, "`on_error` must be one of"),
    ({"progress": "bar"}, TypeError, "`progress` must be True, False, None or a callable"),
    ({"vocab": "the"}, TypeError, "wrap a single word in a list"),
    ({"vocab": 3}, TypeError, "`vocab` must be a Tokenizer"),
    ({"vocab": ["a", 1]}, TypeError, "only str words"),
]


@pytest.mark.parametrize("kwargs,error,message", BAD_LOAD_ARGS)
def test_bad_load_arguments(tmp_path, table, kwargs, error, message):
    path = save_vectors(table, tmp_path / "v.txt", format="glove")
    with pytest.raises(error, match=message):
        load_vectors(path, **kwargs)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no vector file at"):
        load_vectors(tmp_path / "nope.txt")
    with pytest.raises(FileNotFoundError):
        load_vectors(tmp_path)  # a folder


BAD_SAVE = [
    ({"format": "npz"}, "v", ValueError, "`format` must be one of"),
    ({"format": "fasttext-bin"}, "v", ValueError, "`format` must be one of"),
    ({"precision": -1}, "v", ValueError, r"`precision` must be an int in \[0, 17\] or None"),
    ({"precision": "3"}, "v", TypeError, r"`precision` must be an int in \[0, 17\] or None"),
    ({"precision": 3, "format": "word2vec-binary"}, "v", ValueError, "text formats only"),
    ({"format": "vectab"}, "v.vectab.gz", ValueError, "cannot be compressed"),
    ({"format": "glove"}, "v.zip", ValueError, "writing .zip archives is not supported"),
]


@pytest.mark.parametrize("kwargs,name,error,message", BAD_SAVE)
def test_bad_save_arguments(tmp_path, table, kwargs, name, error, message):
    with pytest.raises(error, match=message):
        save_vectors(table, tmp_path / name, **kwargs)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("fmt", ["word2vec", "glove", "word2vec-binary"])
@pytest.mark.parametrize("word", ["a b", "new\nline", ""])
def test_save_refuses_words_the_format_cannot_hold(tmp_path, fmt, word):
    v = Vectors(["ok", word], np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match="cannot write the word"):
        save_vectors(v, tmp_path / "v", format=fmt)
    assert not (tmp_path / "v").exists()  # atomic: nothing half-written


def test_save_refuses_nan_in_text(tmp_path):
    v = Vectors(["a", "b"], np.array([[1, 2], [np.nan, 0]], np.float32))
    with pytest.raises(ValueError, match="holds NaN or infinity"):
        save_vectors(v, tmp_path / "v.txt")


def test_save_refuses_non_vectors(tmp_path):
    with pytest.raises(TypeError, match="`vectors` must be a Vectors"):
        save_vectors({"a": [1.0]}, tmp_path / "v.txt")


def test_save_gensim_keyedvectors(tmp_path, table):
    keyedvectors = pytest.importorskip("gensim.models.keyedvectors")
    kv = keyedvectors.KeyedVectors(5)
    kv.add_vectors(table.index_to_key, table.vectors)
    back = load_vectors(save_vectors(kv, tmp_path / "kv.vectab", format="vectab"))
    np.testing.assert_array_equal(back.vectors, table.vectors)


def test_save_overwrites_atomically(tmp_path, table):
    path = save_vectors(table, tmp_path / "v.txt", format="glove")
    save_vectors(Vectors(["x"], np.ones((1, 5), np.float32)), path, format="glove")
    assert load_vectors(path, cache=False).index_to_key == ["x"]
    assert [p.name for p in tmp_path.iterdir()] == ["v.txt"]


def test_vocabulary_filter_keeps_words_with_spaces_and_checks_header(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("4 3\nthe 1 2 3\nat home 4 5 6\nat 7 8 9\nof 1 1 1\n")
    v = load_vectors(path, vocab=["at home", "of"], cache=False)
    assert v.index_to_key == ["at home", "of"]
    np.testing.assert_array_equal(v["at home"], [4, 5, 6])
    assert v.load_report.rows_read == 4


def test_vocabulary_from_a_vectab_tokenizer(tmp_path, table):
    text = pytest.importorskip("vectab.text")
    tokenizer = text.Tokenizer()
    tokenizer.fit_on_texts(["the cat sat on the mat"])
    path = save_vectors(table, tmp_path / "v.bin", format="word2vec-binary")
    assert load_vectors(path, vocab=tokenizer).index_to_key == ["the", "cat"]
