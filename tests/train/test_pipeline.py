"""train_classifier / train_tagger: files in, trained and saved model out."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from vectab.train.pipeline import train_classifier, train_tagger
from vectab.train.saving import load_model

POS = ["great", "superb", "lovely", "fine", "moving", "brilliant"]
NEG = ["awful", "dull", "boring", "poor", "weak", "messy"]
FILLER = ["the", "film", "plot", "was", "a", "really", "story", "acting"]


def sentiment_rows(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.choice(["pos", "neg"])
        words = rng.sample(FILLER, 4) + [rng.choice(POS if label == "pos" else NEG)]
        rng.shuffle(words)
        rows.append((" ".join(words), label))
    return rows


def write_tsv(path, rows, header=("sentence", "label")):
    path.write_text("\t".join(header) + "\n" + "".join(f"{t}\t{y}\n" for t, y in rows))
    return path


def write_conll(path, n: int, seed: int):
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        for _ in range(rng.randint(2, 6)):
            if rng.random() < 0.3:
                lines += [f"{rng.choice(['Ann', 'Bob', 'Eve'])} B-PER",
                          f"{rng.choice(['Smith', 'Jones'])} I-PER"]
            else:
                lines.append(f"{rng.choice(FILLER)} O")
        lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def sentiment_files(tmp_path):
    return (write_tsv(tmp_path / "train.tsv", sentiment_rows(300, 0)),
            write_tsv(tmp_path / "dev.tsv", sentiment_rows(80, 1)))


def test_train_classifier_end_to_end(tmp_path, sentiment_files):
    train, dev = sentiment_files
    result = train_classifier(train, valid=dev, text_col="sentence", encoder="mean",
                              embedding_dim=16, epochs=6, lr=0.02, batch_size=16,
                              out=tmp_path / "model")
    assert result.metrics["accuracy"] > 0.9
    files = sorted(p.name for p in (tmp_path / "model").iterdir())
    assert files == ["config.json", "labels.json", "manifest.json", "model.safetensors", "run.json",
                     "tokenizer.json"]
    manifest = json.loads((tmp_path / "model" / "manifest.json").read_text())
    assert "run.json" in manifest["files"]  # written in the same atomic swap as the model
    run = json.loads((tmp_path / "model" / "run.json").read_text())
    assert run["options"]["encoder"] == "mean" and run["metrics"]["accuracy"] > 0.9
    loaded = load_model(tmp_path / "model")
    assert loaded.labels == ["neg", "pos"]
    assert loaded.predict(["a superb lovely film", "an awful dull plot"]) == ["pos", "neg"]
    assert result.model.predict(["a superb lovely film"]) == ["pos"]


def test_same_seed_same_model(tmp_path, sentiment_files):
    train, _ = sentiment_files
    runs = [train_classifier(train, text_col="sentence", encoder="mean", embedding_dim=8,
                             epochs=1, seed=5).model.predict_proba(["the film was great"])
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_train_classifier_with_pretrained_vectors(tmp_path, sentiment_files):
    pytest.importorskip("vectab.vectors.align")
    train, dev = sentiment_files
    rng = np.random.default_rng(0)
    words = POS + NEG + FILLER[:4]
    glove = tmp_path / "vectors.txt"
    glove.write_text("".join(w + " " + " ".join(f"{x:.4f}" for x in rng.normal(size=8)) + "\n"
                             for w in words))
    result = train_classifier(train, valid=dev, text_col="sentence", vectors=glove,
                              freeze="pretrained", encoder="mean", epochs=3, lr=0.02)
    emb = result.model.model.embedding
    assert emb.embedding_dim == 8
    tok = result.model.tokenizer
    from vectab.vectors.io import load_vectors

    vec = load_vectors(glove)
    for word in ("great", "awful"):  # pretrained rows stayed fixed
        np.testing.assert_array_equal(emb.weight.detach().numpy()[tok.word_index[word]],
                                      vec.vectors[vec.key_to_index[word]])


def test_train_tagger_end_to_end(tmp_path):
    train = write_conll(tmp_path / "train.conll", 150, 0)
    dev = write_conll(tmp_path / "dev.conll", 40, 1)
    result = train_tagger(train, valid=dev, embedding_dim=16, hidden_size=16, epochs=6,
                          lr=0.02, out=tmp_path / "tagger")
    assert result.metrics["entity_f1"] > 0.9
    loaded = load_model(tmp_path / "tagger")
    assert loaded.labels == ["O", "B-PER", "I-PER"]
    assert loaded.predict([["the", "Ann", "Smith", "film"]]) == [["O", "B-PER", "I-PER", "O"]]


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"freeze": "some"}, ValueError, "`freeze` must be one of"),
        ({"freeze": "all"}, ValueError, "needs pretrained `vectors`"),
        ({"text_col": "text"}, ValueError, r"text column 'text' not found.*'sentence'"),
        ({"text_col": "sentence", "label_col": "y"}, ValueError, "label column 'y'"),
        ({"text_col": "sentence", "encoder": "transformer"}, ValueError, "encoder"),
    ],
)
def test_classifier_errors(sentiment_files, kwargs, exc, match):
    train, _ = sentiment_files
    kwargs.setdefault("text_col", "sentence")
    with pytest.raises(exc, match=match):
        train_classifier(train, epochs=1, **kwargs)


def test_unseen_labels_and_tags_in_validation(tmp_path, sentiment_files):
    train, _ = sentiment_files
    dev = write_tsv(tmp_path / "odd.tsv", [("fine film", "neutral")])
    with pytest.raises(ValueError, match="odd.tsv: label 'neutral' was not in the training data"):
        train_classifier(train, valid=dev, text_col="sentence", epochs=1)
    ner = write_conll(tmp_path / "t.conll", 20, 0)
    bad = tmp_path / "v.conll"
    bad.write_text("Rome B-LOC\n")
    with pytest.raises(ValueError, match=r"v.conll: tags \['B-LOC'\] do not occur"):
        train_tagger(ner, valid=bad, epochs=1)


def test_extend_vocab_keeps_vectors_of_words_unseen_in_training(tmp_path):
    """Frozen vectors generalize to words first seen at test time only if they have ids."""
    pytest.importorskip("vectab.vectors.align")
    rng = np.random.default_rng(0)
    pos, neg = POS + ["splendid", "wonderful"], NEG + ["dreadful", "tedious"]
    glove = tmp_path / "vectors.txt"
    lines = []
    for words, sign in ((pos, 1.0), (neg, -1.0), (FILLER, 0.0)):
        for w in words:  # dimension 0 carries the sentiment, the rest is noise
            v = np.r_[sign * 2.0, rng.normal(scale=0.3, size=7)]
            lines.append(w + " " + " ".join(f"{x:.4f}" for x in v) + "\n")
    lines.append("Unreachable 1 0 0 0 0 0 0 0\n")  # upper case never comes out of lower=True
    glove.write_text("".join(lines))

    def rows(n, seed, p, q):
        rng_ = random.Random(seed)
        out = []
        for _ in range(n):
            label = rng_.choice(["pos", "neg"])
            words = rng_.sample(FILLER, 3) + [rng_.choice(p if label == "pos" else q)]
            out.append((" ".join(words), label))
        return out

    train = write_tsv(tmp_path / "train.tsv", rows(300, 0, POS[:3], NEG[:3]))
    test = write_tsv(tmp_path / "test.tsv", rows(200, 1, pos[3:], neg[3:]))
    common = dict(text_col="sentence", vectors=glove, freeze="pretrained", encoder="mean",
                  epochs=8, lr=0.05, batch_size=16, seed=0)
    plain = train_classifier(train, valid=test, **common)
    extended = train_classifier(train, valid=test, extend_vocab=True, out=tmp_path / "m", **common)
    tok, tok_plain = extended.model.tokenizer, plain.model.tokenizer
    # the training words keep their ids; the vectors' other reachable words follow
    assert {w: tok.word_index[w] for w in tok_plain.word_index} == tok_plain.word_index
    assert set(tok.word_index) == set(tok_plain.word_index) | set(pos + neg + FILLER) - {""}
    assert "Unreachable" not in tok.word_index and "unreachable" not in tok.word_index
    assert extended.model.model.embedding.num_embeddings == len(tok.word_index) + 1
    # the coverage report describes the training vocabulary, not the added words
    assert extended.coverage.num_words == len(tok_plain.word_index)
    assert plain.metrics["accuracy"] < 0.7  # test sentiment words are all <OOV>
    assert extended.metrics["accuracy"] > 0.95
    loaded = load_model(tmp_path / "m")
    assert loaded.predict(["the film dreadful", "splendid story"]) == ["neg", "pos"]
    with pytest.raises(ValueError, match="`extend_vocab` adds the words of pretrained `vectors`"):
        train_classifier(train, text_col="sentence", extend_vocab=True, epochs=1)
    with pytest.raises(ValueError, match="`extend_vocab` with `num_words`=5"):
        train_classifier(train, text_col="sentence", vectors=glove, extend_vocab=True,
                         num_words=5, epochs=1)
