"""``Word2Vec.load`` checks its file before trusting it (issue #9, section 2).

Each case rewrites one part of a real saved model's header JSON or tensors and expects a
``ModelFormatError`` naming the file and the field; a file can never set an attribute that
is not one of the model's known state names.
"""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

from vectab.errors import ModelFormatError
from vectab.models import Word2Vec

SENTENCES = [["cat", "say", "meow"], ["dog", "say", "woof"], ["cat", "dog", "play"]] * 10


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = Word2Vec(SENTENCES, vector_size=4, min_count=1, epochs=1, workers=1, seed=3)
    path = tmp_path_factory.mktemp("w2v") / "model.w2v"
    model.save(path)
    return path, model


def _read(path):
    with safe_open(str(path), framework="numpy") as f:
        meta = json.loads(f.metadata()["vectab"])
        arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    return meta, arrays


def _rewrite(src, dst, *, meta=None, tensors=None):
    old_meta, arrays = _read(src)
    if meta is not None:
        meta(old_meta)
    if tensors is not None:
        tensors(arrays)
    save_file(arrays, str(dst), metadata={"vectab": json.dumps(old_meta)})


def state(**kv):
    return {"meta": lambda m: m["state"].update(kv)}


def settings(**kv):
    return {"meta": lambda m: m["settings"].update(kv)}


def arrays(fn):
    return {"tensors": fn}


def _nan(a):
    a["vectors"] = a["vectors"].copy()
    a["vectors"][1, 2] = np.nan


def _inf(a):
    a["syn1neg"] = a["syn1neg"].copy()
    a["syn1neg"][0, 0] = np.inf


def _negative(a):
    a["counts"] = a["counts"].copy()
    a["counts"][0] = -5


CASES = {
    "state_replaces_train": (state(train="pwned"), "state", "train"),
    "state_sets_class": (state(__class__="object"), "state", "__class__"),
    "state_missing_name": ({"meta": lambda m: m["state"].pop("corpus_count")},
                           "state", "corpus_count"),
    "state_count_float": (state(corpus_count=3.5), "state.corpus_count", "3.5"),
    "state_count_negative": (state(train_count=-1), "state.train_count", "-1"),
    "state_loss_string": (state(running_training_loss="0"), "state.running_training_loss", '"0"'),
    "state_epoch_losses_not_list": (state(epoch_losses="x"), "state.epoch_losses", '"x"'),
    "settings_replace_method": (settings(save="pwned"), "settings", "save"),
    "settings_missing": ({"meta": lambda m: m["settings"].pop("window")}, "settings", "window"),
    "vector_size_string": (settings(vector_size="4"), "settings.vector_size", '"4"'),
    "vector_size_float": (settings(vector_size=4.0), "settings.vector_size", "4.0"),
    "sg_bool": (settings(sg=True), "settings.sg", "true"),
    "sg_two": (settings(sg=2), "settings.sg", "2"),
    "hs_two": (settings(hs=2), "settings.hs", "2"),
    "negative_minus": (settings(negative=-1), "settings.negative", "-1"),
    "hs_and_negative_zero": (settings(negative=0), "settings.negative", "nothing would be"),
    "syn1_rows_without_hs": (arrays(lambda a: a.update(syn1=np.zeros((3, 4), np.float32))),
                             "syn1", "(3, 4)"),
    "alpha_negative": (settings(alpha=-0.1), "settings.alpha", "-0.1"),
    "min_alpha_above_alpha": (settings(min_alpha=1.0), "settings.min_alpha", "alpha"),
    "compute_loss_string": (settings(compute_loss="yes"), "settings.compute_loss", '"yes"'),
    "device_unknown": (settings(device="gpu"), "settings.device", '"gpu"'),
    "max_vocab_size_zero": (settings(max_vocab_size=0), "settings.max_vocab_size", "0"),
    "format_unknown": ({"meta": lambda m: m.update(format="gensim/4")}, "format", "gensim/4"),
    "unknown_top_key": ({"meta": lambda m: m.update(hook="x")}, None, "hook"),
    "words_duplicate": ({"meta": lambda m: m["index_to_key"].__setitem__(1, m["index_to_key"][0])},
                        "index_to_key", "twice"),
    "words_not_strings": ({"meta": lambda m: m["index_to_key"].__setitem__(0, 7)},
                          "index_to_key[0]", "7"),
    "words_fewer_than_rows": ({"meta": lambda m: m["index_to_key"].pop()}, "vectors", "words"),
    "vectors_other_dim": (arrays(lambda a: a.update(
                              vectors=np.zeros((len(a["counts"]), 5), np.float32))),
                          "vectors", "vector_size 4"),
    "syn1neg_other_rows": (arrays(lambda a: a.update(syn1neg=np.zeros((2, 4), np.float32))),
                           "syn1neg", "(2, 4)"),
    "counts_float": (arrays(lambda a: a.update(counts=a["counts"].astype(np.float32))),
                     "counts", "F32"),
    "sample_int_2d": (arrays(lambda a: a.update(sample_int=a["sample_int"][:, None].copy())),
                      "sample_int", "U32"),
    "tensor_missing": (arrays(lambda a: a.pop("syn1neg")), None, "syn1neg"),
    "tensor_extra": (arrays(lambda a: a.update(extra=np.zeros(1, np.float32))), None, "extra"),
    "vectors_nan": (arrays(_nan), "vectors", "NaN"),
    "syn1neg_inf": (arrays(_inf), "syn1neg", "inf"),
    "counts_negative": (arrays(_negative), "counts", "-5"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampered_word2vec_file_is_refused(saved, tmp_path, case):
    src, _ = saved
    change, field, word = CASES[case]
    path = tmp_path / "bad.w2v"
    _rewrite(src, path, **change)
    train_before = Word2Vec.train
    with pytest.raises(ModelFormatError) as info:
        Word2Vec.load(path)
    err = info.value
    assert err.path == str(path) and err.field == field, str(err)
    assert str(err).startswith(f"{path}: {field}: " if field else f"{path}: ")
    assert word in str(err)
    assert Word2Vec.train is train_before


def test_valid_file_round_trips_and_trains_on(saved):
    path, model = saved
    loaded = Word2Vec.load(path)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    assert loaded.epoch_losses == model.epoch_losses and loaded.corpus_count == model.corpus_count
    loaded.train(SENTENCES, total_examples=loaded.corpus_count, epochs=1)  # still the real method
    assert loaded.train_count == model.train_count + 1


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_special_files_are_refused_without_blocking(tmp_path, kind):
    path = tmp_path / "model.w2v"
    os.mkfifo(path) if kind == "fifo" else path.mkdir()

    def expire(signum, frame):
        raise TimeoutError("Word2Vec.load blocked on a special file")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    try:
        with pytest.raises(ModelFormatError, match="expected a regular file"):
            Word2Vec.load(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_hs_model_round_trips_with_its_tree(tmp_path):
    """hs=1, negative=0: syn1 is stored, syn1neg has no rows, the Huffman tree is rebuilt."""
    model = Word2Vec(vector_size=4, min_count=0, hs=1, negative=0, workers=1, seed=3)
    model.build_vocab(SENTENCES)
    model.syn1[:] = np.arange(model.syn1.size, dtype=np.float32).reshape(model.syn1.shape)
    path = tmp_path / "hs.w2v"
    model.save(path)
    loaded = Word2Vec.load(path)
    assert (loaded.hs, loaded.negative, loaded.min_count) == (1, 0, 0)
    np.testing.assert_array_equal(loaded.syn1, model.syn1)
    assert loaded.syn1neg.shape == (0, 4)
    for name in ("codes", "points", "code_offsets"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
    bad = tmp_path / "bad.w2v"
    _rewrite(path, bad, tensors=lambda a: a.pop("syn1"))
    with pytest.raises(ModelFormatError, match="syn1"):
        Word2Vec.load(bad)


def test_file_from_before_hs_loads_as_hs0(saved, tmp_path):
    src, model = saved
    old = tmp_path / "old.w2v"
    _rewrite(src, old, meta=lambda m: m["settings"].pop("hs"), tensors=lambda a: a.pop("syn1"))
    loaded = Word2Vec.load(old)
    assert loaded.hs == 0 and loaded.syn1.shape == (0, 4)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
