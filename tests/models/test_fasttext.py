"""FastText: gensim's composition, hashing, initial tables and vocabulary; the kernel against a
reference of gensim's per-pair updates; learning; .bin/.vec/model files; update=True; errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

from vectab.errors import ModelFormatError, OutOfVocabularyError
from vectab.models import FastText, Word2Vec
from vectab.models.fasttext import _numba
from vectab.models.word2vec.corpus import id_table, iter_jobs
from vectab.vectors import load_vectors
from vectab.vectors.formats.fasttext import ngram_buckets, ngram_hashes

gensim_ft = pytest.importorskip("gensim.models.fasttext", reason="gensim is the reference")

WORDS = ["cat", "cats", "dog", "dogs", "say", "says", "meow", "woof", "naïve", "café", "日本語"]
OOV = ["catdog", "sayings", "naïveté", "cafés", "日本", "x", "meowww"]


def corpus(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return [list(rng.choice(WORDS, size=rng.integers(2, 9))) for _ in range(n)]


def planted(n=500, seed=0):
    """Two topics whose words share their stems: ``red*`` words meet only ``red*``."""
    rng = np.random.default_rng(seed)
    groups = [[f"red{s}" for s in ("", "s", "ish", "ness", "der")],
              [f"blu{s}" for s in ("e", "es", "ish", "eness", "er")]]
    return [list(rng.choice(groups[i % 2], size=8)) for i in range(n)]


SMALL = dict(vector_size=16, min_count=1, bucket=500, workers=1, seed=3)


def gensim_with(model: FastText):
    """A gensim FastText with the same vocabulary and vectab's trained rows copied in."""
    g = gensim_ft.FastText(vector_size=model.vector_size, min_count=1, bucket=model.bucket,
                           min_n=model.min_n, max_n=model.max_n, workers=1)
    g.build_vocab(corpus())
    assert g.wv.index_to_key == model.wv.index_to_key
    g.wv.vectors_vocab = model.vectors_vocab.copy()
    g.wv.vectors_ngrams = model.vectors_ngrams.copy()
    g.wv.recalc_char_ngram_buckets()
    g.wv.adjust_vectors()
    return g


@pytest.mark.parametrize("sg", [0, 1])
def test_word_vectors_equal_gensims_formula_for_known_and_unknown_words(sg):
    model = FastText(corpus(), sg=sg, epochs=2, **SMALL)
    g = gensim_with(model)
    for word in WORDS + OOV:
        np.testing.assert_allclose(model.wv[word], g.wv[word], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(model.wv.vectors, g.wv.vectors, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("min_n,max_n,bucket", [(3, 6, 2_000_000), (1, 3, 97), (2, 2, 10)])
def test_ngram_buckets_equal_gensims_hashes(min_n, max_n, bucket):
    words = WORDS + OOV + ["", "<>", "a b"]
    ptr, rows = ngram_buckets(words, min_n, max_n, bucket)
    for i, word in enumerate(words):
        expected = gensim_ft.ft_ngram_hashes(word, min_n, max_n, bucket)
        assert rows[ptr[i] : ptr[i + 1]].tolist() == list(expected), word
        assert ngram_hashes(word, min_n, max_n, bucket).tolist() == list(expected)


def test_vocabulary_and_initial_tables_equal_gensims():
    sentences = corpus() + [["rare"]]
    ours = FastText(vector_size=8, min_count=2, bucket=300, seed=5, sample=1e-2)
    ours.build_vocab(sentences)
    g = gensim_ft.FastText(vector_size=8, min_count=2, bucket=300, seed=5, sample=1e-2)
    g.build_vocab(sentences)
    assert ours.wv.index_to_key == g.wv.index_to_key
    assert ours.counts.tolist() == [g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key]
    assert ours.sample_int.tolist() == g.wv.expandos["sample_int"].tolist()
    assert ours.cum_table.tolist() == g.cum_table.tolist()
    np.testing.assert_array_equal(ours.vectors_vocab, g.wv.vectors_vocab)
    np.testing.assert_array_equal(ours.vectors_ngrams, g.wv.vectors_ngrams)
    np.testing.assert_array_equal(ours.syn1neg, g.syn1neg)


def _reference_job(model, word_ids, ends, a0, a1, seed):
    """gensim's fasttext_inner, one pair at a time in Python: the centre's vector is recomposed
    for every pair and every pair's update is applied to its rows at once (duplicates too)."""
    vocab_rows, ngram_rows, syn1 = model.vectors_vocab, model.vectors_ngrams, model.syn1neg
    ptr, idx = ngram_buckets(model.wv.index_to_key, model.min_n, model.max_n, model.bucket)
    mod, state = (1 << 48) - 1, [seed & ((1 << 48) - 1)]

    def draw():
        value = state[0]
        state[0] = (value * 25214903917 + 11) & mod
        return value

    def rows(w):
        return idx[ptr[w] : ptr[w + 1]]

    def compose(w):
        return (vocab_rows[w] + ngram_rows[rows(w)].sum(0, dtype=np.float32)) / (1 + len(rows(w)))

    def apply(w, work):
        vocab_rows[w] += work
        for q in rows(w):
            ngram_rows[q] += work

    def negative(h, word, alpha, clamp):
        work = np.zeros_like(h)
        for d in range(model.negative + 1):
            target = word if d == 0 else None
            if d:
                target = int(np.searchsorted(model.cum_table, (draw() >> 16) % model.cum_table[-1]))
                if target == word:
                    continue
            f = np.float32(h @ syn1[target])
            if not clamp and not -8 < f < 8:
                continue
            p = 0.0 if f <= -8 else 1.0 if f >= 8 else _numba.EXP_TABLE[int((f + 8) * 32)]
            g = np.float32((float(d == 0) - p) * alpha)
            work += g * syn1[target]
            syn1[target] += g * h
        return work

    start = 0
    for end in ends:
        alpha = np.float32(a0 + (a1 - a0) * (start / len(word_ids)))
        buf = []
        for w in word_ids[start:end]:
            if w >= 0 and model.sample_int[w] >= (draw() >> 16) & 0xFFFFFFFF:
                buf.append(int(w))
        start = end
        reduced = [(draw() >> 16) % model.window for _ in buf]
        for i, word in enumerate(buf):
            lo, hi = max(i - model.window + reduced[i], 0), min(i + model.window + 1 - reduced[i],
                                                               len(buf))
            context = [buf[j] for j in range(lo, hi) if j != i]
            if model.sg:
                for c in context:
                    apply(word, negative(compose(word), c, alpha, clamp=False))
            elif context:
                n = sum(1 + len(rows(c)) for c in context)
                h = sum(vocab_rows[c] + ngram_rows[rows(c)].sum(0, dtype=np.float32)
                        for c in context) / np.float32(n)
                work = negative(h.astype(np.float32), word, alpha, clamp=True)
                for c in context:
                    apply(c, work)


@pytest.mark.parametrize("sg", [0, 1])
def test_kernel_matches_gensims_per_pair_updates(sg):
    sentences = [["banana", "ananas", "nana", "anna", "banana"], ["nana", "ananas", "anna"]] * 3
    # a tiny bucket: words repeat n-gram rows ("ana" in "banana"), the case the summed update
    # of the skip-gram kernel must get right
    model = FastText(sg=sg, vector_size=6, min_count=1, bucket=7, window=3, negative=3,
                     sample=0.3, workers=1, seed=2, alpha=0.2)
    model.build_vocab(sentences)
    model.syn1neg[...] = np.random.default_rng(0).normal(0, 0.3, model.syn1neg.shape)
    ref = FastText.__new__(FastText)
    ref.__dict__.update({k: (v.copy() if isinstance(v, np.ndarray) else v)
                         for k, v in model.__dict__.items()})
    ids, ends, _, _ = next(iter_jobs(sentences, id_table(model.wv.index_to_key), 10_000))
    job = _numba.make_job(model.vectors_vocab, model.vectors_ngrams, model.syn1neg, model._ptr,
                          model._idx, model._gain, model.sample_int, model.cum_table,
                          sg=bool(sg), cbow_mean=True, window=3, shrink_windows=True,
                          negative=3)
    job(ids, ends, 0.2, 0.1, 12345)
    _reference_job(ref, ids, ends, 0.2, 0.1, 12345)
    assert not np.allclose(ref.vectors_ngrams, model.__dict__["vectors_ngrams"] * 0)
    for name in ("vectors_vocab", "vectors_ngrams", "syn1neg"):
        np.testing.assert_allclose(getattr(model, name), getattr(ref, name), rtol=1e-4,
                                   atol=1e-5, err_msg=name)


@pytest.mark.parametrize("sg", [0, 1])
def test_learns_topics_and_unknown_words_follow_their_ngrams(sg):
    # gensim, same settings: red~redness 0.996 / 0.978, red~blue 0.006 / 0.084 (cbow / sg)
    model = FastText(planted(), sg=sg, vector_size=24, min_count=1, bucket=2000, epochs=10,
                     workers=1, seed=1, sample=0)
    assert model.epoch_losses[-1] < model.epoch_losses[0]
    wv = model.wv
    within = wv.similarity("red", "redness")
    across = wv.similarity("red", "blue")
    assert within > 0.9 and across < 0.4
    # unknown words: built from n-grams they share with one topic
    assert wv.similarity("reddish", "redish") > wv.similarity("reddish", "blueish") + 0.4
    assert "reddest" not in wv.key_to_index and wv["reddest"].shape == (24,)


def test_is_a_word2vec_and_reproducible_with_one_worker():
    a = FastText(corpus(), **SMALL)
    b = FastText(corpus(), **SMALL)
    assert isinstance(a, Word2Vec)
    np.testing.assert_array_equal(a.vectors_ngrams, b.vectors_ngrams)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    assert "bucket=500" in repr(a)


def test_facebook_bin_loads_in_gensim_and_vectab_with_identical_vectors(tmp_path):
    model = FastText(corpus(), sg=1, window=4, negative=6, epochs=3, min_n=2, max_n=5, **SMALL)
    path = tmp_path / "model.bin"
    model.save_facebook_model(path)
    g = gensim_ft.load_facebook_model(str(path))
    ours = load_vectors(path)
    assert g.wv.index_to_key == ours.index_to_key == model.wv.index_to_key
    assert (g.sg, g.window, g.negative, g.epochs, g.wv.min_n, g.wv.max_n, g.wv.bucket) == (
        1, 4, 6, 3, 2, 5, 500)
    assert [g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key] == model.counts.tolist()
    np.testing.assert_array_equal(g.wv.vectors_vocab, model.vectors_vocab)
    np.testing.assert_array_equal(g.wv.vectors_ngrams, model.vectors_ngrams)
    np.testing.assert_array_equal(g.syn1neg, model.syn1neg)
    for word in WORDS + OOV:
        np.testing.assert_allclose(ours[word], model.wv[word], rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(g.wv[word], model.wv[word], rtol=1e-6, atol=1e-7)


def test_vec_file_holds_the_composed_vectors(tmp_path):
    model = FastText(corpus(), **SMALL)
    model.wv.save(tmp_path / "model.vec")
    kv = gensim_ft.KeyedVectors.load_word2vec_format(str(tmp_path / "model.vec"))
    assert kv.index_to_key == model.wv.index_to_key
    np.testing.assert_allclose(kv.vectors, model.wv.vectors, rtol=1e-6, atol=1e-6)


def test_save_load_continue_training_equals_uninterrupted(tmp_path):
    straight = FastText(corpus(), epochs=2, **SMALL)
    straight.train(corpus(), total_examples=straight.corpus_count, epochs=1)
    stopped = FastText(corpus(), epochs=2, **SMALL)
    stopped.save(tmp_path / "ft.safetensors")
    loaded = FastText.load(tmp_path / "ft.safetensors")
    np.testing.assert_array_equal(loaded.wv["catdog"], stopped.wv["catdog"])
    assert (loaded.min_n, loaded.max_n, loaded.bucket) == (3, 6, 500)
    loaded.train(corpus(), total_examples=loaded.corpus_count, epochs=1)
    for name in ("vectors_vocab", "vectors_ngrams", "syn1neg"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(straight, name))
    np.testing.assert_array_equal(loaded.wv.vectors, straight.wv.vectors)


def test_load_refuses_a_word2vec_file(tmp_path):
    Word2Vec(corpus(), vector_size=8, min_count=1, workers=1).save(tmp_path / "w2v.safetensors")
    with pytest.raises(ModelFormatError, match="not a vectab FastText model"):
        FastText.load(tmp_path / "w2v.safetensors")


def test_build_vocab_update_keeps_old_rows_and_trains_new_words():
    model = FastText(corpus(), **SMALL)
    old_rows = model.vectors_vocab.copy()
    old_words = list(model.wv.index_to_key)
    new = [["cat", "zebra", "zebras"], ["zebra", "says", "moo"]] * 20
    model.build_vocab(new, update=True)
    assert model.wv.index_to_key[: len(old_words)] == old_words
    assert {"zebra", "zebras", "moo"} <= set(model.wv.index_to_key[len(old_words):])
    np.testing.assert_array_equal(model.vectors_vocab[: len(old_words)], old_rows)
    before = model.wv["zebra"].copy()
    model.train(new, total_examples=len(new), epochs=2)
    assert not np.allclose(model.wv["zebra"], before)
    g = gensim_ft.FastText(vector_size=16, min_count=1, bucket=500)
    g.build_vocab(corpus())
    g.build_vocab(new, update=True)
    assert g.wv.index_to_key == model.wv.index_to_key


def test_corpus_file_trains_like_the_same_sentences(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus()) + "\n", encoding="utf-8")
    from_file = FastText(corpus_file=path, **SMALL)
    from_list = FastText(corpus(), **SMALL)
    np.testing.assert_array_equal(from_file.wv.vectors, from_list.wv.vectors)


def test_without_ngrams_unknown_words_raise_and_vectors_are_the_word_rows():
    for kwargs in ({"max_n": 0}, {"bucket": 0}, {"min_n": 4, "max_n": 3}):
        model = FastText(corpus(), **{**SMALL, **kwargs})
        assert model.bucket == 0 and model.wv.subwords is None
        np.testing.assert_array_equal(model.wv.vectors, model.vectors_vocab)
        with pytest.raises(OutOfVocabularyError):
            model.wv["catdog"]


def test_callbacks_see_composed_vectors_every_epoch():
    seen = []

    class Spy:
        def on_epoch_end(self, model):
            seen.append(model.wv["cat"].copy())

    model = FastText(corpus(), epochs=3, callbacks=[Spy()], **SMALL)
    assert len(seen) == 3 and not np.allclose(seen[0], seen[-1])
    np.testing.assert_array_equal(seen[-1], model.wv["cat"])


@pytest.mark.parametrize("kwargs,error,match", [
    ({"hs": 1}, ValueError, "hs=1 .* not implemented for FastText"),
    ({"word_ngrams": 2}, ValueError, "`word_ngrams`"),
    ({"min_n": 0}, ValueError, "`min_n`"),
    ({"max_n": -1}, ValueError, "`max_n`"),
    ({"bucket": -5}, ValueError, "`bucket`"),
    ({"bucket": 2**31}, ValueError, "`bucket`"),
    ({"bucket": 1.5}, TypeError, "`bucket`"),
    ({"min_n": "3"}, TypeError, "`min_n`"),
    ({"negative": 0}, ValueError, "`negative`"),
    ({"vector_size": "10"}, TypeError, "`vector_size`"),
    ({"vector_size": -1}, ValueError, "`vector_size`"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        FastText(**kwargs)


def test_train_needs_epochs_and_a_vocabulary():
    model = FastText(**SMALL)
    with pytest.raises(ValueError, match="build_vocab"):
        model.train(corpus(), total_examples=10, epochs=1)
    model.build_vocab(corpus())
    with pytest.raises(ValueError, match="`epochs` is required"):
        model.train(corpus(), total_examples=10)
    with pytest.raises(ValueError, match="total_examples"):
        model.train(corpus(), epochs=1)


@pytest.mark.parametrize("sg", [0, 1])
def test_facebook_bin_is_byte_identical_to_gensims_rewrite(tmp_path, sg):
    model = FastText(corpus(), sg=sg, **SMALL)
    model.save_facebook_model(tmp_path / "ours.bin")
    g = gensim_ft.load_facebook_model(str(tmp_path / "ours.bin"))
    gensim_ft.save_facebook_model(g, str(tmp_path / "gensim.bin"))
    assert (tmp_path / "ours.bin").read_bytes() == (tmp_path / "gensim.bin").read_bytes()


def test_trim_rule_drops_words_as_in_gensim():
    from gensim.utils import RULE_DEFAULT, RULE_DISCARD

    def rule(word, count, min_count):
        return RULE_DISCARD if word.startswith("c") else RULE_DEFAULT

    ours = FastText(corpus(), trim_rule=rule, **SMALL)
    g = gensim_ft.FastText(corpus(), trim_rule=rule, vector_size=16, min_count=1, bucket=500)
    assert ours.wv.index_to_key == g.wv.index_to_key
    assert "cat" not in ours.wv.key_to_index and ours.wv["cat"].shape == (16,)


def test_trains_through_word2vecs_train_with_its_options():
    """One training path (#13): FastText plugs its kernel into Word2Vec.train, so every
    option of Word2Vec.train works here, compute_loss=False included (gensim's option)."""
    assert FastText.train is Word2Vec.train
    model = FastText(**SMALL)
    model.build_vocab(corpus())
    model.train(corpus(), total_examples=model.corpus_count, epochs=2)
    assert model.get_latest_training_loss() > 0
    before = model.wv.vectors.copy()
    model.train(corpus(), total_examples=model.corpus_count, epochs=1, compute_loss=False)
    assert model.get_latest_training_loss() == 0.0
    assert not np.array_equal(before, model.wv.vectors)  # trained (and the vectors recomposed)


def test_model_file_errors_name_the_file_and_field_as_word2vecs(tmp_path):
    """The model-file reader is word2vec's (one helper): the same checks, the same messages."""
    path = tmp_path / "m.safetensors"
    model = FastText(corpus(), **SMALL)
    model.save(path)
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    data = json.loads(meta["vectab"])
    first = data["index_to_key"][0]
    data["index_to_key"][1] = first
    save_file(tensors, str(path), metadata={"vectab": json.dumps(data)})
    with pytest.raises(ModelFormatError, match=r"index_to_key: expected distinct words, found "
                                               f'"{first}" twice'):
        FastText.load(path)


def test_progress_events_name_fasttext():
    events = []
    sentences = [["cat", "say", "meow"], ["dog", "say", "woof"]] * 20
    FastText(sentences, vector_size=8, min_count=1, epochs=2, workers=1, bucket=100,
             progress=events.append)
    assert events and {e.task for e in events} == {"fasttext"}
    assert [e.kind for e in events].count("epoch_end") == 2
    w2v = []
    Word2Vec(sentences, vector_size=8, min_count=1, epochs=1, workers=1, progress=w2v.append)
    assert {e.task for e in w2v} == {"word2vec"}
