"""``refit``: after early stopping on ``valid``, a fresh model trained on train + valid for the
epochs the validation chose is the one saved (the WNUT-17 recipe, issue #14)."""

from __future__ import annotations

import json

import pytest
import torch

from vectab.train.pipeline import train_classifier, train_tagger
from vectab.train.saving import load_model

from .test_pipeline import sentiment_rows, write_conll, write_tsv

TAGGER = {"embedding_dim": 8, "hidden_size": 8, "epochs": 4, "lr": 0.02, "chars": None,
          "casing": False, "early_stopping_patience": 1, "device": "cpu"}
CLASSIFIER = {"text_col": "sentence", "embedding_dim": 8, "hidden_size": 8, "epochs": 3,
              "lr": 0.02, "device": "cpu"}


def _same_weights(a, b) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for name in sa:
        torch.testing.assert_close(sa[name], sb[name], rtol=0, atol=0, msg=name)


def test_refit_needs_a_validation_file(tmp_path):
    train = write_conll(tmp_path / "train.conll", 10, 0)
    with pytest.raises(ValueError, match=r"`refit` .* needs `valid` \(--valid FILE\)"):
        train_tagger(train, refit=True)


def test_tagger_refit_is_a_fresh_run_on_train_plus_valid(tmp_path):
    train = write_conll(tmp_path / "train.conll", 60, 0)
    dev = write_conll(tmp_path / "dev.conll", 20, 1)
    dev.write_text(dev.read_text().replace("story O", "Zed B-PER"))  # a word only valid has
    first = train_tagger(train, valid=dev, **TAGGER)
    refit = train_tagger(train, valid=dev, refit=True, out=tmp_path / "model", **TAGGER)
    epochs = first.history.best_epoch + 1
    assert refit.refit_epochs == epochs
    # reported numbers: the validated first run's
    assert refit.metrics == first.metrics
    assert refit.history.history == first.history.history
    # the saved model: the same as training on the two files joined, for that many epochs
    both = tmp_path / "both.conll"
    both.write_text(train.read_text() + "\n" + dev.read_text())
    joined = train_tagger(both, **{**TAGGER, "epochs": epochs})
    _same_weights(refit.model.model, joined.model.model)
    loaded = load_model(tmp_path / "model")
    assert "zed" in loaded.tokenizer.word_index  # the valid file's words have their own ids
    _same_weights(loaded.model, joined.model.model)
    record = json.loads((tmp_path / "model" / "run.json").read_text())
    assert record["options"]["refit"] is True and record["options"]["epochs"] == TAGGER["epochs"]
    assert record["refit"]["epochs"] == epochs
    assert len(record["refit"]["history"]["loss"]) == epochs
    assert record["metrics"] == first.metrics


def test_classifier_refit_is_a_fresh_run_on_train_plus_valid(tmp_path):
    train = write_tsv(tmp_path / "train.tsv", sentiment_rows(120, 0))
    dev = write_tsv(tmp_path / "dev.tsv", sentiment_rows(40, 1))
    first = train_classifier(train, valid=dev, **CLASSIFIER)
    refit = train_classifier(train, valid=dev, refit=True, out=tmp_path / "model", **CLASSIFIER)
    epochs = first.history.best_epoch + 1
    assert refit.refit_epochs == epochs and refit.metrics == first.metrics
    both = write_tsv(tmp_path / "both.tsv", sentiment_rows(120, 0) + sentiment_rows(40, 1))
    joined = train_classifier(both, **{**CLASSIFIER, "epochs": epochs})
    _same_weights(refit.model.model, joined.model.model)
    assert load_model(tmp_path / "model").predict(["a superb film"]) == \
        joined.model.predict(["a superb film"])


def test_cli_refit_says_which_model_it_saved(tmp_path):
    from typer.testing import CliRunner

    from vectab.cli.main import app

    train = write_conll(tmp_path / "train.conll", 40, 0)
    dev = write_conll(tmp_path / "dev.conll", 15, 1)
    result = CliRunner().invoke(app, [
        "train", "tagger", "--train", str(train), "--valid", str(dev), "--out",
        str(tmp_path / "m"), "--refit", "--epochs", "2", "--embedding-dim", "8",
        "--hidden-size", "8", "--chars", "none", "--no-casing", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "refit on train + valid: " in result.stdout
    record = json.loads((tmp_path / "m" / "run.json").read_text())
    assert record["options"]["refit"] is True and 1 <= record["refit"]["epochs"] <= 2


def test_the_tagger_averages_its_weights_when_asked(tmp_path):
    train = write_conll(tmp_path / "train.conll", 30, 0)
    dev = write_conll(tmp_path / "dev.conll", 10, 1)
    plain = train_tagger(train, valid=dev, **{**TAGGER, "epochs": 2})
    averaged = train_tagger(train, valid=dev, ema=0.5, out=tmp_path / "m",
                            **{**TAGGER, "epochs": 2})
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["trainer_config"]["ema"] == 0.5
    a, b = plain.model.model.state_dict(), averaged.model.model.state_dict()
    assert any(not torch.equal(a[k], b[k]) for k in a)  # the saved weights are the average
