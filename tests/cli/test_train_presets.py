"""`vectab train classifier|tagger --preset NAME`: the preset fills the options not typed, an
option typed always wins (even typed with its default value), and with no --preset a run is
the defaults' as before (#14)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from vectab.cli.main import app
from vectab.train import pipeline
from vectab.train.run_config import ClassifierRun, RunConfig, TaggerRun

runner = CliRunner()


def passed(monkeypatch, tmp_path, task, *args):
    """(the keywords the command passed to the pipeline, the run they resolve to)."""
    recipe, run_cls = {"classifier": ("train_classifier", ClassifierRun),
                       "tagger": ("train_tagger", TaggerRun)}[task]
    seen = {}

    def fake(train, *, progress=None, on_coverage=None, **options):
        seen["options"] = options
        seen["run"] = run_cls.from_options(train, options)
        raise ValueError("stop here")

    monkeypatch.setattr(pipeline, recipe, fake)
    out = str(tmp_path / "m")
    result = runner.invoke(app, ["train", task, "--train", "t.txt", "--out", out, *args])
    assert result.exit_code == 1 and "stop here" in result.stderr, result.output
    return seen["options"], seen["run"]


@pytest.mark.parametrize(("task", "run_cls"), [("classifier", ClassifierRun),
                                               ("tagger", TaggerRun)])
def test_no_preset_passes_only_what_was_typed_and_runs_the_defaults(monkeypatch, tmp_path,
                                                                    task, run_cls):
    options, run = passed(monkeypatch, tmp_path, task)
    assert options == {"out": tmp_path / "m"}
    assert run == run_cls("t.txt", out=str(tmp_path / "m"))
    options, run = passed(monkeypatch, tmp_path, task, "--epochs", "5", "--no-lower")
    assert options == {"out": tmp_path / "m", "epochs": 5, "lower": False}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--epochs", "1"], {"epochs": 1, "projection": (256,), "ema": 0.999}),
        (["--epochs", "5", "--lr", "0.001"], {"epochs": 5, "lr": 1e-3, "batch_size": 64}),
        (["--no-extend-vocab", "--oov-init", "random"],
         {"extend_vocab": False, "oov_init": "random", "hidden_size": 256}),
        (["--projection", "8", "--projection", "4"], {"projection": (8, 4), "epochs": 2}),
        (["--ema", "0.99", "--patience", "0"], {"ema": 0.99, "early_stopping_patience": 0}),
    ],
)
def test_an_option_typed_beats_the_preset(monkeypatch, tmp_path, args, expected):
    _, run = passed(monkeypatch, tmp_path, "classifier", "--preset", "sst2-like", "--vectors",
                    "v.txt", *args)
    assert run.preset == "sst2-like"
    assert {k: getattr(run, k) for k in expected} == expected
    resolved = ClassifierRun.PRESETS["sst2-like"] | expected
    assert {k: getattr(run, k) for k in resolved} == resolved


def test_a_bool_flag_typed_beats_the_tagger_preset(monkeypatch, tmp_path):
    _, run = passed(monkeypatch, tmp_path, "tagger", "--preset", "wnut17-like", "--no-casing",
                    "--chars", "none", "--epochs", "3", "--no-refit")
    assert (run.casing, run.chars, run.epochs, run.refit) == (False, None, 3, False)
    assert (run.lr, run.batch_size, run.extend_vocab, run.ema) == (5e-3, 16, True, 0.99)


def test_the_tagger_preset_refits_and_so_needs_a_validation_file(monkeypatch, tmp_path):
    result = runner.invoke(app, ["train", "tagger", "--train", "t.txt", "--out",
                                 str(tmp_path / "m"), "--preset", "wnut17-like"])
    assert result.exit_code == 1
    assert "preset 'wnut17-like'" in result.stderr and "--no-refit" in result.stderr


@pytest.mark.parametrize(("task", "preset", "names"), [
    ("classifier", "sst2", "['sst2-like']"),
    ("classifier", "wnut17-like", "['sst2-like']"),
    ("tagger", "sst2-like", "['wnut17-like']"),
])
def test_unknown_preset_is_one_line_and_exit_1(tmp_path, task, preset, names):
    result = runner.invoke(app, ["train", task, "--train", str(tmp_path / "missing.txt"),
                                 "--preset", preset, "--out", str(tmp_path / "m")])
    assert result.exit_code == 1  # the CLI's usage errors are exit 1 too (vectab.cli._common)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert f"--preset must be one of {names}, got '{preset}'" in lines[0]
    assert not (tmp_path / "m").exists()


def write_rows(path):
    path.write_text("text,label\n" + "a fine film,1\na dull plot,0\n" * 6)
    return path


def write_vectors(path):
    path.write_text("fine 0.9 0.1\ndull 0.1 0.9\nfilm 0.5 0.5\ngreat 0.8 0.2\n")
    return path


def run_json(out):
    return json.loads((out / "run.json").read_text())["options"]


def test_run_json_records_the_preset_and_the_resolved_options(tmp_path):
    train = write_rows(tmp_path / "t.csv")
    out = tmp_path / "m"
    vectors = write_vectors(tmp_path / "v.txt")
    result = runner.invoke(app, ["train", "classifier", "--train", str(train), "--preset",
                                 "sst2-like", "--vectors", str(vectors), "--epochs", "1",
                                 "--device", "cpu", "--out", str(out)])
    assert result.exit_code == 0, result.output
    options = run_json(out)
    assert options["preset"] == "sst2-like" and options["epochs"] == 1
    assert options["projection"] == [256] and options["ema"] == 0.999
    assert RunConfig.from_dict(options) == ClassifierRun.from_options(
        str(train), {"preset": "sst2-like", "vectors": str(vectors), "epochs": 1,
                     "device": "cpu", "out": str(out)})
    assert options["extend_vocab"] is True and options["oov_init"] == "zeros"
    assert "great" in json.loads((out / "tokenizer.json").read_text())["config"]["word_index"]
    model = json.loads((out / "config.json").read_text())["model_config"]
    assert model["projection"] == [256] and model["hidden_size"] == 256


def test_no_preset_run_json_is_the_defaults(tmp_path):
    train = write_rows(tmp_path / "t.csv")
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", "classifier", "--train", str(train), "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert run_json(out) == ClassifierRun(str(train), out=str(out)).to_dict()
    assert run_json(out)["preset"] is None and run_json(out)["epochs"] == 5


def test_sst2_like_without_vectors_is_one_line_naming_the_flags(tmp_path):
    result = runner.invoke(app, ["train", "classifier", "--train", str(tmp_path / "t.csv"),
                                 "--preset", "sst2-like", "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: --preset 'sst2-like' trains on pretrained --vectors (it sets --extend-vocab) "
        "and none were given; pass --vectors (e.g. GloVe), or turn --extend-vocab off")
