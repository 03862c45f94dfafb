"""Saved model directories: files, round trip, labels as written, embedding export, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from vectab.errors import ModelFormatError
from vectab.models import ClassifierConfig, SequenceTagger, TaggerConfig, TextClassifier
from vectab.text import Tokenizer
from vectab.train.saving import LoadedModel, load_model, save_model, token_ids

TEXTS = ["a good film", "a bad film", "good good", "bad plot", "an odd one"]


def classifier(vocab: int, num_classes: int = 2) -> TextClassifier:
    torch.manual_seed(0)
    config = ClassifierConfig(vocab, 6, num_classes, encoder="bigru", hidden_size=5)
    return TextClassifier(config).eval()


@pytest.fixture
def tokenizer():
    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    return tok


def test_directory_layout_and_round_trip(tmp_path, tokenizer):
    model = classifier(len(tokenizer.word_index) + 1, 3)
    labels = [-1, 0, 1]  # ints as written in a training file
    save_model(tmp_path, model, tokenizer=tokenizer, labels=labels,
               trainer_config={"lr": 0.001}, preprocessing={"max_len": 4})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.json", "labels.json", "manifest.json", "model.safetensors", "tokenizer.json"]
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["model_type"] == "TextClassifier" and config["task"] == "classification"
    assert config["model_config"]["num_classes"] == 3 and config["trainer_config"] == {"lr": 0.001}
    assert "vectab_version" in config
    assert json.loads((tmp_path / "labels.json").read_text()) == {"labels": [-1, 0, 1]}
    assert set(load_file(str(tmp_path / "model.safetensors"))) == set(model.state_dict())

    loaded = load_model(tmp_path)
    assert isinstance(loaded, LoadedModel) and loaded.labels == labels
    assert loaded.tokenizer.word_index == tokenizer.word_index
    for k, v in model.state_dict().items():
        assert torch.equal(v, loaded.model.state_dict()[k])
    pred = loaded.predict(TEXTS + [""])
    assert len(pred) == 6 and all(type(p) is int and p in labels for p in pred)
    proba = loaded.predict_proba(TEXTS)
    assert proba.shape == (5, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    assert [labels[i] for i in proba.argmax(1)] == pred[:5]


def test_predictions_match_the_in_memory_model(tmp_path, tokenizer):
    model = classifier(len(tokenizer.word_index) + 1)
    save_model(tmp_path, model, tokenizer=tokenizer, labels=["neg", "pos"])
    loaded = load_model(tmp_path)
    from vectab.train.data import ClassificationDataset

    data = ClassificationDataset(tokenizer.texts_to_sequences(TEXTS))
    batch = data.collate([data[i] for i in range(len(data))])
    with torch.no_grad():
        expected = model.predict_proba(batch).numpy()
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), expected, rtol=1e-5, atol=1e-6)
    assert loaded.predict(["good"])[0] in ("neg", "pos")


def test_tagger_round_trip(tmp_path):
    tok = Tokenizer(oov_token="<OOV>", lower=False, filters="")
    tok.fit_on_texts([["John", "lives", "in", "Paris"]])
    torch.manual_seed(0)
    tags = ["O", "B-PER", "B-LOC"]
    model = SequenceTagger(TaggerConfig(len(tok.word_index) + 1, 4, tags=tags,
                                        hidden_size=3)).eval()
    save_model(tmp_path, model, tokenizer=tok)
    assert json.loads((tmp_path / "labels.json").read_text()) == {"tags": tags}
    loaded = load_model(tmp_path)
    out = loaded.predict([["John", "lives", "in", "Paris"], ["Unseen"]])
    assert [len(s) for s in out] == [4, 1] and all(t in tags for s in out for t in s)
    with pytest.raises(TypeError, match="list of token lists"):
        loaded.predict(["John lives"])
    with pytest.raises(TypeError, match="needs a classifier"):
        loaded.predict_proba(["John"])


def test_token_ids_never_drop_tokens():
    tok = Tokenizer(num_words=3, oov_token="<OOV>", lower=False, filters="")
    tok.fit_on_texts([["a", "a", "b", "c"]])  # ids: <OOV>=1, a=2, b=3 (>= num_words), c=4
    assert token_ids(tok, ["a", "b", "zzz"]) == [2, 1, 1]


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove", "vectab"])
def test_export_embedding_reloads_with_the_same_ids(tmp_path, tokenizer, fmt):
    from vectab.vectors.io import load_vectors

    model = classifier(len(tokenizer.word_index) + 1)
    save_model(tmp_path / "m", model, tokenizer=tokenizer, labels=[0, 1])
    loaded = load_model(tmp_path / "m")
    path = tmp_path / f"emb.{fmt}"
    loaded.export_embedding(path, format=fmt)
    vectors = load_vectors(path, format=fmt)
    table = model.embedding.weight.detach().numpy()
    assert vectors.index_to_key == [tokenizer.index_word[i] for i in range(1, table.shape[0])]
    for word, i in tokenizer.word_index.items():
        np.testing.assert_allclose(vectors.vectors[vectors.key_to_index[word]], table[i], rtol=1e-6)


def test_export_then_from_vectors_rebuilds_the_table(tmp_path, tokenizer):
    pytest.importorskip("vectab.vectors.align")
    from vectab.nn import Embedding
    from vectab.vectors.io import load_vectors

    model = classifier(len(tokenizer.word_index) + 1)
    save_model(tmp_path / "m", model, tokenizer=tokenizer, labels=[0, 1])
    load_model(tmp_path / "m").export_embedding(tmp_path / "e.txt", format="word2vec")
    layer = Embedding.from_vectors(load_vectors(tmp_path / "e.txt"), tokenizer, freeze=False)
    np.testing.assert_allclose(layer.weight.detach().numpy()[1:],
                               model.embedding.weight.detach().numpy()[1:], rtol=1e-6)


def _hand_built(directory, files: dict[str, str]):
    """A directory written by hand, made valid with a manifest (as atomic_dir writes it)."""
    from vectab._fileio import atomic_dir

    with atomic_dir(directory) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text)
    return directory


def test_load_errors(tmp_path, tokenizer):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_model(tmp_path / "nothing")
    with pytest.raises(ModelFormatError, match="manifest.json: missing.*re-save"):
        load_model(tmp_path)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelFormatError, match="manifest.json: missing.*re-save"):
        load_model(tmp_path)  # a directory without a manifest is refused before anything is read
    weights = {"model.safetensors": "x"}
    with pytest.raises(ValueError, match="config.json: not valid JSON"):
        load_model(_hand_built(tmp_path / "a", {"config.json": "{oops", **weights}))
    bad_type = json.dumps({"model_type": "Nope", "model_config": {}})
    with pytest.raises(ValueError, match="unknown model_type 'Nope'"):
        load_model(_hand_built(tmp_path / "b", {"config.json": bad_type, **weights}))
    # a tokenizer with more words than the table: vocabulary mismatch
    small = classifier(3)
    save_model(tmp_path / "m", small, tokenizer=tokenizer, labels=[0, 1])
    with pytest.raises(ValueError, match="vocabulary mismatch"):
        load_model(tmp_path / "m")
    (tmp_path / "m" / "model.safetensors").unlink()
    with pytest.raises(ModelFormatError, match="model.safetensors: missing"):
        load_model(tmp_path / "m")


def test_save_and_predict_errors(tmp_path, tokenizer):
    with pytest.raises(TypeError, match="vectab task model"):
        save_model(tmp_path, torch.nn.Linear(2, 2))
    model = classifier(len(tokenizer.word_index) + 1)
    save_model(tmp_path, model, tokenizer=tokenizer, labels=[0, 1])
    with pytest.raises(TypeError, match="not one string"):
        load_model(tmp_path).predict("a good film")
