"""TextClassifier / SequenceTagger with character and casing features (issue #14)."""

from __future__ import annotations

import json

import pytest
import torch

from vectab.models import ClassifierConfig, SequenceTagger, TaggerConfig, TextClassifier
from vectab.nn import Embedding
from vectab.text.chars import CharVocab, casing_ids
from vectab.train.data import TaggingDataset, token_features

TAGS = ["O", "B-PER", "I-PER"]
WORDS = ["the", "film", "Ann", "Smith", "was", "great"]
VOCAB = CharVocab.build([WORDS + ["Zoltan", "QUIMBY", "x"]])


def classifier(**kw):
    torch.manual_seed(0)
    kw.setdefault("num_chars", len(VOCAB))
    return TextClassifier(ClassifierConfig(20, 6, 3, hidden_size=5, dropout=0.0, **kw)).eval()


def tagger(**kw):
    torch.manual_seed(0)
    kw.setdefault("num_chars", len(VOCAB))
    return SequenceTagger(TaggerConfig(20, 6, TAGS, hidden_size=5, dropout=0.0, **kw)).eval()


def batch_of(sentences, ids=None):
    """The batch of token lists as the task datasets build it (post-padded)."""
    ids = ids or [[(3 + i) % 19 + 1 for i in range(len(s))] for s in sentences]
    chars, case = token_features(sentences, char_vocab=VOCAB, casing=True)
    data = TaggingDataset(ids, char_ids=chars, casing_ids=case)
    return data.collate([data[i] for i in range(len(data))])


@pytest.mark.parametrize("config_cls, args", [
    (ClassifierConfig, (20, 6, 3)), (TaggerConfig, (20, 6, TAGS)),
])
def test_config_round_trips_json_and_old_configs_load(config_cls, args):
    config = config_cls(*args, chars="lstm", num_chars=12, char_dim=7, char_out_dim=10,
                        casing=True, casing_dim=4)
    again = config_cls.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    old = config_cls(*args).to_dict()
    for key in ("chars", "num_chars", "char_dim", "char_out_dim", "casing", "casing_dim"):
        del old[key]  # a config saved before the character fields existed
    loaded = config_cls.from_dict(old)
    assert loaded.chars is None and loaded.casing is False and loaded == config_cls(*args)


@pytest.mark.parametrize("config_cls, args", [
    (ClassifierConfig, (20, 6, 3)), (TaggerConfig, (20, 6, TAGS)),
])
@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"chars": "rnn", "num_chars": 9}, ValueError, "`chars` must be one of None, 'cnn', 'lstm'"),
    ({"chars": 1, "num_chars": 9}, TypeError, "`chars` must be one of"),
    ({"chars": "cnn"}, ValueError, r"`num_chars` must be >= 3 with chars='cnn'.*got 0"),
    ({"chars": "cnn", "num_chars": -1}, ValueError, "`num_chars`"),
    ({"chars": "lstm", "num_chars": 9, "char_out_dim": 9}, ValueError,
     "`char_out_dim` must be even with chars='lstm'.*got 9. Pass 10"),
    ({"casing": "yes"}, TypeError, "`casing`"),
    ({"casing": True, "casing_dim": 0}, ValueError, "`casing_dim`"),
    ({"chars": "cnn", "num_chars": 9, "char_dim": 2.5}, TypeError, "`char_dim`"),
])
def test_config_errors_name_the_field(config_cls, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        config_cls(*args, **kwargs)


def test_words_only_models_keep_their_state_dict():
    """No chars/casing: the same modules and tensor names as before the features existed."""
    for model in (classifier(), tagger()):
        keys = list(model.state_dict())
        assert keys[0] == "embedding.weight" and not any(k.startswith("features") for k in keys)
        assert model.features is None


@pytest.mark.parametrize("build", [classifier, tagger])
@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_first_layer_is_word_features_and_table_is_stored_once(build, kind):
    table = Embedding(20, 6, mask_zero=True)
    torch.manual_seed(0)
    model_cls = TextClassifier if build is classifier else SequenceTagger
    config = (ClassifierConfig(20, 6, 3, hidden_size=5, chars=kind, num_chars=len(VOCAB),
                               char_out_dim=8, casing=True, casing_dim=3)
              if build is classifier else
              TaggerConfig(20, 6, TAGS, hidden_size=5, chars=kind, num_chars=len(VOCAB),
                           char_out_dim=8, casing=True, casing_dim=3))
    model = model_cls(config, embedding=table)
    assert model.embedding is table and model.features.word_embedding is table
    assert model.features.output_dim == 6 + 8 + 3
    assert model.encoder.input_size == 6 + 8 + 3
    tables = [k for k in model.state_dict() if k.endswith("word_embedding.weight")
              or k == "embedding.weight"]
    assert tables == ["features.word_embedding.weight"]


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_gradient_reaches_the_character_and_casing_parameters(kind):
    model = tagger(chars=kind, casing=True).train()
    batch = batch_of([["the", "Ann", "Smith"], ["Zoltan"]])
    batch["tags"] = torch.tensor([[0, 1, 2], [1, 0, 0]])
    model.loss(batch).backward()
    for name, p in model.named_parameters():
        if name.startswith("features."):
            assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_unseen_words_with_the_same_id_differ_by_their_characters():
    """Two words unknown to the table (the same OOV id) get different emissions with chars."""
    oov = 1
    words_only = tagger()
    with_chars = tagger(chars="cnn", casing=True)
    batch = batch_of([["Zoltan", "x"]], ids=[[oov, oov]])
    e_words = words_only(batch["ids"])
    e_chars = with_chars(batch["ids"], None, batch["char_ids"], batch["casing_ids"])
    assert torch.equal(words_only.embedding(batch["ids"])[0, 0],
                       words_only.embedding(batch["ids"])[0, 1])
    assert not torch.allclose(e_chars[0, 0], e_chars[0, 1])
    # the BiLSTM context differs by position, so compare the inputs too
    inputs = with_chars._inputs(batch["ids"], batch["char_ids"], batch["casing_ids"])
    assert not torch.allclose(inputs[0, 0], inputs[0, 1])
    assert e_words.shape == e_chars.shape


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_padding_invariance_with_characters(kind):
    """A sentence alone and in a batch with longer sentences and longer words: same output."""
    short = ["the", "Ann"]
    longer = [["Zoltan", "QUIMBY", "was", "great", "the", "film"], ["x"]]
    alone = batch_of([short])
    together = batch_of([short] + longer)
    assert together["char_ids"].shape[1:] > alone["char_ids"].shape[1:]
    t, c = tagger(chars=kind, casing=True), classifier(chars=kind, casing=True)
    with torch.no_grad():
        pa, pb = t.predict_proba(alone), t.predict_proba(together)
        torch.testing.assert_close(pb[0, : len(short)], pa[0], rtol=1e-5, atol=1e-6)
        assert torch.equal(t.decode(together)[0, : len(short)], t.decode(alone)[0])
        torch.testing.assert_close(c.predict_proba(together)[0], c.predict_proba(alone)[0],
                                   rtol=1e-5, atol=1e-6)


def test_missing_character_ids_is_an_error_naming_them():
    model = classifier(chars="cnn")
    batch = batch_of([["the", "film"]])
    del batch["char_ids"]
    with pytest.raises(ValueError, match="`char_ids` is required"):
        model.decode(batch)
    cased = tagger(casing=True)
    with pytest.raises(ValueError, match="`casing_ids` is required"):
        cased.decode({"ids": batch["ids"]})
    # a words-only model ignores the feature ids a batch may carry
    assert classifier().decode(batch_of([["the", "film"]])).shape == (1,)


def test_casing_features_see_the_case():
    """casing ids differ for 'great' / 'GREAT' and so does a casing model's output."""
    model = classifier(casing=True)
    lower, upper = batch_of([["great"]]), batch_of([["GREAT"]])
    assert casing_ids(["great", "GREAT"]) == [1, 2]
    with torch.no_grad():
        assert not torch.allclose(model.predict_proba(lower), model.predict_proba(upper))
