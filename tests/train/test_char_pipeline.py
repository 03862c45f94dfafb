"""Character and casing features through the recipes, the saved model and predict (issue #14).

The tagging data is made so that only characters can help with new names: person names are
random capitalised strings and some other words random lower-case ones, none of them the same
in the test sentences as in training (each is a word the table has never seen), among filler
words in random order (the context says nothing).
"""

from __future__ import annotations

import json
import random
import string

import numpy as np
import pytest
import torch

from vectab.errors import ModelFormatError
from vectab.text import Tokenizer
from vectab.text.chars import CharVocab, casing_ids
from vectab.train.data import ClassificationDataset, TaggingDataset, token_features
from vectab.train.pipeline import train_classifier, train_tagger
from vectab.train.saving import load_model, save_model, text_tokens

FILLER = ["the", "film", "plot", "was", "a", "really", "story", "acting", "in", "of"]
POS, NEG = ["great", "superb", "lovely"], ["awful", "dull", "boring"]


def rare_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 8)))


def name(rng: random.Random) -> str:
    return rare_word(rng).capitalize()


def ner_sentences(n: int, seed: int) -> list[list[tuple[str, str]]]:
    rng = random.Random(seed)
    sents = []
    for _ in range(n):
        sent = []
        for _ in range(rng.randint(2, 6)):
            if rng.random() < 0.3:
                sent += [(name(rng), "B-PER"), (name(rng), "I-PER")]
            elif rng.random() < 0.3:
                sent.append((rare_word(rng), "O"))
            else:
                sent.append((rng.choice(FILLER), "O"))
        sents.append(sent)
    return sents


def write_conll(path, sents):
    path.write_text("".join("".join(f"{w} {t}\n" for w, t in s) + "\n" for s in sents))
    return path


def write_csv(path, n, seed):
    rng = random.Random(seed)
    lines = ["text,label"]
    for _ in range(n):
        y = rng.choice(["pos", "neg"])
        words = rng.sample(FILLER, 3) + [rng.choice(POS if y == "pos" else NEG)]
        rng.shuffle(words)
        lines.append(f"{' '.join(words)},{y}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def tagger_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chars")
    train = write_conll(tmp / "train.conll", ner_sentences(60, 0))
    result = train_tagger(train, chars="cnn", casing=True, embedding_dim=8, hidden_size=16,
                          char_dim=8, char_out_dim=16, epochs=5, lr=0.02, batch_size=16,
                          out=tmp / "tagger")
    return result, tmp / "tagger"


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chars-clf")
    train = write_csv(tmp / "train.csv", 150, 0)
    result = train_classifier(train, chars="lstm", casing=True, embedding_dim=8,
                              hidden_size=8, char_dim=6, char_out_dim=8, epochs=2,
                              out=tmp / "clf")
    return result, tmp / "clf"


def test_saved_tagger_predicts_the_same_tags_on_raw_text(tagger_dir):
    result, out = tagger_dir
    assert sorted(p.name for p in out.iterdir()) == [
        "chars.json", "config.json", "labels.json", "manifest.json", "model.safetensors",
        "run.json", "tokenizer.json"]
    config = json.loads((out / "config.json").read_text())
    assert config["model_config"]["chars"] == "cnn" and config["model_config"]["casing"]
    vocab = CharVocab.from_dict(json.loads((out / "chars.json").read_text()))
    assert vocab == result.model.char_vocab and config["model_config"]["num_chars"] == len(vocab)
    loaded = load_model(out)
    test = [[w for w, _ in s] for s in ner_sentences(30, 99)]  # names never seen in training
    test += [["the", "ZOLTAN", "qUIMBY", "film"], ["McDonald", "Öström", "x"], []]
    assert loaded.predict(test) == result.model.predict(test)


def test_tagger_tags_names_it_never_saw_by_their_characters(tagger_dir):
    """Every name and rare word of these sentences is new: token accuracy 1.0 with chars and
    casing, 0.69 with the same recipe on words only (all new words are one OOV id)."""
    _, out = tagger_dir
    loaded = load_model(out)
    sents = ner_sentences(40, 7)
    pred = loaded.predict([[w for w, _ in s] for s in sents])
    gold = [[t for _, t in s] for s in sents]
    correct = sum(p == g for ps, gs in zip(pred, gold) for p, g in zip(ps, gs))
    assert correct / sum(map(len, gold)) > 0.9


def test_saved_classifier_predicts_the_same_on_raw_text(classifier_dir):
    result, out = classifier_dir
    loaded = load_model(out)
    assert loaded.char_vocab == result.model.char_vocab
    texts = ["the Great film", "a DULL plot, really!", "Zzyzx qwerty superb", ""]
    np.testing.assert_array_equal(loaded.predict_proba(texts), result.model.predict_proba(texts))
    assert loaded.predict(texts) == result.model.predict(texts)
    # characters and casing see the text as written: the case changes the probabilities
    cased = loaded.predict_proba(["the GREAT film", "the great film"])
    assert not np.allclose(cased[0], cased[1])


def test_padding_invariance_end_to_end(tagger_dir, classifier_dir):
    """A sentence alone predicts what it predicts in a batch with longer sentences."""
    loaded = load_model(classifier_dir[1])
    texts = ["a film", "the Extraordinarily superb acting of a really long story, Zoltan", "x"]
    together = loaded.predict_proba(texts)
    for i, text in enumerate(texts):
        np.testing.assert_allclose(loaded.predict_proba([text])[0], together[i], rtol=1e-5,
                                   atol=1e-6)
    tagger = load_model(tagger_dir[1])
    sents = [["Ann", "was"], ["the", "Maximiliano", "Wolfeschlegel", "story", "of", "a", "film"]]
    data = TaggingDataset([[1, 2], [3, 1, 1, 4, 5, 6, 7]],
                          **dict(zip(("char_ids", "casing_ids"), token_features(
                              sents, char_vocab=tagger.char_vocab, casing=True))))
    with torch.no_grad():
        both = tagger.model.predict_proba(data.collate([data[0], data[1]]))
        alone = tagger.model.predict_proba(data.collate([data[0]]))
    torch.testing.assert_close(both[0, :2], alone[0], rtol=1e-5, atol=1e-6)
    assert tagger.predict(sents[:1]) == tagger.predict(sents)[:1]


def test_old_model_directories_without_characters_still_load(tmp_path):
    """A words-only model saved before the character fields existed (no such keys, no
    chars.json) loads and predicts as before."""
    from vectab import _fileio

    train = write_conll(tmp_path / "train.conll", ner_sentences(30, 0))
    result = train_tagger(train, embedding_dim=8, hidden_size=8, epochs=1, chars=None,
                          casing=False, out=tmp_path / "m")
    config_path = tmp_path / "m" / "config.json"
    config = json.loads(config_path.read_text())
    for key in ("chars", "num_chars", "char_dim", "char_out_dim", "casing", "casing_dim"):
        config["model_config"].pop(key)
    config_path.write_text(json.dumps(config))
    (tmp_path / "m" / "manifest.json").unlink()
    _fileio._write_manifest(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.char_vocab is None and loaded.model.features is None
    sents = [["the", "Ann", "film"], ["Bob"]]
    assert loaded.predict(sents) == result.model.predict(sents)


def test_char_vocabulary_is_required_and_checked(tagger_dir, tmp_path):
    result, out = tagger_dir
    model = result.model.model
    with pytest.raises(TypeError, match="`char_vocab` must be the vectab.text.CharVocab"):
        save_model(tmp_path / "a", model, tokenizer=result.model.tokenizer)
    with pytest.raises(ValueError, match="`char_vocab` has 3 ids but the model's"):
        save_model(tmp_path / "a", model, tokenizer=result.model.tokenizer,
                   char_vocab=CharVocab(["a"]))
    save_model(tmp_path / "b", model, tokenizer=result.model.tokenizer,
               char_vocab=result.model.char_vocab)
    (tmp_path / "b" / "chars.json").write_text(json.dumps(CharVocab(["a"]).to_dict()))
    (tmp_path / "b" / "manifest.json").unlink()
    from vectab import _fileio

    _fileio._write_manifest(tmp_path / "b")
    with pytest.raises(ModelFormatError, match=r"chars.json: chars: expected \d+ characters"):
        load_model(tmp_path / "b")
    (tmp_path / "b" / "chars.json").unlink()
    (tmp_path / "b" / "manifest.json").unlink()
    _fileio._write_manifest(tmp_path / "b")
    with pytest.raises(ModelFormatError, match="chars.json: missing; the config has chars='cnn'"):
        load_model(tmp_path / "b")
    save_model(tmp_path / "c", model, tokenizer=result.model.tokenizer,
               char_vocab=result.model.char_vocab)
    config = json.loads((tmp_path / "c" / "config.json").read_text())
    config["model_config"]["num_chars"] += 1
    (tmp_path / "c" / "config.json").write_text(json.dumps(config))
    (tmp_path / "c" / "manifest.json").unlink()
    _fileio._write_manifest(tmp_path / "c")
    with pytest.raises(ModelFormatError, match=r"config.json: model_config.num_chars: expected a "
                                               r"config that fits features.chars.embedding.weight"):
        load_model(tmp_path / "c")


def test_text_tokens_keep_the_case_and_match_the_tokenizer_ids():
    texts = ["The GREAT film, really!", "McDonald's  Öström\tx", "", "!!!", "a b-c d"]
    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(texts[:1])
    ids, tokens = text_tokens(tok, texts)
    assert ids == tok.texts_to_sequences(texts)
    assert tokens[0] == ["The", "GREAT", "film", "really"]
    assert tokens[1] == ["McDonald's", "Öström", "x"]
    assert [t.lower() for t in tokens[4]] == ["a", "b", "c", "d"]
    assert [len(t) for t in tokens] == [len(i) for i in ids]
    # without an oov_token the tokenizer drops unknown words: their tokens go too
    plain = Tokenizer()
    plain.fit_on_texts(["the film"])
    assert text_tokens(plain, ["The new Film"]) == ([[1, 2]], [["The", "Film"]])


def test_datasets_pad_features_where_they_pad_ids():
    vocab = CharVocab.build([["Ann", "runs", "x"]])
    sents = [["Ann", "runs", "far"], ["x"], []]
    chars, case = token_features(sents, char_vocab=vocab, casing=True, max_word_len=3)
    data = ClassificationDataset([[5, 6, 7], [8], []], max_len=2, char_ids=chars,
                                 casing_ids=case)
    batch = data.collate([data[i] for i in range(3)])
    assert batch["char_ids"].shape == (3, 2, 3) and batch["casing_ids"].shape == (3, 2)
    expected = vocab.encode_batch([sents[0][:2]], max_word_len=3)[0].tolist()
    assert batch["char_ids"][0].tolist() == expected
    assert batch["char_ids"][1, 1].tolist() == [0, 0, 0] and not batch["char_ids"][2].any()
    assert batch["casing_ids"].tolist() == [casing_ids(["Ann", "runs"]), [1, 0], [0, 0]]
    tagging = TaggingDataset([[5, 6, 7], [8]], [[0, 1, 0], [1]], char_ids=chars[:2],
                             casing_ids=case[:2])
    tb = tagging.collate([tagging[0], tagging[1]])
    assert tb["char_ids"].shape[:2] == tb["ids"].shape == tb["casing_ids"].shape
    assert ((tb["char_ids"][..., 0] != 0) == tb["mask"]).all()
    with pytest.raises(ValueError, match=r"`char_ids\[0\]` has shape \(3, 3\) but example 0 has "
                                         "2 tokens"):
        TaggingDataset([[5, 6]], char_ids=chars[:1])
    with pytest.raises(ValueError, match="`casing_ids` has 1 entries but `sequences` has 2"):
        TaggingDataset([[5], [6]], casing_ids=[[1]])


def test_run_options_are_the_model_configs_and_default_off():
    from vectab.models._config import CHAR_KINDS
    from vectab.train.run_config import CHAR_CHOICES, ClassifierRun, TaggerRun

    assert CHAR_CHOICES == CHAR_KINDS
    run = ClassifierRun("t")
    assert run.chars is None and run.casing is False
    run = TaggerRun("t")  # the CLI tagger's defaults are the WNUT-17 recipe (#14)
    assert run.chars == "cnn" and run.casing is True
    for run_cls in (ClassifierRun, TaggerRun):
        opts = run_cls("t", chars="lstm", casing=True, char_out_dim=10).model_options()
        assert (opts["chars"], opts["casing"], opts["char_out_dim"]) == ("lstm", True, 10)
        with pytest.raises(ValueError, match="`char_out_dim` must be even"):
            run_cls("t", chars="lstm", char_out_dim=9)
