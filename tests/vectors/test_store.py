"""Vectors: the container, and search results equal to gensim's KeyedVectors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vectab.errors import OutOfVocabularyError
from vectab.vectors.store import Vectors

WORDS = [f"w{i}" for i in range(300)]
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def matrix():
    return np.random.default_rng(0).standard_normal((len(WORDS), 16)).astype(np.float32)


@pytest.fixture
def kv(matrix):
    return Vectors(WORDS, matrix.copy())


@pytest.fixture(scope="module")
def gkv(matrix):
    gensim = pytest.importorskip("gensim.models")
    g = gensim.KeyedVectors(matrix.shape[1])
    g.add_vectors(WORDS, matrix)
    return g


def same(ours, theirs):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


class Subwords:
    def word_vector(self, word):
        return np.full(16, float(len(word)), dtype=np.float32)


# ----- container -------------------------------------------------------------------------
def test_container_basics(kv, matrix):
    assert len(kv) == 300 and kv.vector_size == 16
    assert "w3" in kv and "zzz" not in kv
    np.testing.assert_array_equal(kv["w3"], matrix[3])
    np.testing.assert_array_equal(kv.get_vector("w3"), matrix[3])
    assert kv.get("zzz") is None and kv.get("zzz", 7) == 7
    assert kv.key_to_index["w5"] == 5 and kv.index_to_key[5] == "w5"
    assert "300 words x 16 dims" in repr(kv)
    np.testing.assert_allclose(np.linalg.norm(kv.get_vector("w3", norm=True)), 1.0, rtol=1e-6)


def test_oov_raises_key_error(kv):
    with pytest.raises(OutOfVocabularyError, match="zzz") as info:
        kv["zzz"]
    assert isinstance(info.value, KeyError)


def test_subwords_give_oov_vectors(matrix):
    kv = Vectors(WORDS, matrix, subwords=Subwords())
    np.testing.assert_array_equal(kv["abcd"], np.full(16, 4.0))
    assert "abcd" in kv and not kv.has_index_for("abcd")  # gensim: a fastText word with n-grams
    assert kv.most_similar("abcd", topn=3)  # an OOV query works, nothing to exclude


def test_tensor_is_zero_copy(kv):
    t = kv.tensor()
    assert t.data_ptr() == kv.vectors.__array_interface__["data"][0]
    ro = kv.vectors.copy()
    ro.setflags(write=False)
    assert torch.equal(Vectors(WORDS, ro).tensor(), torch.from_numpy(kv.vectors))


def test_norms_cache_is_reset_by_new_vectors(kv, matrix):
    before = kv.norms.copy()
    kv.unit_matrix()
    kv.vectors = matrix * 2
    np.testing.assert_allclose(kv.norms, before * 2, rtol=1e-6)
    np.testing.assert_allclose(kv.unit_matrix().norm(dim=1).numpy(), 1.0, rtol=1e-5)
    kv.vectors[0] = 0.0  # in-place edit: refresh explicitly
    kv.fill_norms(force=True)
    assert kv.norms[0] == 0.0


def test_to_cpu_returns_self(kv):
    assert kv.to("cpu") is kv and kv.device == torch.device("cpu")


def test_save_round_trip(kv, tmp_path):
    from vectab.vectors.io import load_vectors

    path = tmp_path / "v.bin"
    kv.save(path, format="word2vec-binary")
    back = load_vectors(path, cache=False)
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)


@pytest.mark.parametrize(
    "index_to_key, vectors, match",
    [
        (["a"], np.zeros(3), "2-D"),
        (["a", "b"], np.zeros((3, 2)), "must match"),
        (["a", "a"], np.zeros((2, 2)), "duplicate"),
    ],
)
def test_constructor_errors(index_to_key, vectors, match):
    with pytest.raises(ValueError, match=match):
        Vectors(index_to_key, vectors)


# ----- gensim parity ---------------------------------------------------------------------
def test_most_similar_matches_gensim(kv, gkv):
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b, c = rng.choice(WORDS, 3, replace=False).tolist()
        same(kv.most_similar(a), gkv.most_similar(a))
        same(kv.most_similar([b, c], [a], topn=7), gkv.most_similar([b, c], [a], topn=7))
        same(
            kv.most_similar([b, c], [a], restrict_vocab=50),
            gkv.most_similar([b, c], [a], restrict_vocab=50),
        )
        same(
            kv.most_similar([(a, 0.5), b], [(c, -2.0)]),
            gkv.most_similar([(a, 0.5), b], [(c, -2.0)]),
        )
        same(kv.most_similar_cosmul([b, c], [a]), gkv.most_similar_cosmul([b, c], [a]))
        same(kv.most_similar_cosmul(a), gkv.most_similar_cosmul(a))
        same(kv.similar_by_word(a, topn=3), gkv.similar_by_word(a, topn=3))
        assert kv.similarity(a, b) == pytest.approx(float(gkv.similarity(a, b)), abs=1e-6)
        words = rng.choice(WORDS, 6, replace=False).tolist()
        assert kv.doesnt_match(words) == gkv.doesnt_match(words)


def test_similar_by_vector_matches_gensim(kv, gkv, matrix):
    vec = matrix[3] + 0.1
    same(kv.similar_by_vector(vec), gkv.similar_by_vector(vec))


@pytest.mark.parametrize("fast", [False, True])
def test_most_similar_batch_matches_gensim(kv, gkv, fast, monkeypatch):
    monkeypatch.setattr("vectab.vectors.store.FAST_MIN_ELEMENTS", 0)  # IVF path on tiny data
    rows = kv.most_similar_batch(WORDS[:40], topn=5, fast=fast)
    for word, row in zip(WORDS[:40], rows):
        same(row, gkv.most_similar(word, topn=5))


def test_fast_index_is_built_once_and_reset_with_the_vectors(monkeypatch):
    monkeypatch.setattr("vectab.vectors.store.FAST_MIN_ELEMENTS", 0)
    g = np.random.default_rng(4)
    centres = g.standard_normal((30, 24)).astype(np.float32)
    m = centres[g.integers(0, 30, 12000)] + 0.5 * g.standard_normal((12000, 24), np.float32)
    words = [f"v{i}" for i in range(len(m))]
    kv = Vectors(words, m)
    fast = kv.most_similar_batch(words[:200], topn=10, fast=True)
    index = kv._fast
    assert index is not None and index.kind == "ivf"
    kv.most_similar_batch(words[:5], topn=3, fast=True)
    assert kv._fast is index
    exact = kv.most_similar_batch(words[:200], topn=10)
    agree = np.mean([{w for w, _ in a} == {w for w, _ in b} for a, b in zip(fast, exact)])
    assert agree >= 0.99
    assert all(w not in {x for x, _ in row} for w, row in zip(words, fast))
    every_cell = kv.most_similar_batch(words[:50], topn=10, fast=True, nprobe=index.nlist)
    assert every_cell == exact[:50] or all(
        {w for w, _ in a} == {w for w, _ in b} for a, b in zip(every_cell, exact)
    )
    kv.vectors = m * 2
    assert kv._fast is None


@pytest.mark.parametrize(("nprobe", "error"), [(0, ValueError), (-1, ValueError),
                                               (2.5, TypeError), (True, TypeError)])
def test_bad_nprobe(kv, nprobe, error):
    with pytest.raises(error, match="`nprobe`"):
        kv.most_similar_batch(["w1"], topn=3, fast=True, nprobe=nprobe)


def test_topk_cosine_method(kv, matrix):
    scores, ids = kv.topk_cosine(matrix[:4], 3)
    assert ids[:, 0].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(scores[:, 0].numpy(), 1.0, rtol=1e-5)
    _, ids = kv.topk_cosine(matrix[:4], 3, exclude=torch.arange(4))
    assert (ids != torch.arange(4).unsqueeze(1)).all()


def test_topn_zero_and_oov_in_batch(kv):
    assert kv.most_similar("w1", topn=0) == []
    with pytest.raises(OutOfVocabularyError):
        kv.most_similar_batch(["w1", "nope"])


# ----- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(("topn", "error"), [(-1, ValueError), (1.5, TypeError),
                                             ("3", TypeError), (True, TypeError)])
def test_bad_topn(kv, topn, error):
    with pytest.raises(error, match="`topn`"):
        kv.most_similar("w1", topn=topn)
    with pytest.raises(error, match="`topn`"):
        kv.most_similar_cosmul("w1", topn=topn)


@pytest.mark.parametrize(("restrict_vocab", "error"), [(-1, ValueError), ("10", TypeError)])
def test_bad_restrict_vocab(kv, restrict_vocab, error):
    with pytest.raises(error, match="`restrict_vocab`"):
        kv.most_similar("w1", restrict_vocab=restrict_vocab)
    with pytest.raises(error, match="`restrict_vocab`"):
        kv.most_similar_cosmul("w1", restrict_vocab=restrict_vocab)


def test_flags_are_bools(kv):
    with pytest.raises(TypeError, match="`norm` must be True or False"):
        kv.get_vector("w1", norm="no")
    with pytest.raises(TypeError, match="`fast` must be True or False"):
        kv.most_similar_batch(["w1"], fast="no")


@pytest.mark.parametrize("positive", [3.0, {"w1"}, [3.5], [("w1", 1.0, 2)]])  # 3 is a row (gensim)
def test_bad_terms(kv, positive):
    with pytest.raises((TypeError, ValueError), match="term|positive"):
        kv.most_similar(positive)


def test_empty_terms(kv):
    with pytest.raises(ValueError, match="empty"):
        kv.most_similar()
    with pytest.raises(ValueError, match="empty"):
        kv.most_similar_cosmul(negative=["w1"])
    with pytest.raises(ValueError, match="no word"), pytest.warns(UserWarning, match="ignoring"):
        kv.doesnt_match(["nope", "nada"])


def test_bad_vector_and_queries(kv):
    with pytest.raises(ValueError, match="vector"):
        kv.similar_by_vector(np.zeros(3))
    with pytest.raises(ValueError, match="queries"):
        kv.topk_cosine(np.zeros((2, 3)), 1)
    with pytest.raises(TypeError, match="list of words"):
        kv.most_similar_batch("w1")


def test_evaluate_methods_delegate(kv, tmp_path):
    result = kv.evaluate_word_pairs([("w1", "w2", 1.0), ("w1", "w3", 2.0), ("W2", "w3", 3.0)])
    assert result.pairs == 3 and result.oov == 0
    path = tmp_path / "q.txt"
    path.write_text(": s\nw1 w2 w3 w4\nw1 w2 w3 nope\n", encoding="utf8")
    analogies = kv.evaluate_word_analogies(path, restrict_vocab=10)
    assert analogies.questions == 2 and analogies.oov == 1
