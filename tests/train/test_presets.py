"""Named presets of the training runs (`preset="sst2-like"`, `--preset`): the preset fills the
options not given, an option given always wins, run.json keeps what was resolved (#14)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from vectab.train import pipeline
from vectab.train.run_config import ClassifierRun, RunConfig, TaggerRun

PRESETS = [(ClassifierRun, "sst2-like"), (TaggerRun, "wnut17-like")]
VECTORS = {"vectors": "glove.txt", "valid": "dev.txt"}  # recipes on pretrained vectors,
# early stopping on a validation file (wnut17-like also refits on train + valid)


@pytest.mark.parametrize(("run_cls", "name"), PRESETS)
def test_preset_fills_the_options_not_given(run_cls, name):
    run = run_cls.from_options("train.txt", {"preset": name, "seed": 4, **VECTORS})
    values = run_cls.PRESETS[name]
    assert values and {k: getattr(run, k) for k in values} == values
    defaults = run_cls("train.txt", seed=4, **VECTORS)
    for field in dataclasses.fields(run_cls):
        if field.name not in values and field.name != "preset":
            assert getattr(run, field.name) == getattr(defaults, field.name), field.name
    assert run.preset == name and run.seed == 4


def test_sst2_like_is_the_measured_sst2_recipe():
    run = ClassifierRun.from_options("train.tsv", {"preset": "sst2-like", **VECTORS})
    assert (run.freeze, run.extend_vocab, run.projection, run.hidden_size, run.ema) == (
        "pretrained", True, (256,), 256, 0.999)
    assert (run.epochs, run.dropout, run.batch_size, run.lr, run.early_stopping_patience,
            run.oov_init) == (2, 0.5, 64, 2e-3, 2, "zeros")
    assert ClassifierRun("train.tsv").epochs == 5  # the default stays a small file's


@pytest.mark.parametrize(
    ("run_cls", "name", "given"),
    [
        (ClassifierRun, "sst2-like", {"epochs": 3}),
        (ClassifierRun, "sst2-like", {"epochs": 1, "projection": ()}),
        (ClassifierRun, "sst2-like", {"ema": None, "extend_vocab": False}),  # None given wins
        (ClassifierRun, "sst2-like", {"lr": 1e-3, "oov_init": "random"}),  # given = default
        (TaggerRun, "wnut17-like", {"casing": False, "chars": None, "epochs": 2}),
    ],
)
def test_an_option_given_beats_the_preset(run_cls, name, given):
    run = run_cls.from_options("train.txt", {"preset": name, **VECTORS, **given})
    assert {k: getattr(run, k) for k in given} == given
    rest = {k: v for k, v in run_cls.PRESETS[name].items() if k not in given}
    assert {k: getattr(run, k) for k in rest} == rest


@pytest.mark.parametrize(
    ("run_cls", "preset", "exc", "match"),
    [
        (ClassifierRun, "sst2", ValueError,
         r"`preset` must be one of \['sst2-like'\], got 'sst2'"),
        (ClassifierRun, "wnut17-like", ValueError,
         r"`preset` must be one of \['sst2-like'\], got 'wnut17-like'"),
        (TaggerRun, "sst2-like", ValueError,
         r"`preset` must be one of \['wnut17-like'\], got 'sst2-like'"),
        (ClassifierRun, 3, TypeError, r"`preset` must be a str, got int: 3"),
    ],
)
def test_unknown_preset_is_a_clear_error(run_cls, preset, exc, match):
    with pytest.raises(exc, match=match):
        run_cls.from_options("train.txt", {"preset": preset})
    with pytest.raises(exc, match=match.split(", got")[0]):
        run_cls("train.txt", preset=preset)  # the constructor checks it too


@pytest.mark.parametrize(("run_cls", "name"), PRESETS)
def test_run_json_keeps_the_preset_and_the_resolved_values(run_cls, name):
    run = run_cls.from_options("train.txt", {"preset": name, "epochs": 7, **VECTORS})
    data = json.loads(json.dumps(run.to_dict()))
    assert data["preset"] == name and data["epochs"] == 7
    assert RunConfig.from_dict(data) == run == run_cls.from_dict(data)


def test_from_dict_takes_what_was_stored_with_no_second_merge():
    data = ClassifierRun.from_options("train.txt", {"preset": "sst2-like", **VECTORS}).to_dict()
    data["epochs"] = 9
    del data["ema"]  # a key left out takes the default, not the preset's value
    run = RunConfig.from_dict(data)
    assert (run.preset, run.epochs, run.ema, run.projection) == ("sst2-like", 9, None, (256,))


def test_old_run_json_without_preset_reads_back():
    data = ClassifierRun("train.txt", epochs=3).to_dict()
    del data["preset"]
    assert RunConfig.from_dict(data) == ClassifierRun("train.txt", epochs=3)


@pytest.mark.parametrize(("recipe", "names"), [(pipeline.train_classifier, "'sst2-like'"),
                                               (pipeline.train_tagger, "'wnut17-like'")])
def test_pipeline_checks_the_preset_before_reading_the_file(tmp_path, recipe, names):
    with pytest.raises(ValueError, match=rf"`preset` must be one of \[{names}\], got 'big'"):
        recipe(tmp_path / "missing.csv", preset="big")


def test_sst2_like_without_vectors_says_what_to_pass():
    with pytest.raises(ValueError, match=r"`preset` 'sst2-like' trains on pretrained `vectors` "
                       r"\(it sets `extend_vocab`\) and none were given; pass `vectors`"):
        ClassifierRun.from_options("train.txt", {"preset": "sst2-like"})
    run = ClassifierRun.from_options("train.txt", {"preset": "sst2-like", "extend_vocab": False})
    assert run.vectors is None and run.hidden_size == 256  # a random table: the rest applies
