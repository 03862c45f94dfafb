"""The run configuration: one declaration behind the CLI options, the pipeline keywords and
run.json; and the empty-sequence rule of the training batches."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re

import pytest
import torch

from vectab.train import pipeline
from vectab.train.run_config import ClassifierRun, RunConfig, TaggerRun, flag_of

CASES = [(ClassifierRun, "classifier", pipeline.train_classifier),
         (TaggerRun, "tagger", pipeline.train_tagger)]


def cli_params(name: str) -> dict:
    """The click parameters of `vectab train <name>`, by option name."""
    import typer

    from vectab.cli.main import app

    group = typer.main.get_command(app)
    command = group.commands["train"].commands[name]
    return {p.name: p for p in command.params if p.name != "help"}


@pytest.mark.parametrize(("run_cls", "name", "recipe"), CASES)
def test_cli_options_are_the_run_config_fields(run_cls, name, recipe):
    params = cli_params(name)
    fields = {f.name: f for f in dataclasses.fields(run_cls)}
    assert set(params) == set(fields)
    for field_name, field in fields.items():
        param = params[field_name]
        assert flag_of(field) in param.opts
        assert param.help == field.metadata["help"]
        if field.default is dataclasses.MISSING or field.metadata["cli_required"]:
            assert param.required, field_name
        elif isinstance(field.default, tuple):
            assert param.multiple and not param.default
        else:
            assert param.default == field.default, field_name


PRESETS = [(ClassifierRun, "sst2-like"), (TaggerRun, "wnut17-like")]


@pytest.mark.parametrize(("run_cls", "name"), PRESETS)
def test_presets_set_real_options_and_the_help_shows_them_as_flags(run_cls, name):
    fields = {f.name: f for f in dataclasses.fields(run_cls)}
    assert set(run_cls.PRESETS[name]) <= set(fields) - {"train", "out", "preset"}
    assert fields["preset"].metadata["choices"] == tuple(run_cls.PRESETS)
    task = "classifier" if run_cls is ClassifierRun else "tagger"
    params = cli_params(task)
    help_text = params["preset"].help
    assert name in help_text
    opts = {opt for p in params.values() for opt in (*p.opts, *p.secondary_opts)}
    shown = re.findall(r"--[a-z][a-z-]*", help_text.split(name + ":", 1)[1])
    assert len(shown) == len(run_cls.PRESETS[name]) and set(shown) <= opts


@pytest.mark.parametrize(("run_cls", "name", "recipe"), CASES)
def test_pipeline_keywords_are_the_run_config_fields(run_cls, name, recipe):
    signature = inspect.signature(recipe)
    fields = dataclasses.fields(run_cls)
    expected = {f.name: f.default for f in fields[1:]} | {"progress": None, "on_coverage": None}
    assert {k: p.default for k, p in signature.parameters.items() if k != "train"} == expected
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['patience'\]"):
        recipe("t.csv", patience=2)  # the CLI's flag is not a keyword: the field name is


@pytest.mark.parametrize(("run_cls", "model_cls"), [(ClassifierRun, "ClassifierConfig"),
                                                    (TaggerRun, "TaggerConfig")])
def test_model_options_default_to_the_model_configs(run_cls, model_cls):
    import vectab.models as models

    model_fields = {f.name: f for f in dataclasses.fields(getattr(models, model_cls))}
    mapped = [f for f in dataclasses.fields(run_cls) if f.metadata["model"]]
    assert mapped
    for field in mapped:
        expected = RECIPE_DEFAULTS.get((run_cls, field.name),
                                       model_fields[field.metadata["model"]].default)
        assert field.default == expected, field.name


# the CLI tagger's defaults are the measured WNUT-17 recipe (benchmarks/bench_quality.py):
# characters and casing on, while TaggerConfig stays a words-only building block (#14)
RECIPE_DEFAULTS = {(TaggerRun, "chars"): "cnn", (TaggerRun, "casing"): True}


@pytest.mark.parametrize(("run_cls", "name", "recipe"), CASES)
def test_round_trip_and_strict_reading(run_cls, name, recipe):
    run = run_cls("train.txt", embedding_dim=7, num_words=50, seed=3)
    data = json.loads(json.dumps(run.to_dict()))
    assert data["task"] == run_cls.task
    assert RunConfig.from_dict(data) == run == run_cls.from_dict(data)
    with pytest.raises(ValueError, match=r"unknown keys \['epoch'\]"):
        RunConfig.from_dict({**data, "epoch": 3})
    with pytest.raises(TypeError, match=r"`epochs` must be an integer, got str: '3'"):
        RunConfig.from_dict({**data, "epochs": "3"})
    with pytest.raises(TypeError, match="`lower` must be true or false"):
        RunConfig.from_dict({**data, "lower": 1})
    with pytest.raises(ValueError, match="`task` must be one of"):
        RunConfig.from_dict({k: v for k, v in data.items() if k != "task"})
    with pytest.raises(ValueError, match="missing key 'train'"):
        run_cls.from_dict({k: v for k, v in data.items() if k != "train"})


@pytest.mark.parametrize(
    ("options", "exc", "match"),
    [
        ({"epochs": 0}, ValueError, "`epochs` must be an int >= 1"),
        ({"epochs": 2.5}, TypeError, "`epochs` must be an int"),
        ({"lr": 0.0}, ValueError, "`lr` must be a number > 0"),
        ({"lr": "fast"}, TypeError, "`lr` must be a number > 0, got str"),
        ({"freeze": "half"}, ValueError, "`freeze` must be one of"),
        ({"oov_init": "ones"}, ValueError, "`oov_init` must be one of"),
        ({"lower": "yes"}, TypeError, "`lower` must be True or False"),
        ({"dropout": 1.0}, ValueError, "`dropout`"),
        ({"hidden_size": 0}, ValueError, "`hidden_size`"),
        ({"early_stopping_patience": -1}, ValueError, "`early_stopping_patience`"),
        ({"valid": 3}, TypeError, "`valid` must be a file path"),
    ],
)
@pytest.mark.parametrize("run_cls", [ClassifierRun, TaggerRun])
def test_every_option_is_checked_when_the_run_is_built(run_cls, options, exc, match):
    with pytest.raises(exc, match=match):
        run_cls("train.txt", **options)


def test_run_json_is_the_run_config(tmp_path):
    train = tmp_path / "t.conll"
    train.write_text("Ann B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n\n" * 5)
    pipeline.train_tagger(train, embedding_dim=4, hidden_size=4, epochs=1, out=tmp_path / "m",
                          constraints=None, device="cpu")
    record = json.loads((tmp_path / "m" / "run.json").read_text())
    run = RunConfig.from_dict(record["options"])
    assert run == TaggerRun(str(train), embedding_dim=4, hidden_size=4, epochs=1,
                            out=str(tmp_path / "m"), constraints=None, device="cpu")
    assert set(record) == {"options", "history", "best_epoch", "metrics"}


def test_cli_none_and_repeated_options_reach_the_run(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from vectab.cli.main import app

    seen = {}

    def fake(train, *, progress=None, on_coverage=None, **options):
        seen["run"] = pipeline.TaggerRun.from_options(train, options)
        raise ValueError("stop here")

    monkeypatch.setattr(pipeline, "train_tagger", fake)
    result = CliRunner().invoke(app, ["train", "tagger", "--train", "t.conll", "--out",
                                      str(tmp_path / "m"), "--constraints", "none",
                                      "--patience", "0"])
    assert result.exit_code == 1 and "stop here" in result.stderr
    assert seen["run"].constraints is None and seen["run"].early_stopping_patience == 0
    assert seen["run"].train == "t.conll" and seen["run"].lower is True


# -- the empty-sequence rule ---------------------------------------------------------------------


@pytest.mark.parametrize("encoder", ["bilstm", "gru", "cnn", "mean", "max"])
def test_classifier_empty_text_in_a_batch_equals_alone(encoder):
    from vectab.models import ClassifierConfig, TextClassifier
    from vectab.train.data import ClassificationDataset

    torch.manual_seed(0)
    model = TextClassifier(ClassifierConfig(20, 6, 3, encoder=encoder, hidden_size=5)).eval()
    data = ClassificationDataset([[3, 4, 5, 6], [], [7]])
    batch = data.collate([data[i] for i in range(3)])
    assert batch["mask"][1].tolist() == [False] * 4  # an empty text is all padding
    alone = data.collate([data[1]])
    assert alone["ids"].shape == (1, 1) and not alone["mask"].any()
    with torch.no_grad():
        together, by_itself = model(batch["ids"], batch["mask"]), model(alone["ids"], alone["mask"])
    assert torch.isfinite(together).all()
    torch.testing.assert_close(together[1], by_itself[0])


def test_tagger_empty_sentence_gets_no_tags_and_changes_nothing():
    from vectab.models import SequenceTagger, TaggerConfig
    from vectab.train.data import TaggingDataset

    torch.manual_seed(0)
    model = SequenceTagger(TaggerConfig(20, 6, ["O", "B-X", "I-X"], hidden_size=5)).eval()
    data = TaggingDataset([[3, 4, 5], [], [6]], [[0, 1, 2], [], [1]])
    batch = data.collate([data[i] for i in range(3)])
    assert batch["mask"].tolist()[1] == [False, False, False]
    with torch.no_grad():
        decoded = model.decode(batch)
        loss = model.loss(batch)
        alone = model.decode(data.collate([data[1]]))
        rest = model.decode(data.collate([data[0], data[2]]))
        proba = model.predict_proba(batch)
    assert torch.isfinite(loss) and torch.isfinite(proba).all()
    assert decoded[1].tolist() == [-100, -100, -100] and alone.tolist() == [[-100]]
    torch.testing.assert_close(decoded[[0, 2]], rest)


def test_loaded_model_predicts_empty_inputs_like_alone(tmp_path):
    train = tmp_path / "t.conll"
    train.write_text("Ann B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n\n" * 5)
    tagger = pipeline.train_tagger(train, embedding_dim=4, hidden_size=4, epochs=1,
                                   device="cpu").model
    assert tagger.predict([[]]) == [[]]  # no token, no tag
    assert tagger.predict([["Ann", "runs"], []]) == [tagger.predict([["Ann", "runs"]])[0], []]


@pytest.mark.parametrize("run_cls", [ClassifierRun, TaggerRun])
def test_ema_is_an_option_of_both_recipes_and_zero_turns_it_off(run_cls):
    assert run_cls("t", ema=0.99).ema == 0.99
    assert run_cls("t", ema=0).ema is None  # the CLI's way to say "no average" (--ema 0)
    assert run_cls("t", ema=0.0).ema is None and run_cls("t").ema is None
    for bad in (1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match=r"`ema` must be a number in \(0, 1\), got "):
            run_cls("t", ema=bad)
    with pytest.raises(TypeError, match=r"`ema` must be .* got bool: True\. .*not a bool"):
        run_cls("t", ema=True)
