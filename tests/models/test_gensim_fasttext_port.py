"""gensim's test_fasttext.py (gensim 4), ported to vectab's FastText and fastText readers.

gensim's assertions are kept as gensim wrote them; only names and imports are adapted:
``FT_gensim`` -> vectab's ``FastText``; ``model.wv.vectors_vocab`` / ``vectors_ngrams`` /
``bucket`` -> ``model.vectors_vocab`` / ``model.vectors_ngrams`` / ``model.bucket``;
``wv.get_vecattr(w, 'count')`` -> ``count(model, w)``; ``wv.adjust_vectors()`` ->
``model._sync_tables()``; ``save_facebook_model(model, path)`` -> ``model.save_facebook_model``;
``load_facebook_model`` of a Facebook file used only to read vectors -> ``load_vectors``.
vectab's FastText has no hierarchical softmax (``hs=1`` raises), so gensim's tests that train
with ``hs=1, negative=0`` only to exercise the model run here with ``hs=0, negative=5``
(marked "hs -> negative" beside them); ``min_count=0`` (gensim treats it as 1) is written 1.

Not ported, each with its reason:

- test_load_fasttext_format, test_load_fasttext_new_format, test_load_model_supervised,
  test_load_model_with_non_ascii_vocab, test_load_model_non_utf8_encoding, UnicodeVocabTest,
  TestFromfile, UnpackTest: gensim's own .bin loader internals (``_fasttext_bin``, ``_unpack``)
  and loading Facebook models for training; vectab reads .bin files as vectors
  (tests/vectors cover its reader).
- test_wm_distance: Word Mover's Distance (POT) is not part of vectab.
- test_n_similarity and the ``n_similarity`` call of online_sanity: vectab's Vectors has no
  ``n_similarity``; online_sanity's single-word call equals ``similarity`` and is ported so.
- test_estimate_memory: vectab has no ``estimate_memory``.
- test_vectors_for_all_with_inference / _without_inference, FastTextKeyedVectorsTest
  (add_vector / add_vectors): FastTextKeyedVectors methods vectab's Vectors does not have.
- test_sg_hs_online, test_cbow_hs_online, test_cbow_hs_training(_fromfile),
  test_sg_hs_training(_fromfile): hierarchical softmax is not implemented (``hs=1`` raises).
- NativeTrainingContinuationTest test_continuation_native, test_save_load_native,
  test_load_native_pretrained, test_no_ngrams: continue training a Facebook ``.bin`` loaded as
  a model; vectab loads .bin files as vectors only (the vectors of those files are ported
  below through load_vectors).
- HashCompatibilityTest: gensim's ``compatible_hash`` flag of old pickles; vectab has one hash.
- NgramsTest.test_text_cy(_wide_unicode): gensim's character (not byte) n-grams, which neither
  fastText nor vectab uses for hashing; test_bytes_cy and test_fb are ported.
- SaveFacebookByteIdentityTest, SaveFacebookFormatReadingTest: need the ``fasttext`` binary.
"""

from __future__ import annotations

import numpy as np
import pytest

from vectab.models import FastText as FT_gensim
from vectab.vectors import load_vectors
from vectab.vectors.formats.fasttext import _utf8_ngrams

pytest.importorskip("gensim", reason="gensim's test data and reference loader")
import gensim.models.fasttext  # noqa: E402
from gensim.models.keyedvectors import KeyedVectors  # noqa: E402
from gensim.models.word2vec import LineSentence  # noqa: E402
from gensim.test.utils import common_texts as sentences  # noqa: E402
from gensim.test.utils import datapath  # noqa: E402
from gensim.test.utils import lee_corpus_list as list_corpus  # noqa: E402

BUCKET = 10000
MAX_WORDVEC_COMPONENT_DIFFERENCE = 1.0e-10

new_sentences = [
    ['computer', 'artificial', 'intelligence'],
    ['artificial', 'trees'],
    ['human', 'intelligence'],
    ['artificial', 'graph'],
    ['intelligence'],
    ['artificial', 'intelligence', 'system']
]

with open(datapath('toy-data.txt')) as fin:
    TOY_SENTENCES = [fin.read().strip().split(' ')]


def count(model, word):
    return int(model.counts[model.wv.key_to_index[word]])


def save_as_line_sentence(corpus, path):
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(" ".join(s) + "\n" for s in corpus)


def model_structural_sanity(model):
    """Check a model for basic self-consistency (gensim's model_structural_sanity; the lockf
    arrays gensim checks do not exist in vectab)."""
    assert model.wv.vectors.shape == (len(model.wv), model.vector_size)
    assert model.vectors_vocab.shape == (len(model.wv), model.vector_size)
    assert model.vectors_ngrams.shape == (model.bucket, model.vector_size)
    assert np.isfinite(model.vectors_ngrams).all(), "NaN in ngrams"
    assert np.isfinite(model.vectors_vocab).all(), "NaN in vectors_vocab"
    if model.negative:
        assert np.isfinite(model.syn1neg).all(), "NaN in syn1neg"


def models_equal(model, model2):
    assert len(model.wv) == len(model2.wv)
    assert model.bucket == model2.bucket
    assert np.allclose(model.vectors_vocab, model2.vectors_vocab)
    assert np.allclose(model.vectors_ngrams, model2.vectors_ngrams)
    assert np.allclose(model.wv.vectors, model2.wv.vectors)
    if model.negative:
        assert np.allclose(model.syn1neg, model2.syn1neg)
    most_common_word = max(model.wv.key_to_index, key=lambda word: count(model, word))[0]
    assert np.allclose(model.wv[most_common_word], model2.wv[most_common_word])


# ----------------------------------------------------------------------- TestFastTextModel
def _check_trained(model):
    sims = model.wv.most_similar('graph', topn=10)
    assert model.wv.vectors.shape == (12, 12)
    assert len(model.wv) == 12
    assert model.vectors_vocab.shape[1] == 12
    assert model.vectors_ngrams.shape[1] == 12
    model_structural_sanity(model)
    # test querying for "most similar" by vector
    graph_vector = model.wv.get_vector('graph', norm=True)
    sims2 = model.wv.most_similar(positive=[graph_vector], topn=11)
    sims2 = [(w, sim) for w, sim in sims2 if w != 'graph']  # ignore 'graph' itself
    assert [w for w, _ in sims] == [w for w, _ in sims2]
    np.testing.assert_allclose([s for _, s in sims], [s for _, s in sims2], atol=1e-6)
    # verify oov-word vector retrieval
    invocab_vec = model.wv['minors']  # invocab word
    assert len(invocab_vec) == 12
    oov_vec = model.wv['minor']  # oov word
    assert len(oov_vec) == 12


def test_training():  # hs -> negative
    model = FT_gensim(vector_size=12, min_count=1, hs=0, negative=5, seed=42, workers=1,
                      bucket=BUCKET)
    model.build_vocab(sentences)
    model_structural_sanity(model)
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    _check_trained(model)
    # build vocab and train in one step; must be the same as above
    model2 = FT_gensim(sentences, vector_size=12, min_count=1, hs=0, negative=5, seed=42,
                       workers=1, bucket=BUCKET)
    models_equal(model, model2)


def test_fast_text_train_parameters():  # hs -> negative
    model = FT_gensim(vector_size=12, min_count=1, hs=0, negative=5, seed=42, workers=1,
                      bucket=BUCKET)
    model.build_vocab(sentences)
    with pytest.raises(TypeError):
        model.train(corpus_file=11111, total_examples=1, epochs=1)
    with pytest.raises(TypeError):
        model.train(corpus_iterable=11111, total_examples=1, epochs=1)
    with pytest.raises(TypeError):
        model.train(corpus_iterable=sentences, corpus_file='test', total_examples=1, epochs=1)
    with pytest.raises(TypeError):
        model.train(corpus_iterable=None, corpus_file=None, total_examples=1, epochs=1)
    with pytest.raises(TypeError):
        model.train(corpus_file=sentences, total_examples=1, epochs=1)


def test_training_fromfile(tmp_path):  # hs -> negative
    corpus_file = tmp_path / 'gensim_fasttext.tst'
    save_as_line_sentence(sentences, corpus_file)
    model = FT_gensim(vector_size=12, min_count=1, hs=0, negative=5, seed=42, workers=1,
                      bucket=BUCKET)
    model.build_vocab(corpus_file=corpus_file)
    model_structural_sanity(model)
    model.train(corpus_file=corpus_file, total_words=model.corpus_total_words,
                epochs=model.epochs)
    _check_trained(model)


@pytest.mark.parametrize("fromfile", [False, True])
def test_persistence(tmp_path, fromfile):  # test_persistence, test_persistence_fromfile
    # (the KeyedVectors-only half, FastTextKeyedVectors.save/load, has no vectab counterpart:
    # Vectors.save writes word vectors; the n-gram table travels in the model or the .bin)
    tmpf = tmp_path / 'gensim_fasttext.tst'
    if fromfile:
        corpus_file = tmp_path / 'gensim_fasttext1.tst'
        save_as_line_sentence(sentences, corpus_file)
        model = FT_gensim(corpus_file=corpus_file, min_count=1, bucket=BUCKET)
    else:
        model = FT_gensim(sentences, min_count=1, bucket=BUCKET)
    model.save(tmpf)
    models_equal(model, FT_gensim.load(tmpf))


# tests on Facebook's lee_fasttext.bin, read by vectab's loader
@pytest.fixture(scope="module")
def test_model_wv():
    return load_vectors(datapath('lee_fasttext.bin'))


def test_oov_similarity(test_model_wv):
    word = 'someoovword'
    most_similar = test_model_wv.most_similar(word)
    top_neighbor, top_similarity = most_similar[0]
    v1 = test_model_wv[word]
    v2 = test_model_wv[top_neighbor]
    top_similarity_direct = KeyedVectors.cosine_similarities(v1, v2.reshape(1, -1))[0]
    assert top_similarity == pytest.approx(top_similarity_direct, abs=1e-6)


def test_similarity(test_model_wv):
    # In vocab, sanity check
    assert np.allclose(test_model_wv.similarity('the', 'the'), 1.0)
    assert test_model_wv.similarity('the', 'and') == test_model_wv.similarity('and', 'the')
    # Out of vocab check
    assert np.allclose(test_model_wv.similarity('nights', 'nights'), 1.0)
    assert test_model_wv.similarity('night', 'nights') == test_model_wv.similarity(
        'nights', 'night')


def test_most_similar(test_model_wv):
    # In vocab, sanity check
    assert len(test_model_wv.most_similar(positive=['the', 'and'], topn=5)) == 5
    assert test_model_wv.most_similar('the') == test_model_wv.most_similar(positive=['the'])
    # Out of vocab check
    assert len(test_model_wv.most_similar(['night', 'nights'], topn=5)) == 5
    assert test_model_wv.most_similar('nights') == test_model_wv.most_similar(positive=['nights'])


def test_most_similar_cosmul(test_model_wv):
    wv = test_model_wv
    # In vocab, sanity check
    assert len(wv.most_similar_cosmul(positive=['the', 'and'], topn=5)) == 5
    assert wv.most_similar_cosmul('the') == wv.most_similar_cosmul(positive=['the'])
    # Out of vocab check
    assert len(wv.most_similar_cosmul(['night', 'nights'], topn=5)) == 5
    assert wv.most_similar_cosmul('nights') == wv.most_similar_cosmul(positive=['nights'])
    assert wv.most_similar_cosmul('the', 'and') == wv.most_similar_cosmul(
        positive=['the'], negative=['and'])


def test_lookup(test_model_wv):
    # In vocab, sanity check
    assert 'night' in test_model_wv.key_to_index
    assert np.allclose(test_model_wv['night'], test_model_wv[['night']])
    # Out of vocab check
    assert 'nights' not in test_model_wv.key_to_index
    assert np.allclose(test_model_wv['nights'], test_model_wv[['nights']])


def test_contains(test_model_wv):
    # In vocab, sanity check
    assert 'night' in test_model_wv.key_to_index
    assert 'night' in test_model_wv
    # Out of vocab check
    assert not test_model_wv.has_index_for('nights')
    assert 'nights' not in test_model_wv.key_to_index
    assert 'nights' in test_model_wv


# ----------------------------------------------------------------------- training on Lee
CBOW_EXPECTED = ['night.', 'night,', 'eight', 'fight', 'month', 'hearings', 'Washington',
                 'remains', 'overnight', 'running']
SG_EXPECTED = ['night.', 'night,', 'eight', 'overnight', 'overnight.', 'month', 'land', 'firm',
               'singles', 'death']


def _neg_training(sg, fromfile, tmp_path):
    model_gensim = FT_gensim(
        vector_size=48, sg=sg, cbow_mean=1, alpha=0.05 if sg == 0 else 0.025, window=5, hs=0,
        negative=5, min_count=5, epochs=10, batch_words=1000, word_ngrams=1, sample=1e-3,
        min_n=3, max_n=6, sorted_vocab=1, workers=1, min_alpha=0.0,
        bucket=BUCKET if sg == 0 else BUCKET * 4)
    if fromfile:
        corpus_file = tmp_path / 'gensim_fasttext.tst'
        lee_data = LineSentence(datapath('lee_background.cor'))
        save_as_line_sentence(lee_data, corpus_file)
        model_gensim.build_vocab(corpus_file=corpus_file)
        orig0 = np.copy(model_gensim.wv.vectors[0])
        model_gensim.train(corpus_file=corpus_file, total_words=model_gensim.corpus_total_words,
                           epochs=model_gensim.epochs)
    else:
        lee_data = list(LineSentence(datapath('lee_background.cor')))
        model_gensim.build_vocab(lee_data)
        orig0 = np.copy(model_gensim.wv.vectors[0])
        model_gensim.train(lee_data, total_examples=model_gensim.corpus_count,
                           epochs=model_gensim.epochs)
    assert not (orig0 == model_gensim.wv.vectors[0]).all()  # vector should vary after training
    sims_gensim = model_gensim.wv.most_similar('night', topn=10)
    sims_gensim_words = [word for (word, distance) in sims_gensim]  # get similar words
    expected_sims_words = SG_EXPECTED if sg else CBOW_EXPECTED
    overlaps = set(sims_gensim_words).intersection(expected_sims_words)
    overlap_count = len(overlaps)
    assert overlap_count >= 2, (
        f"only {overlap_count} overlap in expected {expected_sims_words} & actual "
        f"{sims_gensim_words}")


@pytest.mark.slow
def test_cbow_neg_training(tmp_path):
    _neg_training(0, False, tmp_path)


@pytest.mark.slow
def test_cbow_neg_training_fromfile(tmp_path):
    _neg_training(0, True, tmp_path)


@pytest.mark.slow
def test_sg_neg_training(tmp_path):
    _neg_training(1, False, tmp_path)


@pytest.mark.slow
def test_sg_neg_training_fromfile(tmp_path):
    _neg_training(1, True, tmp_path)


# ----------------------------------------------------------------------- online learning
def test_online_learning():  # hs -> negative
    model_hs = FT_gensim(sentences, vector_size=12, min_count=1, seed=42, hs=0, negative=5,
                         bucket=BUCKET)
    assert len(model_hs.wv) == 12
    assert count(model_hs, 'graph') == 3
    model_hs.build_vocab(new_sentences, update=True)  # update vocab
    assert len(model_hs.wv) == 14
    assert count(model_hs, 'graph') == 4
    assert count(model_hs, 'artificial') == 4


def test_online_learning_fromfile(tmp_path):  # hs -> negative
    corpus_file, new_corpus_file = tmp_path / 'a.tst', tmp_path / 'b.tst'
    save_as_line_sentence(sentences, corpus_file)
    save_as_line_sentence(new_sentences, new_corpus_file)
    model_hs = FT_gensim(corpus_file=corpus_file, vector_size=12, min_count=1, seed=42, hs=0,
                         negative=5, bucket=BUCKET)
    assert len(model_hs.wv), 12
    assert count(model_hs, 'graph'), 3
    model_hs.build_vocab(corpus_file=new_corpus_file, update=True)  # update vocab
    assert len(model_hs.wv) == 14
    assert count(model_hs, 'graph'), 4
    assert count(model_hs, 'artificial'), 4


@pytest.mark.parametrize("fromfile", [False, True])
def test_online_learning_after_save(tmp_path, fromfile):  # (and _fromfile); min_count 0 -> 1
    tmpf = tmp_path / 'gensim_fasttext.tst'
    if fromfile:
        corpus_file, new_corpus_file = tmp_path / 'a.tst', tmp_path / 'b.tst'
        save_as_line_sentence(sentences, corpus_file)
        save_as_line_sentence(new_sentences, new_corpus_file)
        model_neg = FT_gensim(corpus_file=corpus_file, vector_size=12, min_count=1, seed=42,
                              hs=0, negative=5, bucket=BUCKET)
    else:
        model_neg = FT_gensim(sentences, vector_size=12, min_count=1, seed=42, hs=0, negative=5,
                              bucket=BUCKET)
    model_neg.save(tmpf)
    model_neg = FT_gensim.load(tmpf)
    assert len(model_neg.wv), 12
    if fromfile:
        model_neg.build_vocab(corpus_file=new_corpus_file, update=True)  # update vocab
        model_neg.train(corpus_file=new_corpus_file, total_words=model_neg.corpus_total_words,
                        epochs=model_neg.epochs)
    else:
        model_neg.build_vocab(new_sentences, update=True)  # update vocab
        model_neg.train(new_sentences, total_examples=model_neg.corpus_count,
                        epochs=model_neg.epochs)
    assert len(model_neg.wv) == 14


def test_online_learning_through_ft_format_saves(tmp_path):  # min_count 0 -> 1
    # vectab writes the .bin; gensim loads it, continues training and writes it again
    tmpf = str(tmp_path / 'gensim_ft_format.tst')
    model = FT_gensim(sentences, vector_size=12, min_count=1, seed=42, hs=0, negative=5,
                      bucket=BUCKET)
    model.save_facebook_model(tmpf)
    model_reload = gensim.models.fasttext.load_facebook_model(tmpf)
    assert len(model_reload.wv), 12
    assert len(model_reload.wv) == len(model_reload.wv.vectors)
    assert len(model_reload.wv) == len(model_reload.wv.vectors_vocab)
    model_reload.build_vocab(new_sentences, update=True)  # update vocab
    model_reload.train(new_sentences, total_examples=model_reload.corpus_count,
                       epochs=model_reload.epochs)
    assert len(model_reload.wv) == 14
    assert len(model_reload.wv) == len(model_reload.wv.vectors)
    assert len(model_reload.wv) == len(model_reload.wv.vectors_vocab)
    tmpf2 = str(tmp_path / 'gensim_ft_format2.tst')
    gensim.models.fasttext.save_facebook_model(model_reload, tmpf2)


def online_sanity(model):
    terro, others = [], []
    for line in list_corpus:
        if 'terrorism' in line:
            terro.append(line)
        else:
            others.append(line)
    assert all('terrorism' not in line for line in others)
    model.build_vocab(others)
    start_vecs = model.vectors_vocab.copy()
    model.train(others, total_examples=model.corpus_count, epochs=model.epochs)
    # checks that `vectors_vocab` has been changed by training
    assert not np.all(np.equal(start_vecs, model.vectors_vocab))
    # checks that `vectors` is different from `vectors_vocab`
    assert not np.all(np.equal(model.wv.vectors, model.vectors_vocab))
    assert 'terrorism' not in model.wv.key_to_index
    model.build_vocab(terro, update=True)  # update vocab
    assert model.vectors_ngrams.dtype == 'float32'
    assert 'terrorism' in model.wv.key_to_index
    orig0_all = np.copy(model.vectors_ngrams)
    model.train(terro, total_examples=len(terro), epochs=model.epochs)
    assert not np.allclose(model.vectors_ngrams, orig0_all)
    sim = model.wv.similarity('war', 'terrorism')  # gensim: n_similarity(['war'], ['terrorism'])
    assert abs(sim) > 0.6


def test_sg_neg_online():
    model = FT_gensim(sg=1, window=2, hs=0, negative=5, min_count=3, epochs=1, seed=42,
                      workers=1, bucket=BUCKET)
    online_sanity(model)


def test_cbow_neg_online():
    model = FT_gensim(sg=0, cbow_mean=1, alpha=0.05, window=2, hs=0, negative=5, min_count=5,
                      epochs=1, seed=42, workers=1, sample=0, bucket=BUCKET)
    online_sanity(model)


def test_get_vocab_word_vecs():
    model = FT_gensim(vector_size=12, min_count=1, seed=42, bucket=BUCKET)
    model.build_vocab(sentences)
    original_syn0_vocab = np.copy(model.vectors_vocab)
    model._sync_tables()
    assert np.all(np.equal(model.vectors_vocab, original_syn0_vocab))


def test_persistence_word2vec_format(tmp_path):
    """Test storing/loading the model in word2vec format."""
    tmpf = tmp_path / 'gensim_fasttext_w2v_format.tst'
    model = FT_gensim(sentences, min_count=1, vector_size=12, bucket=BUCKET)
    model.wv.save(tmpf, format="word2vec-binary")
    loaded_model_kv = KeyedVectors.load_word2vec_format(str(tmpf), binary=True)
    assert len(model.wv) == len(loaded_model_kv)
    assert np.allclose(model.wv['human'], loaded_model_kv['human'])


def test_bucket_ngrams():
    model = FT_gensim(vector_size=12, min_count=1, bucket=20)
    model.build_vocab(sentences)
    assert model.vectors_ngrams.shape == (20, 12)
    model.build_vocab(new_sentences, update=True)
    assert model.vectors_ngrams.shape == (20, 12)


@pytest.mark.slow  # the default bucket=2,000,000: an 800 MB n-gram table saved and loaded
def test_negative_ns_exp(tmp_path):
    """The model should accept a negative ns_exponent as a valid value."""
    model = FT_gensim(sentences, ns_exponent=-1, min_count=1, workers=1)
    tmpf = tmp_path / 'fasttext_negative_exp.tst'
    model.save(tmpf)
    loaded_model = FT_gensim.load(tmpf)
    loaded_model.train(sentences, total_examples=model.corpus_count, epochs=1)
    assert loaded_model.ns_exponent == -1, loaded_model.ns_exponent


# ----------------------------------------------------------------------- NativeTrainingContinuation
def train_gensim(bucket=100, min_count=5):
    # Set parameters to match those in the load_native function
    model = FT_gensim(bucket=bucket, vector_size=5, alpha=0.05, workers=1, sample=0.0001,
                      min_count=min_count)
    model.build_vocab(TOY_SENTENCES)
    model.train(TOY_SENTENCES, total_examples=len(TOY_SENTENCES), epochs=model.epochs)
    return model


def load_native():
    # trained using: ./fasttext cbow -input toy-data.txt -output toy-model -bucket 100 -dim 5
    return gensim.models.fasttext.load_facebook_model(datapath('toy-model.bin'))


def load_vec(fin):
    fin.readline()  # array shape
    for line in fin:
        columns = line.strip().split(' ')
        word = columns.pop(0)
        vector = [float(c) for c in columns]
        yield word, np.array(vector, dtype=np.float32)


OOV_EXPECTED = {
    "quick": [0.023393, 0.11499, 0.11684, -0.13349, 0.022543],
    "brown": [0.015288, 0.050404, -0.041395, -0.090371, 0.06441],
    "fox": [0.061692, 0.082914, 0.020081, -0.039159, 0.03296],
    "jumps": [0.070107, 0.081465, 0.051763, 0.012084, 0.0050402],
    "over": [0.055023, 0.03465, 0.01648, -0.11129, 0.094555],
    "lazy": [-0.022103, -0.020126, -0.033612, -0.049473, 0.0054174],
    "dog": [0.084983, 0.09216, 0.020204, -0.13616, 0.01118],
}


def test_native_in_vocab():  # NativeTrainingContinuationTest.test_in_vocab, vectab's reader
    native = load_vectors(datapath('toy-model.bin'))
    with open(datapath('toy-model.vec'), encoding='utf-8') as fin:
        expected = dict(load_vec(fin))
    for word, expected_vector in expected.items():
        actual_vector = native.get_vector(word)
        assert np.allclose(expected_vector, actual_vector, atol=1e-5)


def test_native_out_of_vocab():  # NativeTrainingContinuationTest.test_out_of_vocab
    native = load_vectors(datapath('toy-model.bin'))
    for word, expected_vector in OOV_EXPECTED.items():
        actual_vector = native.get_vector(word)
        assert np.allclose(np.array(expected_vector, np.float32), actual_vector, atol=1e-5)


def test_sanity():
    """Compare models trained on toy data.  They should be equal (vocabulary, shapes)."""
    trained = train_gensim()
    native = load_native()
    assert trained.bucket == native.wv.bucket
    # compare_wv
    a_count = {key: count(trained, key) for key in trained.wv.key_to_index}
    b_count = {key: native.wv.get_vecattr(key, 'count') for key in native.wv.key_to_index}
    assert a_count == b_count
    assert trained.wv.vectors.shape == native.wv.vectors.shape
    assert trained.vectors_vocab.shape == native.wv.vectors_vocab.shape
    # compare_vocabulary (null_word and raw_vocab: gensim-only attributes)
    assert trained.max_vocab_size == native.max_vocab_size
    assert trained.min_count == native.min_count
    assert trained.sample == native.sample
    assert trained.sorted_vocab == native.sorted_vocab
    assert np.allclose(trained.cum_table, native.cum_table)
    assert trained.max_final_vocab == native.max_final_vocab
    assert trained.ns_exponent == native.ns_exponent
    # compare_nn
    assert trained.syn1neg.shape == native.syn1neg.shape
    model_structural_sanity(trained)


def test_continuation_gensim():
    """Ensure that continued training has had a measurable effect."""
    model = train_gensim(min_count=1)  # gensim: min_count=0
    model_structural_sanity(model)
    vectors_ngrams_before = np.copy(model.vectors_ngrams)
    word = 'human'
    old_vector = model.wv.get_vector(word).tolist()
    model.train(list_corpus, total_examples=len(list_corpus), epochs=model.epochs)
    vectors_ngrams_after = np.copy(model.vectors_ngrams)
    assert not np.allclose(vectors_ngrams_before, vectors_ngrams_after)
    new_vector = model.wv.get_vector(word).tolist()
    assert old_vector != new_vector
    model_structural_sanity(model)


def test_save_load_gensim(tmp_path):
    """Test that serialization works end-to-end.  Not crashing is a success."""
    model_name = tmp_path / 'test_ft_saveload_native.model'
    train_gensim().save(model_name)
    model = FT_gensim.load(model_name)
    model_structural_sanity(model)
    model.train(list_corpus, total_examples=len(list_corpus), epochs=model.epochs)
    model.save(model_name)
    model_structural_sanity(model)


def test_load_native_pretrained():  # vectors only, through vectab's reader
    wv = load_vectors(datapath('toy-model-pretrained.bin'))
    actual = wv['monarchist']
    expected = np.array([0.76222, 1.0669, 0.7055, -0.090969, -0.53508])
    assert np.allclose(expected, actual, atol=10e-4)
    # not gensim's: the file's empty word (entry 23 of 24) loads as gensim's loader keeps it
    theirs = gensim.models.fasttext.load_facebook_vectors(datapath('toy-model-pretrained.bin'))
    assert wv.index_to_key == theirs.index_to_key and '' in wv.key_to_index
    np.testing.assert_array_equal(wv.vectors, theirs.vectors)
    np.testing.assert_array_equal(wv['monarchist'], theirs['monarchist'])


def test_load_native_vectors():
    fbkv = load_vectors(datapath("crime-and-punishment.bin"))
    assert 'landlord' not in fbkv.key_to_index
    assert 'landlady' in fbkv.key_to_index
    oov_vector = fbkv['landlord']
    iv_vector = fbkv['landlady']
    assert not np.allclose(oov_vector, iv_vector)


# ----------------------------------------------------------------------- FTHashResultsTest
@pytest.fixture(scope="module")
def crime():
    # ./fasttext skipgram -minCount 0 -bucket 100 -input crime-and-punishment.txt -dim 5
    with open(datapath('crime-and-punishment.vec'), encoding='utf-8') as fin:
        expected = dict(load_vec(fin))
    return load_vectors(datapath('crime-and-punishment.bin')), expected


def test_hash_ascii(crime):
    model, expected = crime
    word = 'landlady'
    assert np.allclose(expected[word], model[word], atol=1e-5)


def test_hash_unicode(crime):
    model, expected = crime
    word = 'хозяйка'
    assert np.allclose(expected[word], model[word], atol=1e-5)


def test_hash_out_of_vocab(crime):
    model, _ = crime
    longword = 'rechtsschutzversicherungsgesellschaften'  # many ngrams
    expected = {
        'steamtrain': np.array([0.031988, 0.022966, 0.059483, 0.094547, 0.062693]),
        'паровоз': np.array([-0.0033987, 0.056236, 0.036073, 0.094008, 0.00085222]),
        longword: np.array([-0.012889, 0.029756, 0.018020, 0.099077, 0.041939]),
    }
    actual = {w: model[w] for w in expected}
    assert np.allclose(expected['steamtrain'], actual['steamtrain'], atol=1e-5)
    assert np.allclose(expected['паровоз'], actual['паровоз'], atol=1e-5)
    assert np.allclose(expected[longword], actual[longword], atol=1e-5)


# ----------------------------------------------------------------------- NgramsTest
EXPECTED_BYTES = {
    'test': [b'<te', b'<tes', b'<test', b'tes', b'test', b'test>', b'est', b'est>', b'st>'],
    'at the': [
        b'<at', b'<at ', b'<at t', b'at ', b'at t', b'at th', b't t',
        b't th', b't the', b' th', b' the', b' the>', b'the', b'the>', b'he>'
    ],
    'тест': [
        b'<\xd1\x82\xd0\xb5', b'<\xd1\x82\xd0\xb5\xd1\x81', b'<\xd1\x82\xd0\xb5\xd1\x81\xd1\x82',
        b'\xd1\x82\xd0\xb5\xd1\x81', b'\xd1\x82\xd0\xb5\xd1\x81\xd1\x82',
        b'\xd1\x82\xd0\xb5\xd1\x81\xd1\x82>',
        b'\xd0\xb5\xd1\x81\xd1\x82', b'\xd0\xb5\xd1\x81\xd1\x82>', b'\xd1\x81\xd1\x82>'
    ],
    'テスト': [
        b'<\xe3\x83\x86\xe3\x82\xb9', b'<\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88',
        b'<\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88>', b'\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88',
        b'\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88>', b'\xe3\x82\xb9\xe3\x83\x88>'
    ],
    '試し': [b'<\xe8\xa9\xa6\xe3\x81\x97', b'<\xe8\xa9\xa6\xe3\x81\x97>',
            b'\xe8\xa9\xa6\xe3\x81\x97>'],
    '🚑🚒🚓🚕': [
        b'<\xf0\x9f\x9a\x91\xf0\x9f\x9a\x92',
        b'<\xf0\x9f\x9a\x91\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93',
        b'<\xf0\x9f\x9a\x91\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93\xf0\x9f\x9a\x95',
        b'\xf0\x9f\x9a\x91\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93',
        b'\xf0\x9f\x9a\x91\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93\xf0\x9f\x9a\x95',
        b'\xf0\x9f\x9a\x91\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93\xf0\x9f\x9a\x95>',
        b'\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93\xf0\x9f\x9a\x95',
        b'\xf0\x9f\x9a\x92\xf0\x9f\x9a\x93\xf0\x9f\x9a\x95>',
        b'\xf0\x9f\x9a\x93\xf0\x9f\x9a\x95>'
    ],
}


def test_bytes_cy():  # vectab's n-grams (the bytes fastText hashes) = gensim's expected bytes
    for word, expected in EXPECTED_BYTES.items():
        actual = _utf8_ngrams(word, 3, 5)
        assert expected == actual


def _read_fb(fin):
    """Read ngrams from output of the FB utility (``fasttext print-ngrams``)."""
    while fin:
        line = fin.readline().rstrip()
        if not line:
            break
        assert line == '<start>'
        word = fin.readline().rstrip()
        fin.readline()  # ignore this line, it contains an origin vector for the full term
        ngrams = []
        while True:
            line = fin.readline().rstrip()
            if line == '<end>':
                break
            columns = line.split(' ')
            term = ' '.join(columns[:-5])
            ngrams.append(term)
        yield word, ngrams


def test_fb():
    """Test against results from Facebook's implementation."""
    with open(datapath('fb-ngrams.txt'), encoding='utf-8') as fin:
        fb = dict(_read_fb(fin))
    for word, expected in fb.items():
        # The model was trained with minn=3, maxn=6
        actual = [g.decode('utf-8') for g in _utf8_ngrams(word, 3, 6)]
        assert sorted(expected) == sorted(actual)


# ----------------------------------------------------------------------- ZeroBucketTest
def test_zero_bucket_in_vocab():
    model = train_gensim(bucket=0)
    assert model.wv['anarchist'] is not None


def test_zero_bucket_out_of_vocab():
    model = train_gensim(bucket=0)
    with pytest.raises(KeyError):
        model.wv.get_vector('streamtrain')


@pytest.mark.slow
def test_zero_bucket_cbow_neg():
    """See gensim's TestWord2VecModel.test_cbow_neg (its model_sanity, ported inline)."""
    model = FT_gensim(sg=0, cbow_mean=1, alpha=0.05, window=5, hs=0, negative=15, min_count=5,
                      epochs=10, workers=2, sample=0, max_n=0)  # force no char-ngram buckets
    model.build_vocab(list_corpus)
    orig0 = np.copy(model.wv.vectors[0])
    model.train(list_corpus, total_examples=model.corpus_count, epochs=model.epochs)
    assert not (orig0 == model.wv.vectors[1]).all()  # vector should vary after training
    sims = model.wv.most_similar('attacks', topn=len(model.wv.index_to_key))
    t_rank = [word for word, score in sims].index('bombings')
    assert t_rank < 50
    query_vec = model.wv['attacks']
    sims2 = model.wv.most_similar([query_vec], topn=51)
    assert 'attacks' in [word for word, score in sims2]
    assert 'bombings' in [word for word, score in sims2]


# ----------------------------------------------------------------------- .bin written by vectab
def _create_and_save_fb_model(fname, model_params):
    model = FT_gensim(**model_params)
    lee_data = list(LineSentence(datapath('lee_background.cor')))
    model.build_vocab(lee_data)
    model.train(lee_data, total_examples=model.corpus_count, epochs=model.epochs)
    model.save_facebook_model(fname)
    return model


def calc_max_diff(v1, v2):
    return np.max(np.abs(v1 - v2))


@pytest.mark.slow  # trains on lee_background (the fast .bin checks are in test_fasttext.py)
@pytest.mark.parametrize("sg", [1, 0])
def test_save_facebook_format_roundtrip(tmp_path, sg):  # SaveFacebookFormatModelTest; hs 1 -> 0
    model_params = {"sg": sg, "vector_size": 10, "min_count": 1, "hs": 0, "negative": 5,
                    "seed": 42, "bucket": BUCKET, "workers": 1}
    fpath = str(tmp_path / "roundtrip_model_to_model.bin")
    model_trained = _create_and_save_fb_model(fpath, model_params)
    model_loaded = gensim.models.fasttext.load_facebook_model(fpath)
    assert model_trained.vector_size == model_loaded.vector_size
    assert model_trained.window == model_loaded.window
    assert model_trained.epochs == model_loaded.epochs
    assert model_trained.negative == model_loaded.negative
    assert model_trained.sg == model_loaded.sg
    assert model_trained.bucket == model_loaded.wv.bucket
    assert model_trained.min_n == model_loaded.wv.min_n
    assert model_trained.max_n == model_loaded.wv.max_n
    assert model_trained.sample == model_loaded.sample
    assert set(model_trained.wv.index_to_key) == set(model_loaded.wv.index_to_key)
    for w in model_trained.wv.index_to_key:
        v_orig = model_trained.wv[w]
        v_loaded = model_loaded.wv[w]
        assert calc_max_diff(v_orig, v_loaded) < MAX_WORDVEC_COMPONENT_DIFFERENCE


@pytest.mark.slow  # trains on lee_background (a small corpus version is in test_fasttext.py)
@pytest.mark.parametrize("sg", [1, 0])
def test_save_gensim_byte_identity(tmp_path, sg):  # SaveGensimByteIdentityTest; hs 1 -> 0
    """vectab's .bin, loaded by gensim and saved again by gensim, is byte for byte the same."""
    model_params = {"sg": sg, "vector_size": 10, "min_count": 1, "hs": 0, "negative": 5,
                    "bucket": BUCKET, "seed": 42, "workers": 1}
    fpath1, fpath2 = str(tmp_path / "f1.bin"), str(tmp_path / "f2.bin")
    _create_and_save_fb_model(fpath1, model_params)
    model = gensim.models.fasttext.load_facebook_model(fpath1)
    gensim.models.fasttext.save_facebook_model(model, fpath2)
    with open(fpath1, "rb") as f1, open(fpath2, "rb") as f2:
        bin1, bin2 = f1.read(), f2.read()
    assert bin1 == bin2
