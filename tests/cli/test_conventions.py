"""CLI conventions (#12): flags, option names in errors, global options, help speed, defaults."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import time

import pytest
import typer
from typer.testing import CliRunner

from vectab.cli.main import app

runner = CliRunner()
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def _commands(command, path=()):
    """(path, click command) of every command below the root, the root included."""
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from _commands(sub, (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))


def _bool_flags(command):
    return [p for p in command.params
            if getattr(p, "is_bool_flag", False) and not p.is_eager]


def test_the_sweep_sees_every_command():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"predict", "train classifier", "train tagger", "train word2vec", "vectors coverage",
            "vectors plot"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) or "vectab"
                                                             for p, _ in COMMANDS])
def test_help_shows_no_bool_metavar_and_every_flag_has_its_no_form(path, command):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    for param in _bool_flags(command):
        long = [o for o in param.opts if o.startswith("--")][0]
        negative = "--no-" + long[2:]
        assert negative in param.secondary_opts, (path, param.name)
        assert negative in result.stdout, (path, param.name)


def test_no_command_reuses_a_global_flag():
    """Global flags are moved to the front from any position: no command may declare one."""
    global_opts = {o for p in _bool_flags(ROOT) for o in [*p.opts, *p.secondary_opts]}
    assert {"--verbose", "-v", "--quiet", "-q"} <= global_opts
    for path, command in COMMANDS[1:]:
        for param in command.params:
            assert not set(getattr(param, "opts", [])) & global_opts, (path, param.name)


def test_a_flag_takes_no_value_and_its_no_form_parses(tmp_path):
    result = runner.invoke(app, ["train", "classifier", "--train", str(tmp_path / "t.csv"),
                                 "--no-extend-vocab", "--no-lower", "--out",
                                 str(tmp_path / "m")])
    assert result.exit_code == 1 and "t.csv: file not found" in result.stderr


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from vectab.train import pipeline

    tmp = tmp_path_factory.mktemp("conv")
    train = tmp / "train.csv"
    train.write_text("text,label\n" + "good film,1\nbad film,0\n" * 10)
    pipeline.train_classifier(train, encoder="mean", embedding_dim=4, epochs=1,
                              out=tmp / "model", device="cpu")
    return tmp, tmp / "model"


@pytest.mark.parametrize(
    ("args", "option", "python_names"),
    [
        (["predict", "{model}", "{tmp}/t.csv", "--text-col", "sentence"], "--text-col",
         ["text_col"]),
        (["predict", "{model}", "{tmp}/t.csv", "--format", "xml"], "--format", ["format="]),
        (["predict", "{model}", "{tmp}/t.dat"], "--format", ["format="]),
        (["train", "classifier", "--train", "{tmp}/t.csv", "--text-col", "sentence", "--out",
          "{tmp}/x"], "--text-col", ["text_col"]),
        (["train", "classifier", "--train", "{tmp}/t.csv", "--label-col", "y", "--out",
          "{tmp}/x"], "--label-col", ["label_col"]),
        (["train", "classifier", "--train", "{tmp}/t.csv", "--freeze", "all", "--out",
          "{tmp}/x"], "--freeze", ["`freeze`", "`vectors`"]),
        (["train", "classifier", "--train", "{tmp}/t.txt", "--out", "{tmp}/x"], ".txt",
         ["format="]),
        (["vectors", "coverage", "{tmp}/v.txt", "--texts", "{tmp}/t.csv", "--text-col", "s"],
         "--text-col", ["text_col"]),
        (["vectors", "neighbors", "{tmp}/none.txt", "good"], "none.txt", ["`path`"]),
        (["train", "classifier", "--train", "{tmp}/t.csv", "--extend-vocab", "true", "--out",
          "{tmp}/x"],
         "--extend-vocab is a flag and takes no value, got 'true'", ["Got unexpected"]),
    ],
)
def test_errors_name_options_not_python_parameters(model, args, option, python_names):
    tmp, model_dir = model
    (tmp / "t.csv").write_text("text,label\ngood film,1\nbad film,0\n")
    (tmp / "t.dat").write_text("good film\n")
    (tmp / "t.txt").write_text("good film\n")
    (tmp / "v.txt").write_text("good 1 0\nfilm 0 1\n")
    argv = [a.format(model=model_dir, tmp=tmp) for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("error: ")
    assert option in line, line
    for name in python_names:
        assert name not in line, line


@pytest.mark.parametrize("where", ["front", "end", "middle"])
def test_verbose_works_in_any_position(tmp_path, where):
    cmd = ["train", "tagger", "--train", str(tmp_path / "missing.conll"), "--out",
           str(tmp_path / "m")]
    argv = {"front": ["--verbose", *cmd], "end": [*cmd, "--verbose"],
            "middle": [*cmd[:2], "-v", *cmd[2:]]}[where]
    result = runner.invoke(app, argv)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "missing.conll: file not found" in result.stderr
    quiet = runner.invoke(app, cmd)
    assert "Traceback" not in quiet.stderr


def test_help_imports_no_torch_numpy_or_rich():
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "vectab", "--help"],
                          capture_output=True, text=True, env=ENV, timeout=120)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0 and "train" in done.stdout
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    print(f"`vectab --help` (with -X importtime): {elapsed:.3f} s, {len(modules)} modules")
    for heavy in ("torch", "numpy", "rich", "pandas"):
        assert heavy not in modules, heavy
    sub = subprocess.run([sys.executable, "-X", "importtime", "-m", "vectab", "train",
                          "classifier", "--help"], capture_output=True, text=True, env=ENV,
                         timeout=120)
    modules = {line.split("|")[-1].strip() for line in sub.stderr.splitlines() if "|" in line}
    assert sub.returncode == 0 and "torch" not in modules and "numpy" not in modules


@pytest.mark.parametrize("argv", [["--help"], ["quickstart", "--help"], ["predict", "--help"],
                                  ["train", "classifier", "--help"], ["vectors", "plot", "--help"]])
def test_help_imports_no_pydantic(argv):
    # typer >= 0.26 reads every value through pydantic; a group's unset `--help` value alone
    # pulled in the ~0.1 s pydantic import on every `vectab ... --help`
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "vectab", *argv],
                          capture_output=True, text=True, env=ENV, timeout=120)
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert done.returncode == 0 and "Usage:" in done.stdout
    assert "pydantic" not in modules and "torch" not in modules


def test_coverage_prints_before_the_first_epoch(tmp_path):
    train = tmp_path / "train.csv"
    train.write_text("text,label\n" + "good film,1\nbad film,0\nfine story,1\n" * 8)
    vectors = tmp_path / "v.txt"
    vectors.write_text("good 1 0 0\nbad 0 1 0\nfilm 0 0 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "vectab", "train", "classifier", "--train", str(train),
         "--vectors", str(vectors), "--encoder", "mean", "--epochs", "2", "--out",
         str(tmp_path / "m"), "--device", "cpu"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV, timeout=300,
    )
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    cover = next(i for i, ln in enumerate(lines) if ln.startswith("coverage of the training"))
    epoch = next(i for i, ln in enumerate(lines) if re.search(r"\bepoch \d+/\d+", ln))
    assert cover < epoch, done.stdout
    assert sum(ln.startswith("coverage of the training") for ln in lines) == 1


def test_word2vec_cli_defaults_to_the_library_sg():
    from vectab.models.word2vec import Word2Vec

    library = {k: p.default for k, p in inspect.signature(Word2Vec).parameters.items()}
    command = ROOT.commands["train"].commands["word2vec"]
    sg = next(p for p in command.params if p.name == "sg")
    assert int(sg.default) == library["sg"]
    shared = [p for p in command.params if p.name in library]
    assert len(shared) >= 10
    for param in shared:  # every other default is the library's too
        assert param.default == library[param.name], param.name
    help_text = runner.invoke(app, ["train", "word2vec", "--help"]).stdout
    assert "--cbow" in help_text and "--no-sg" in help_text


def test_vectors_coverage_of_a_tsv_counts_its_text_column_only(tmp_path):
    vectors = tmp_path / "v.txt"
    vectors.write_text("good 1 0\nfilm 0 1\nbad 1 1\n")
    table = tmp_path / "t.tsv"
    table.write_text("label\ttext\npos\tgood film\nneg\tbad plot\n")
    plain = tmp_path / "t.txt"
    plain.write_text("good film\nbad plot\n")
    from_table = runner.invoke(app, ["vectors", "coverage", str(vectors), "--texts", str(table)])
    from_lines = runner.invoke(app, ["vectors", "coverage", str(vectors), "--texts", str(plain)])
    assert from_table.exit_code == 0 and from_lines.exit_code == 0, from_table.output
    assert from_table.stdout == from_lines.stdout
    for word in ("label", "pos", "neg"):
        assert word not in from_table.stdout


@pytest.mark.parametrize("quiet", [False, True])
def test_quiet_anywhere_drops_the_progress_lines(tmp_path, quiet):
    train = tmp_path / "train.csv"
    train.write_text("text,label\n" + "good film,1\nbad film,0\n" * 5)
    args = ["train", "classifier", "--train", str(train), "--encoder", "mean", "--epochs", "1",
            "--out", str(tmp_path / "m"), "--device", "cpu"]
    result = runner.invoke(app, [*args, "--quiet"] if quiet else args)
    assert result.exit_code == 0, result.output
    assert ("epoch 1/1" in result.stderr) is not quiet
    assert "saved model to" in result.stdout
