"""Word2Vec: gensim's vocabulary rules, learning on planted structure, files, continue, errors."""

from __future__ import annotations

import bz2
import gzip

import numpy as np
import pytest
import torch

from vectab._progress import ProgressEvent
from vectab.models import Word2Vec
from vectab.models.word2vec import LineSentences, _numba
from vectab.vectors.store import Vectors


def zipf_corpus(n_sentences=300, vocab=120, seed=0):
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    return [[f"w{i}" for i in rng.choice(vocab, size=rng.integers(1, 20), p=p)]
            for _ in range(n_sentences)]


def planted_corpus(n_sentences=600, seed=0):
    """Two topics: words a* only meet a*, words b* only meet b*."""
    rng = np.random.default_rng(seed)
    groups = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [list(rng.choice(groups[s % 2], size=8)) for s in range(n_sentences)]


def group_gap(wv: Vectors) -> float:
    """Mean cosine within topics minus mean cosine across topics."""
    m = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    topic = np.array([w[0] for w in wv.index_to_key])
    sims = m @ m.T
    same = topic[:, None] == topic[None, :]
    off = ~np.eye(len(topic), dtype=bool)
    return float(sims[same & off].mean() - sims[~same].mean())


@pytest.fixture(params=["numba", "torch"])
def backend(request, monkeypatch):
    if request.param == "numba" and not _numba.AVAILABLE:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(_numba, "AVAILABLE", request.param == "numba")
    return request.param


# ------------------------------------------------------------------ vocabulary parity with gensim
def keep_w1_drop_w2(word, count, min_count):
    """A gensim-style trim rule, returning the values of gensim.utils.RULE_KEEP/DISCARD/DEFAULT."""
    return {"w1": 2, "w2": 1, "w119": 2}.get(word, 0)


def drop_odd(word, count, min_count):
    return 1 if count % 2 else 0


VOCAB_SETTINGS = [
    dict(min_count=0),
    dict(min_count=0, max_final_vocab=30),
    dict(min_count=3, trim_rule=keep_w1_drop_w2),
    dict(min_count=1, max_vocab_size=40, trim_rule=drop_odd),
    dict(min_count=1, hs=1, negative=0),
    dict(min_count=2, hs=1, negative=5, sorted_vocab=0),
    dict(min_count=1),
    dict(min_count=3),
    dict(min_count=2, sample=0),
    dict(min_count=1, sample=5),
    dict(min_count=1, sample=1e-2, ns_exponent=0.5),
    dict(min_count=1, max_vocab_size=40),
    dict(min_count=1, max_final_vocab=25),
    dict(min_count=2, sorted_vocab=0),
]


def assert_tree_matches(ours, ref):
    """vectab's flat Huffman arrays equal gensim's per-word code/point arrays."""
    assert len(ours.code_offsets) == len(ref.wv) + 1
    for i in range(len(ref.wv)):
        lo, hi = ours.code_offsets[i], ours.code_offsets[i + 1]
        np.testing.assert_array_equal(ours.codes[lo:hi], ref.wv.expandos["code"][i])
        np.testing.assert_array_equal(ours.points[lo:hi], ref.wv.expandos["point"][i])


@pytest.mark.parametrize("settings", VOCAB_SETTINGS,
                         ids=lambda s: ",".join(f"{k}={getattr(v, '__name__', v)}"
                                                for k, v in s.items()))
def test_build_vocab_matches_gensim(settings):
    gensim = pytest.importorskip("gensim.models")
    corpus = zipf_corpus()
    trim_rule = settings.pop("trim_rule", None)
    ours = Word2Vec(vector_size=16, workers=1, **settings)
    ours.build_vocab(corpus, trim_rule=trim_rule)
    ref = gensim.Word2Vec(vector_size=16, workers=1, **settings)
    ref.build_vocab(corpus, trim_rule=trim_rule)
    assert ours.wv.index_to_key == ref.wv.index_to_key
    np.testing.assert_array_equal(ours.counts, ref.wv.expandos["count"])
    np.testing.assert_array_equal(ours.sample_int, ref.wv.expandos["sample_int"])
    if ref.negative:
        np.testing.assert_array_equal(ours.cum_table, ref.cum_table)
        np.testing.assert_array_equal(ours.syn1neg, ref.syn1neg)
    else:
        assert ours.syn1neg.shape == (0, 16)
    np.testing.assert_array_equal(ours.wv.vectors, ref.wv.vectors)  # same initial vectors
    if ref.hs:
        np.testing.assert_array_equal(ours.syn1, ref.syn1)
        assert_tree_matches(ours, ref)
    else:
        assert ours.syn1.shape == (0, 16) and len(ours.codes) == 0
    assert ours.effective_min_count == ref.effective_min_count
    assert ((ours.corpus_count, ours.corpus_total_words)
            == (ref.corpus_count, ref.corpus_total_words))


@pytest.mark.parametrize("settings", [dict(), dict(hs=1, negative=0), dict(hs=1, min_count=0)],
                         ids=["neg", "hs", "hs+neg,min_count=0"])
def test_vocab_update_matches_gensim(settings):
    gensim = pytest.importorskip("gensim.models")
    first, second = zipf_corpus(seed=1), zipf_corpus(vocab=160, seed=2)
    settings = dict(vector_size=16, min_count=2, workers=1) | settings
    ours, ref = Word2Vec(**settings), gensim.Word2Vec(**settings)
    for model in (ours, ref):
        model.build_vocab(first)
        if model.hs:  # trained output rows must survive the growth
            model.syn1[:] = np.arange(model.syn1.size, dtype=np.float32).reshape(model.syn1.shape)
        model.build_vocab(second, update=True, trim_rule=drop_odd)
    assert ours.wv.index_to_key == ref.wv.index_to_key
    np.testing.assert_array_equal(ours.counts, ref.wv.expandos["count"])
    np.testing.assert_array_equal(ours.sample_int, ref.wv.expandos["sample_int"])
    if ref.negative:
        np.testing.assert_array_equal(ours.cum_table, ref.cum_table)
    np.testing.assert_array_equal(ours.wv.vectors, ref.wv.vectors)
    if ref.hs:
        np.testing.assert_array_equal(ours.syn1, ref.syn1)
        assert_tree_matches(ours, ref)


def test_build_vocab_from_freq_matches_gensim():
    gensim = pytest.importorskip("gensim.models")
    freq = {f"w{i}": int(c) for i, c in enumerate(np.random.default_rng(0).zipf(1.5, 200))}
    more = {"w3": 4, "new": 7, "w1": 1, "rare": 1}
    ours = Word2Vec(vector_size=8, min_count=2, hs=1, workers=1)
    ref = gensim.Word2Vec(vector_size=8, min_count=2, hs=1, workers=1)
    for model in (ours, ref):
        model.build_vocab_from_freq(freq, corpus_count=40, trim_rule=keep_w1_drop_w2)
    assert ours.wv.index_to_key == ref.wv.index_to_key and ours.corpus_count == 40
    assert_tree_matches(ours, ref)
    for model in (ours, ref):
        model.build_vocab_from_freq(more, update=True)
    assert ours.wv.index_to_key == ref.wv.index_to_key
    np.testing.assert_array_equal(ours.counts, ref.wv.expandos["count"])
    np.testing.assert_array_equal(ours.sample_int, ref.wv.expandos["sample_int"])
    assert_tree_matches(ours, ref)
    with pytest.raises(TypeError, match="`word_freq` must be a dict"):
        ours.build_vocab_from_freq([("a", 1)])
    with pytest.raises(ValueError, match="word_freq\\['a'\\]"):
        ours.build_vocab_from_freq({"a": -1})


def test_min_count_zero_keeps_every_word():
    corpus = zipf_corpus()
    model = Word2Vec(corpus, min_count=0, vector_size=8, epochs=1, workers=1)
    assert set(model.wv.index_to_key) == {w for s in corpus for w in s}
    assert model.counts.sum() == sum(map(len, corpus))


def test_trim_rule_constants_are_gensims():
    utils = pytest.importorskip("gensim.utils")
    from vectab.models.word2vec import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP

    assert (RULE_DEFAULT, RULE_DISCARD, RULE_KEEP) == (
        utils.RULE_DEFAULT, utils.RULE_DISCARD, utils.RULE_KEEP)


@pytest.mark.parametrize("seed", range(4))
def test_huffman_codes_match_gensim_with_ties(seed):
    """Many equal counts: the codes depend on the heap's tie order, which must be gensim's."""
    word2vec = pytest.importorskip("gensim.models.word2vec")
    from vectab.models.word2vec import vocab

    counts = np.sort(np.random.default_rng(seed).integers(1, 6, 300))[::-1]

    class WV:  # the two methods gensim's _build_heap / _assign_binary_codes call
        index_to_key = list(range(len(counts)))
        attrs: dict = {}

        def __len__(self):
            return len(counts)

        def get_vecattr(self, i, name):
            return int(counts[i])

        def set_vecattr(self, i, name, value):
            self.attrs[name, i] = value

    wv = WV()
    word2vec._assign_binary_codes(wv)
    codes, points, offsets = vocab.huffman_codes(counts)
    heapq_order = vocab._merge_order_heapq(counts)  # the fallback without numba agrees
    for a, b in zip(heapq_order, vocab._merge_order_kernel()(counts)):
        np.testing.assert_array_equal(a, b)
    for i in range(len(counts)):
        np.testing.assert_array_equal(codes[offsets[i]:offsets[i + 1]], wv.attrs["code", i])
        np.testing.assert_array_equal(points[offsets[i]:offsets[i + 1]], wv.attrs["point", i])


# ------------------------------------------------------------------ learning
@pytest.mark.parametrize("sg", [1, 0])
def test_training_separates_planted_topics(backend, sg):
    corpus = planted_corpus()
    model = Word2Vec(corpus, sg=sg, vector_size=16, window=3, min_count=1, sample=0, epochs=5,
                     workers=1, seed=3)
    assert isinstance(model.wv, Vectors)
    assert np.isfinite(model.wv.vectors).all() and np.isfinite(model.syn1neg).all()
    assert group_gap(model.wv) > 0.3
    assert len(model.epoch_losses) == 5
    assert model.epoch_losses[-1] < model.epoch_losses[0]
    assert model.get_latest_training_loss() > 0


@pytest.mark.parametrize("sg", [1, 0], ids=["sg", "cbow"])
@pytest.mark.parametrize("negative", [0, 3], ids=["hs", "hs+neg"])
def test_hierarchical_softmax_separates_planted_topics(sg, negative):
    if not _numba.AVAILABLE:
        pytest.skip("hs=1 trains with the numba kernel")
    model = Word2Vec(planted_corpus(), sg=sg, hs=1, negative=negative, vector_size=16, window=3,
                     min_count=1, sample=0, epochs=5, workers=1, seed=3)
    assert model.syn1.shape == model.wv.vectors.shape and np.abs(model.syn1[:-1]).sum() > 0
    assert not model.syn1[-1].any()  # V-1 inner nodes: the last row is never a node
    assert model.syn1neg.shape == ((len(model.wv), 16) if negative else (0, 16))
    assert group_gap(model.wv) > 0.3
    assert model.epoch_losses[-1] < model.epoch_losses[0]
    if not negative:
        with pytest.raises(ValueError, match="syn1"):
            _ = model.embedding_out


def test_latest_training_loss_is_the_latest_call_and_compute_loss_false_skips_it():
    corpus = zipf_corpus()
    model = Word2Vec(corpus, sg=1, vector_size=8, min_count=1, epochs=3, workers=1)
    three_epochs = model.get_latest_training_loss()
    assert three_epochs > 0
    model.train(corpus, total_examples=model.corpus_count, epochs=1)
    assert 0 < model.get_latest_training_loss() < three_epochs  # restarts with every call
    quiet = Word2Vec(corpus, sg=1, vector_size=8, min_count=1, epochs=3, workers=1,
                     compute_loss=False)
    assert quiet.get_latest_training_loss() == 0.0 and quiet.epoch_losses == [0.0] * 3
    loud = Word2Vec(corpus, sg=1, vector_size=8, min_count=1, epochs=3, workers=1)
    np.testing.assert_array_equal(quiet.wv.vectors, loud.wv.vectors)  # the loss is only read
    quiet.train(corpus, total_examples=quiet.corpus_count, epochs=1, compute_loss=True)
    assert quiet.get_latest_training_loss() > 0 and quiet.compute_loss


def test_hs_without_the_numba_kernel_is_a_clear_error(monkeypatch):
    model = Word2Vec(vector_size=8, min_count=1, hs=1, negative=0)
    model.build_vocab(zipf_corpus())
    monkeypatch.setattr(_numba, "AVAILABLE", False)
    with pytest.raises(ValueError, match="numba CPU kernel only.*a CPU without numba"):
        model.train(zipf_corpus(), total_examples=model.corpus_count, epochs=1)


def test_training_is_reproducible_with_one_worker():
    corpus = zipf_corpus()
    a = Word2Vec(corpus, sg=1, vector_size=8, min_count=1, epochs=2, workers=1)
    b = Word2Vec(corpus, sg=1, vector_size=8, min_count=1, epochs=2, workers=1)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


def test_two_workers_train_without_nan():
    model = Word2Vec(zipf_corpus(n_sentences=2000), sg=1, vector_size=16, min_count=1,
                     epochs=2, workers=2)
    assert np.isfinite(model.wv.vectors).all()
    assert model.epoch_losses[-1] < model.epoch_losses[0]


def test_callbacks_and_progress():
    seen = []

    class Recorder:
        def on_train_begin(self, model):
            seen.append("begin")

        def on_epoch_end(self, model):
            seen.append(len(model.epoch_losses))

        def on_train_end(self, model):
            seen.append("end")

    reports: list[ProgressEvent] = []
    Word2Vec(zipf_corpus(), min_count=1, vector_size=8, epochs=3, workers=1,
             callbacks=[Recorder()], progress=reports.append)
    assert seen == ["begin", 1, 2, 3, "end"]
    assert all(isinstance(r, ProgressEvent) and r.task == "word2vec" for r in reports)
    done = [r for r in reports if r.kind == "epoch_end"]
    assert [r.epoch for r in done] == [1, 2, 3] and all(r.epochs == 3 for r in done)
    assert all(r.done == r.total > 0 and r.unit == "words" for r in done)
    assert all(r.metrics["words_per_sec"] > 0 and r.metrics["effective_words"] > 0 for r in done)
    assert done[0].metrics["alpha"] > done[-1].metrics["alpha"]
    assert reports[-1].kind == "end" and not reports[-1].aborted


def test_alpha_decays_to_min_alpha():
    reports: list[ProgressEvent] = []
    Word2Vec(zipf_corpus(), min_count=1, vector_size=8, epochs=2,
             workers=1, progress=reports.append)
    assert [r for r in reports if r.kind == "epoch_end"][-1].metrics["alpha"] == pytest.approx(
        0.0001
    )


# ------------------------------------------------------------------ continue training, save / load
def test_vocab_update_keeps_ids_and_vectors_then_trains():
    first, second = planted_corpus(), [["a0", "new1", "new2", "a1"]] * 20
    model = Word2Vec(first, vector_size=8, min_count=1, sample=0, epochs=1, workers=1)
    ids, before = dict(model.wv.key_to_index), model.wv.vectors.copy()
    norms = model.wv.norms.copy()
    model.build_vocab(second, update=True)
    assert all(model.wv.key_to_index[w] == i for w, i in ids.items())
    assert model.wv.index_to_key[len(ids):] == ["new1", "new2"]
    np.testing.assert_array_equal(model.wv.vectors[: len(ids)], before)
    model.train(second, total_examples=model.corpus_count, epochs=2)
    assert np.isfinite(model.wv.vectors).all()
    assert not np.array_equal(model.wv.vectors[: len(ids)], before)
    np.testing.assert_allclose(model.wv.norms, np.linalg.norm(model.wv.vectors, axis=1), rtol=1e-6)
    assert not np.allclose(model.wv.norms[: len(ids)], norms)


def test_save_load_round_trip_continues_identically(tmp_path):
    corpus = zipf_corpus()
    model = Word2Vec(corpus, sg=1, vector_size=8, min_count=1, epochs=1, workers=1)
    path = tmp_path / "w2v.safetensors"
    model.save(path)
    loaded = Word2Vec.load(path)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    np.testing.assert_array_equal(loaded.cum_table, model.cum_table)
    for m in (model, loaded):
        m.train(corpus, total_examples=m.corpus_count, epochs=1)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    assert loaded.epoch_losses == model.epoch_losses


def test_embedding_tables():
    model = Word2Vec(zipf_corpus(), vector_size=8, min_count=1, epochs=1, workers=1)
    layer = model.embedding_in
    assert tuple(layer.weight.shape) == model.wv.vectors.shape
    np.testing.assert_allclose(layer.weight.detach().numpy(), model.wv.vectors)
    np.testing.assert_allclose(model.embedding_out.weight.detach().numpy(), model.syn1neg)
    assert layer.sparse and layer.weight.requires_grad
    with torch.no_grad():  # the layer shares memory with wv: fine-tuning it updates the vectors
        layer.weight[0, 0] += 1.0
    assert model.wv.vectors[0, 0] == layer.weight[0, 0].item()


# ------------------------------------------------------------------ corpus files
def test_corpus_file_folder_and_compressed(tmp_path):
    corpus = zipf_corpus()
    text = "\n".join(" ".join(s) for s in corpus) + "\n"
    plain = tmp_path / "c.txt"
    plain.write_text(text)
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "c.txt.bz2").write_bytes(bz2.compress(text.encode()))
    folder = tmp_path / "parts"
    folder.mkdir()
    half = len(corpus) // 2
    (folder / "1.txt").write_text("\n".join(" ".join(s) for s in corpus[:half]) + "\n")
    (folder / "2.txt.gz").write_bytes(
        gzip.compress(("\n".join(" ".join(s) for s in corpus[half:]) + "\n").encode()))
    ref = Word2Vec(vector_size=8, min_count=2, workers=1)
    ref.build_vocab(corpus)
    for source in (plain, tmp_path / "c.txt.gz", tmp_path / "c.txt.bz2", folder):
        model = Word2Vec(vector_size=8, min_count=2, workers=1)
        model.build_vocab(corpus_file=source)
        assert model.wv.index_to_key == ref.wv.index_to_key, source
        np.testing.assert_array_equal(model.counts, ref.counts)
    trained = Word2Vec(corpus_file=folder, vector_size=8, min_count=2, epochs=1, workers=1)
    assert np.isfinite(trained.wv.vectors).all()


def test_line_sentences_cuts_long_lines(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(" ".join(["x"] * 25) + "\n")
    assert [len(s) for s in LineSentences(path, max_sentence_length=10)] == [10, 10, 5]


# ------------------------------------------------------------------ errors
BAD_ARGS = [
    (dict(vector_size=0), ValueError, "vector_size"),
    (dict(vector_size=-5), ValueError, "vector_size"),
    (dict(vector_size=1.5), TypeError, "vector_size"),
    (dict(window=-1), ValueError, "window"),
    (dict(window=0), ValueError, "window"),
    (dict(min_count=-1), ValueError, "min_count"),
    (dict(min_count=0.5), TypeError, "min_count"),
    (dict(sg=2), ValueError, "sg"),
    (dict(sg=0.5), TypeError, "`sg` must be an int in \\[0, 1\\]"),
    (dict(sg="1"), TypeError, "`sg`"),
    (dict(compute_loss="no"), TypeError, "`compute_loss` must be True or False"),
    (dict(shrink_windows=0), TypeError, "`shrink_windows` must be True or False"),
    (dict(cbow_mean=3), ValueError, "cbow_mean"),
    (dict(hs=2), ValueError, "`hs` must be"),
    (dict(hs=True), TypeError, "`hs`"),
    (dict(negative=-1), ValueError, "`negative` must be"),
    (dict(negative=0), ValueError, "`hs` and `negative` are both 0"),
    (dict(hs=0, negative=0), ValueError, "nothing would be trained"),
    (dict(trim_rule="human"), TypeError, "`trim_rule` must be None or a function"),
    (dict(hs=1, negative=0, device="cuda"), ValueError, "numba CPU kernel only"),
    (dict(alpha=0), ValueError, "alpha"),
    (dict(alpha=0.01, min_alpha=0.1), ValueError, "min_alpha"),
    (dict(sample=-1e-3), ValueError, "sample"),
    (dict(sample="high"), TypeError, "sample"),
    (dict(epochs=0), ValueError, "epochs"),
    (dict(workers=0), ValueError, "workers"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(batch_words=0), ValueError, "batch_words"),
    (dict(max_vocab_size=0), ValueError, "max_vocab_size"),
    (dict(max_final_vocab=-2), ValueError, "max_final_vocab"),
    (dict(ns_exponent=float("nan")), ValueError, "ns_exponent"),
    (dict(device="tpu"), ValueError, "device"),
]


@pytest.mark.parametrize("kwargs,exc,word", BAD_ARGS, ids=[str(a[0]) for a in BAD_ARGS])
def test_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        Word2Vec(**kwargs)


def test_bad_corpora(tmp_path):
    cases = [
        (lambda: Word2Vec([], min_count=1), ValueError, "vocabulary is empty"),
        (lambda: Word2Vec([["a", "b"]], min_count=5), ValueError, "min_count=5"),
        (lambda: Word2Vec("the cat sat"), TypeError, "iterable of token lists"),
        (lambda: Word2Vec(["the cat", "sat"]), TypeError, "list of tokens"),
        (lambda: Word2Vec(s for s in [["a"]]), TypeError, "one-shot iterator"),
        (lambda: Word2Vec([["a"]], corpus_file=tmp_path / "x.txt"), TypeError, "not both"),
        (lambda: Word2Vec(corpus_file=tmp_path / "missing.txt"),
         FileNotFoundError, "does not exist"),
    ]
    for make, exc, text in cases:
        with pytest.raises(exc, match=text):
            make()


def test_bad_train_calls(tmp_path):
    corpus = zipf_corpus()
    fresh = Word2Vec(min_count=1)
    with pytest.raises(ValueError, match="build_vocab"):
        fresh.train(corpus, total_examples=10, epochs=1)
    with pytest.raises(ValueError, match="update=True"):
        fresh.build_vocab(corpus, update=True)
    model = Word2Vec(min_count=1, vector_size=8)
    model.build_vocab(corpus)
    with pytest.raises(ValueError, match="epochs"):
        model.train(corpus, total_examples=model.corpus_count)
    with pytest.raises(ValueError, match="total_examples"):
        model.train(corpus, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        model.train(corpus, total_examples=model.corpus_count, epochs=0)
    not_a_model = tmp_path / "x.safetensors"
    from safetensors.numpy import save_file

    save_file({"a": np.zeros(2, dtype=np.float32)}, str(not_a_model))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello, not a model")
    for path in (not_a_model, junk):
        with pytest.raises(ValueError, match="not a vectab Word2Vec model"):
            Word2Vec.load(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Word2Vec.load(tmp_path / "missing.safetensors")


def test_gensim_callbacks_work():
    callbacks = pytest.importorskip("gensim.models.callbacks")

    class EpochCounter(callbacks.CallbackAny2Vec):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, model):
            self.epochs += 1

    counter = EpochCounter()
    Word2Vec(zipf_corpus(), min_count=1, vector_size=8, epochs=2, workers=1, callbacks=[counter])
    assert counter.epochs == 2


# ------------------------------------------------------------------ quality on real text (slow)
def _read_raw_corpus(folder):
    import re

    token = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
    sentences = []
    for name in ("movie_reviews.txt", "state_union.txt", "inaugural.txt", "enwiki_sample.txt"):
        with open(folder / name, encoding="utf-8") as f:
            for line in f:
                words = token.findall(line.lower())
                sentences.extend(words[i : i + 10_000] for i in range(0, len(words), 10_000))
    return sentences


def _quality(index_to_key, vectors, data):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(list(index_to_key), np.asarray(vectors))
    pairs = kv.evaluate_word_pairs(str(data / "word-similarity" / "EN-WS-353-ALL.txt"),
                                   delimiter="\t")
    analogy, _ = kv.evaluate_word_analogies(str(data / "word-analogy" / "questions-words.txt"))
    return float(pairs[1][0]), float(analogy)


@pytest.mark.slow
@pytest.mark.parametrize("sg", [1, 0], ids=["skipgram", "cbow"])
def test_quality_matches_gensim_on_real_corpus(shared_data, sg):
    gensim = pytest.importorskip("gensim.models")
    sentences = _read_raw_corpus(shared_data / "raw-corpus-en")
    settings = dict(sg=sg, vector_size=100, window=5, negative=5, min_count=5, epochs=5, workers=2)
    ref = gensim.Word2Vec(sentences, **settings)
    ours = Word2Vec(sentences, **settings)
    assert ours.wv.index_to_key == ref.wv.index_to_key
    ws_ref, an_ref = _quality(ref.wv.index_to_key, ref.wv.vectors, shared_data)
    ws, an = _quality(ours.wv.index_to_key, ours.wv.vectors, shared_data)
    assert ws >= ws_ref - 0.03, (ws, ws_ref)
    assert an >= an_ref - 0.03, (an, an_ref)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("sg", [1, 0])
def test_training_on_cuda(sg):
    model = Word2Vec(planted_corpus(), sg=sg, vector_size=16, window=3, min_count=1, sample=0,
                     epochs=5, workers=1, seed=3, device="cuda")
    assert np.isfinite(model.wv.vectors).all()
    assert group_gap(model.wv) > 0.3


def test_hs_on_auto_device_trains_on_cpu_even_with_cuda(monkeypatch):
    if not _numba.AVAILABLE:
        pytest.skip("hs=1 trains with the numba kernel")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    model = Word2Vec([["a", "b", "c"]] * 20, min_count=1, hs=1, negative=0, vector_size=4,
                     workers=1, device="auto")
    assert model._resolve_device().type == "cpu" and model.syn1.any()
    with pytest.raises(ValueError, match="device='cuda' with the torch kernel"):
        Word2Vec(hs=1, negative=0, device="cuda")


def test_cuda_unavailable_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        Word2Vec([["a", "b"]] * 5, min_count=1, device="cuda")
