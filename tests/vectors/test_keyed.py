"""gensim code ports by changing the import (#13): Vectors answers as gensim's KeyedVectors.

Each test runs the same call on gensim and on vectab, on gensim's own test files, and compares.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from vectab.vectors import KeyedVectors, Vectors, load_vectors

gensim_models = pytest.importorskip("gensim.models")
from gensim.test.utils import datapath  # noqa: E402

EUCLIDEAN = datapath("euclidean_vectors.bin")


@pytest.fixture(scope="module")
def pair():
    """(gensim's KeyedVectors, vectab's Vectors) of the same file."""
    theirs = gensim_models.KeyedVectors.load_word2vec_format(EUCLIDEAN, binary=True)
    ours = KeyedVectors.load_word2vec_format(EUCLIDEAN, binary=True)
    return theirs, ours


def test_topn_none_returns_every_similarity_in_key_order(pair):
    theirs, ours = pair
    expected = theirs.most_similar("war", topn=None)
    got = ours.most_similar("war", topn=None)
    assert isinstance(got, np.ndarray) and got.shape == (len(theirs),)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(
        ours.most_similar_cosmul("war", "peace", topn=None),
        theirs.most_similar_cosmul("war", "peace", topn=None), rtol=1e-4,
    )
    np.testing.assert_allclose(
        ours.most_similar("war", topn=None, restrict_vocab=7),
        theirs.most_similar("war", topn=None, restrict_vocab=7), atol=1e-5,
    )


def test_numpy_topn_and_plain_str_keys(pair):
    theirs, ours = pair
    got = ours.most_similar("war", topn=np.int64(3))
    assert [w for w, _ in got] == [w for w, _ in theirs.most_similar("war", topn=np.int64(3))]
    assert all(type(w) is str and type(s) is float for w, s in got)
    keys = Vectors(np.array(["a", "b", "c"]), np.eye(3, dtype=np.float32)).index_to_key
    assert all(type(k) is str for k in keys)


def test_arrays_and_weighted_terms_as_gensim(pair):
    theirs, ours = pair
    block = theirs.vectors[0:5]
    cases = [
        dict(positive=block),  # a 2-D array: its rows
        dict(positive=block[0]),  # a 1-D array
        dict(positive=[("war", 2.0), "peace"], negative=[("call", 0.5)]),
        dict(positive=[3, "war"]),  # a row index
    ]
    for kwargs in cases:
        expected = theirs.most_similar(topn=5, **kwargs)
        got = ours.most_similar(topn=5, **kwargs)
        assert [w for w, _ in got] == [w for w, _ in expected], kwargs
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-5)


def test_getitem_with_a_list_stacks(pair):
    theirs, ours = pair
    got = ours[["war", "peace"]]
    assert got.shape == (2, ours.vector_size)
    np.testing.assert_array_equal(got, theirs[["war", "peace"]])
    np.testing.assert_array_equal(ours[0], theirs[0])  # an int is a row, as gensim


def test_index_lookups_as_gensim(pair):
    theirs, ours = pair
    for key in ["war", 5, np.int64(7), "zzz-not-there"]:
        assert ours.get_index(key, -1) == theirs.get_index(key, -1)
        assert ours.has_index_for(key) == theirs.has_index_for(key)
        assert (key in ours) == (key in theirs)
    with pytest.raises(KeyError):
        ours.get_index("zzz-not-there")


def test_distances_ranks_means_as_gensim(pair):
    theirs, ours = pair
    np.testing.assert_allclose(ours.distances("war"), theirs.distances("war"), atol=1e-6)
    np.testing.assert_allclose(
        ours.distances("war", ["peace", "call"]), theirs.distances("war", ["peace", "call"]),
        atol=1e-6,
    )
    assert ours.closer_than("war", "israel") == theirs.closer_than("war", "israel")
    assert ours.rank("war", "israel") == theirs.rank("war", "israel")
    assert ours.n_similarity(["war", "peace"], ["call"]) == pytest.approx(
        theirs.n_similarity(["war", "peace"], ["call"]), abs=1e-6
    )
    np.testing.assert_allclose(
        ours.get_mean_vector(["war", "peace"], post_normalize=True),
        theirs.get_mean_vector(["war", "peace"], post_normalize=True), atol=1e-6,
    )
    np.testing.assert_allclose(ours.get_normed_vectors(), theirs.get_normed_vectors(), atol=1e-6)
    assert ours.relative_cosine_similarity("war", "peace") == pytest.approx(
        theirs.relative_cosine_similarity("war", "peace"), abs=1e-6
    )
    assert [w for _, w in ours.rank_by_centrality(["war", "peace", "call"])] == [
        w for _, w in theirs.rank_by_centrality(["war", "peace", "call"])
    ]


def test_evaluate_word_pairs_unpacks_as_gensim(pair):
    theirs, ours = pair
    path = datapath("wordsim353.tsv")
    g_pearson, g_spearman, g_oov = theirs.evaluate_word_pairs(path)
    pearson, spearman, oov_ratio = ours.evaluate_word_pairs(path)
    np.testing.assert_allclose(pearson, tuple(g_pearson), rtol=1e-6)  # (statistic, pvalue)
    np.testing.assert_allclose(spearman, tuple(g_spearman), rtol=1e-6)
    assert oov_ratio == pytest.approx(g_oov)
    result = ours.evaluate_word_pairs(path)
    assert result.spearman == spearman.statistic and result.pearson_pvalue == pearson[1]
    assert f"{result.pearson:.3f}" == f"{g_pearson[0]:.3f}"  # the attributes stay floats
    copied = copy.deepcopy(result)
    assert copied == result and copied.to_dict() == result.to_dict()
    with pytest.raises(AttributeError, match="read-only"):
        result.pearson = 0.0


def test_correlation_pvalues_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    from vectab.vectors.evaluate import _pvalue

    rng = np.random.default_rng(0)
    for n in [3, 4, 10, 57, 300]:
        x = rng.standard_normal(n)
        y = x * rng.uniform(0, 2) + rng.standard_normal(n)
        r, p = stats.pearsonr(x, y)
        assert _pvalue(float(r), n) == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert _pvalue(1.0, 10) == 0.0 and _pvalue(0.0, 10) == pytest.approx(1.0)


def test_evaluate_word_analogies_unpacks_as_gensim(pair):
    theirs, ours = pair
    path = datapath("questions-words.txt")
    g_score, g_sections = theirs.evaluate_word_analogies(path, restrict_vocab=2000)
    score, sections = ours.evaluate_word_analogies(path, restrict_vocab=2000)
    assert score == pytest.approx(g_score)
    assert [s["section"] for s in sections] == [s["section"] for s in g_sections]
    for mine, gs in zip(sections, g_sections):
        assert mine["correct"] == gs["correct"] and mine["incorrect"] == gs["incorrect"]
    with pytest.raises(KeyError, match="gensim keys"):
        sections[0]["wrong"]
    result = ours.evaluate_word_analogies(path, restrict_vocab=2000)
    assert copy.deepcopy(result).to_dict() == result.to_dict()


def test_fasttext_oov_words_as_gensim():
    fasttext = pytest.importorskip("gensim.models.fasttext")
    path = datapath("lee_fasttext.bin")
    theirs = fasttext.load_facebook_vectors(path)
    ours = load_vectors(path)
    for word in ["nights", "night", "landlordship", "zz"]:
        assert (word in ours) == (word in theirs), word
        assert ours.has_index_for(word) == theirs.has_index_for(word)
        np.testing.assert_allclose(ours[word], theirs[word], atol=1e-6)
    expected = [w for w, _ in theirs.most_similar("nightss", topn=5)]
    assert [w for w, _ in ours.most_similar("nightss", topn=5)] == expected


def test_empty_table_and_adding_rows_as_gensim():
    theirs, ours = gensim_models.KeyedVectors(3), Vectors(3)
    rows = np.arange(6, dtype=np.float64).reshape(2, 3)
    for kv in (theirs, ours):
        kv.add_vectors(["a", "b"], rows)
        kv["c"] = np.ones(3)
        kv[["a", "d"]] = [np.array([1.0, 0.0, 0.0]), np.full(3, 2.0)]
        kv.add_vector("e", np.full(3, 5.0))
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert ours.vectors.dtype == np.float32
    assert [w for w, _ in ours.most_similar("d")] == [w for w, _ in theirs.most_similar("d")]


def test_fvocab_and_word2vec_files_read_by_gensim(tmp_path):
    rng = np.random.default_rng(0)
    ours = Vectors(["x", "y", "z"], rng.standard_normal((3, 4)).astype(np.float32))
    for word, count in zip(ours.index_to_key, [5, 9, 7]):
        ours.set_vecattr(word, "count", count)
    for binary in (False, True):
        path, vocab = tmp_path / f"v{binary}.w2v", tmp_path / f"v{binary}.vocab"
        ours.save_word2vec_format(path, fvocab=vocab, binary=binary, prefix="p_")
        theirs = gensim_models.KeyedVectors.load_word2vec_format(
            str(path), fvocab=str(vocab), binary=binary
        )
        back = Vectors.load_word2vec_format(path, fvocab=vocab, binary=binary)
        assert back.index_to_key == theirs.index_to_key == ["p_y", "p_z", "p_x"]  # by count
        np.testing.assert_array_equal(back.vectors, theirs.vectors)
        assert [back.get_vecattr(w, "count") for w in back.index_to_key] == [9, 7, 5]
        assert [theirs.get_vecattr(w, "count") for w in theirs.index_to_key] == [9, 7, 5]


def test_save_word2vec_format_refusals(tmp_path):
    kv = Vectors(["a"], np.ones((1, 2), np.float32))
    with pytest.raises(ValueError, match="`append=True`"):
        kv.save_word2vec_format(tmp_path / "x", append=True)
    with pytest.raises(ValueError, match="`total_vec`"):
        kv.save_word2vec_format(tmp_path / "x", total_vec=5)
    with pytest.raises(ValueError, match="count"):
        kv.save_word2vec_format(tmp_path / "x", fvocab=tmp_path / "v")  # no counts
    with pytest.raises(TypeError, match="`binary`"):
        kv.save_word2vec_format(tmp_path / "x", binary="yes")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_load_vectors_binary_hint(tmp_path):
    text = tmp_path / "v.txt"
    text.write_text("2 2\na 1 2\nb 3 4\n")
    assert load_vectors(text, binary=False, cache=False).index_to_key == ["a", "b"]
    with pytest.raises(ValueError, match="`binary` is True"):
        load_vectors(text, binary=True, cache=False)
    assert load_vectors(EUCLIDEAN, binary=True).vectors.shape == (2747, 10)
    with pytest.raises(ValueError, match="`binary` is False"):
        load_vectors(EUCLIDEAN, binary=False)


def test_intersect_word2vec_format_as_gensim(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("3 10\n" + "".join(
        f"{w} {' '.join(['0.5'] * 10)}\n" for w in ["war", "zzz-new", "peace"]
    ))
    theirs = gensim_models.KeyedVectors.load_word2vec_format(EUCLIDEAN, binary=True)
    theirs.vectors_lockf = np.ones(len(theirs), dtype=np.float32)  # as a Word2Vec model's
    theirs.intersect_word2vec_format(str(other), lockf=0.0)
    ours = Vectors.load_word2vec_format(EUCLIDEAN, binary=True)
    assert ours.intersect_word2vec_format(other, lockf=0.0) == 2
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    np.testing.assert_array_equal(ours.vectors_lockf, theirs.vectors_lockf)
    assert "zzz-new" not in ours
    assert ours.most_similar("war", topn=1)[0][0] == "peace"  # the search sees the new rows


def test_load_reads_what_save_wrote(tmp_path):
    kv = Vectors(["a", "b"], np.array([[1, 2], [3, 4]], np.float32))
    for fmt in ("word2vec", "word2vec-binary", "vectab"):
        back = Vectors.load(kv.save(tmp_path / f"v.{fmt}", format=fmt))
        assert back.index_to_key == kv.index_to_key
        np.testing.assert_array_equal(back.vectors, kv.vectors)


def test_constructor_errors():
    with pytest.raises(ValueError, match="`index_to_key`"):
        Vectors(-1)
    with pytest.raises(TypeError, match="`vector_size`"):
        Vectors(["a"], np.ones((1, 2)), vector_size=2)
    with pytest.raises(TypeError, match="`vectors`"):
        Vectors(["a"])
    assert Path(EUCLIDEAN).exists()
