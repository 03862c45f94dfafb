"""`vectab predict MODEL [FILE|-]`: every input format, stdin, aligned lines, scores on stderr."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from vectab.cli.main import app
from vectab.engine.metrics import accuracy, entity_f1, macro_f1
from vectab.train import pipeline
from vectab.train.readers import read_conll
from vectab.train.saving import load_model

runner = CliRunner()

POS, NEG = ["great", "superb", "lovely"], ["awful", "dull", "boring"]
FILLER = ["the", "film", "plot", "was", "a", "story"]


def _rows(n, seed):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        y = rng.choice(["pos", "neg"])
        rows.append((" ".join(rng.sample(FILLER, 3) + [rng.choice(POS if y == "pos" else NEG)]),
                     y))
    return rows


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("predict")
    train = tmp / "train.csv"
    train.write_text("text,label\n" + "".join(f"{t},{y}\n" for t, y in _rows(120, 0)))
    pipeline.train_classifier(train, encoder="mean", embedding_dim=8, epochs=2, lr=0.05,
                              batch_size=16, out=tmp / "model", device="cpu")
    return tmp / "model", load_model(tmp / "model")


@pytest.fixture(scope="module")
def tagger(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tagger")
    conll = tmp / "train.conll"
    conll.write_text("Ann B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n\n" * 10)
    pipeline.train_tagger(conll, embedding_dim=8, hidden_size=8, epochs=2, out=tmp / "model",
                          device="cpu")
    return tmp / "model", load_model(tmp / "model")


TEXTS = ["a superb film", "", "an awful plot", "   ", "the story was lovely"]


def _expected(loaded, texts):
    """One output line per text: prediction<TAB>text, a blank line for a blank text."""
    filled = [t for t in texts if t.strip()]
    preds = iter(loaded.predict(filled))
    return [f"{next(preds)}\t{t}" if t.strip() else "" for t in texts]


def test_txt_one_text_a_line_blank_lines_kept(classifier, tmp_path):
    model, loaded = classifier
    path = tmp_path / "my.txt"  # the README's "Next:" step: a .txt file failed with "format="
    path.write_text("\n".join(TEXTS) + "\n")
    result = runner.invoke(app, ["predict", str(model), str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == _expected(loaded, TEXTS)
    assert result.stderr == ""  # no labels: no scores


@pytest.mark.parametrize("args", [["-"], []])
def test_stdin_with_dash_or_no_file(classifier, args):
    model, loaded = classifier
    result = runner.invoke(app, ["predict", str(model), *args], input="\n".join(TEXTS) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == _expected(loaded, TEXTS)


def test_stdin_through_a_real_pipe(classifier):
    model, loaded = classifier
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "vectab", "predict", str(model), "-"],
                          input="\n".join(TEXTS) + "\n", capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == _expected(loaded, TEXTS)


def test_stdin_errors_name_stdin_not_a_temporary_file(classifier):
    model, _ = classifier
    result = runner.invoke(app, ["predict", str(model), "-", "--format", "csv"],
                           input="sentence\nfine\n")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith("error: <stdin>: text column 'text' not found"), line
    assert "--text-col" in line and "text_col" not in line and "vectab-stdin" not in line


def test_format_forces_the_reader(classifier, tmp_path):
    model, loaded = classifier
    path = tmp_path / "texts.dat"
    path.write_text("\n".join(TEXTS) + "\n")
    result = runner.invoke(app, ["predict", str(model), str(path)])
    assert result.exit_code == 1 and "--format" in result.stderr
    assert "format=" not in result.stderr
    result = runner.invoke(app, ["predict", str(model), str(path), "--format", "txt"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == _expected(loaded, TEXTS)
    # a .csv file that holds TSV, read as TSV
    table = tmp_path / "t.csv"
    table.write_text("text\tlabel\na superb film\tpos\n")
    result = runner.invoke(app, ["predict", str(model), str(table), "--format", "tsv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].endswith("\ta superb film")
    result = runner.invoke(app, ["predict", str(model), str(table), "--format", "xml"])
    assert result.exit_code == 1 and "--format must be one of" in result.stderr


def test_labelled_tsv_prints_accuracy_and_macro_f1_of_its_predictions(classifier, tmp_path):
    model, loaded = classifier
    rows = _rows(30, 5)
    rows[3] = ("", rows[3][1])  # an empty text: not scored
    path = tmp_path / "dev.tsv"
    path.write_text("label\ttext\n" + "".join(f"{y}\t{t}\n" for t, y in rows))
    result = runner.invoke(app, ["predict", str(model), str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(rows) + 1 and lines[0] == "prediction\ttext"
    assert lines[4] == ""  # the empty text's line
    scored = [(y, line.split("\t")[0]) for (_, y), line in zip(rows, lines[1:]) if line]
    y_true, y_pred = [y for y, _ in scored], [p for _, p in scored]
    assert y_pred == [str(p) for p in loaded.predict([t for t, _ in rows if t])]
    score = result.stderr.strip()
    assert score.startswith(f"accuracy {accuracy(y_true, y_pred):.4f}  macro-F1 "
                            f"{macro_f1(y_true, y_pred):.4f} on 29 texts"), score
    assert "1 empty text(s) not scored" in score


def test_jsonl_lines_stay_aligned_and_out_is_the_same_text(classifier, tmp_path):
    model, loaded = classifier
    path = tmp_path / "texts.jsonl"
    path.write_text(json.dumps({"text": "a superb film"}) + "\n\n"
                    + json.dumps({"text": "an awful plot", "id": 2}) + "\n")
    result = runner.invoke(app, ["predict", str(model), str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == _expected(loaded, ["a superb film", "",
                                                            "an awful plot"])
    target = tmp_path / "pred.tsv"
    again = runner.invoke(app, ["predict", str(model), str(path), "--out", str(target)])
    assert again.exit_code == 0 and again.stdout == ""
    assert target.read_text() == result.stdout


CONLL = "-DOCSTART- O\n\nAnn B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n"


def test_conll_with_tags_prints_entity_scores(tagger, tmp_path):
    model, loaded = tagger
    path = tmp_path / "dev.conll"
    path.write_text(CONLL)
    result = runner.invoke(app, ["predict", str(model), str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(CONLL.splitlines()) and lines[0] == "-DOCSTART- O" and lines[1] == ""
    sents, gold = read_conll(path)
    pred = loaded.predict(sents)
    assert [ln.split("\t")[1] for ln in lines if "\t" in ln] == [t for s in pred for t in s]
    m = entity_f1(gold, pred)
    assert result.stderr.strip() == (
        f"entity precision {m['precision']:.4f}  recall {m['recall']:.4f}  F1 {m['f1']:.4f} "
        f"on 2 sentences ({int(m['support'])} entities)"
    )


def test_conll_tokens_only_from_stdin_no_scores(tagger):
    model, loaded = tagger
    text = "Ann\nruns\n\nBob\nsleeps\n"
    result = runner.invoke(app, ["predict", str(model)], input=text)
    assert result.exit_code == 0, result.output
    tags = [t for s in loaded.predict([["Ann", "runs"], ["Bob", "sleeps"]]) for t in s]
    assert result.stdout.splitlines() == [f"Ann\t{tags[0]}", f"runs\t{tags[1]}", "",
                                          f"Bob\t{tags[2]}", f"sleeps\t{tags[3]}"]
    assert result.stderr == ""
    result = runner.invoke(app, ["predict", str(model), "-", "--format", "txt"], input=text)
    assert result.exit_code == 1 and "--format conll" in result.stderr
