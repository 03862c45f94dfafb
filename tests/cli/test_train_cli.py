"""`vectab train classifier|tagger` and `vectab predict` through typer's CliRunner."""

from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from vectab.cli.main import app

runner = CliRunner()

POS, NEG = ["great", "superb", "lovely"], ["awful", "dull", "boring"]
FILLER = ["the", "film", "plot", "was", "a", "story"]


def write_data(path, n, seed):
    rng = random.Random(seed)
    lines = ["text,label"]
    for _ in range(n):
        y = rng.randint(0, 1)
        words = rng.sample(FILLER, 3) + [rng.choice(POS if y else NEG)]
        lines.append(f"{' '.join(words)},{y}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    train, dev = write_data(tmp / "train.csv", 200, 0), write_data(tmp / "dev.csv", 50, 1)
    out = tmp / "model"
    result = runner.invoke(app, [
        "train", "classifier", "--train", str(train), "--valid", str(dev), "--encoder", "mean",
        "--embedding-dim", "16", "--projection", "8", "--epochs", "5", "--lr", "0.02",
        "--batch-size", "16", "--out", str(out),
    ])
    return tmp, out, result


def test_train_classifier_writes_model_and_reports(trained):
    _, out, result = trained
    assert result.exit_code == 0, result.output
    assert f"saved model to {out}" in result.stdout
    assert "validation: loss" in result.stdout
    assert "epoch 5/5" in result.stderr or "epoch" in result.stderr  # the progress bar, on stderr
    assert (out / "model.safetensors").is_file()
    run = json.loads((out / "run.json").read_text())
    assert run["options"]["epochs"] == 5 and run["metrics"]["accuracy"] > 0.9
    assert json.loads((out / "config.json").read_text())["model_config"]["projection"] == [8]


def test_predict_prints_labels_as_written(trained):
    tmp, out, _ = trained
    new = tmp / "new.csv"
    new.write_text("text\na superb film\nan awful plot\n")
    result = runner.invoke(app, ["predict", str(out), str(new)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["prediction\ttext",
                                          "1\ta superb film", "0\tan awful plot"]
    target = tmp / "pred.tsv"
    result = runner.invoke(app, ["predict", str(out), str(tmp / "dev.csv"), "--out", str(target)])
    assert result.exit_code == 0 and target.read_text().startswith("prediction\ttext\n")
    assert "accuracy" in result.stderr  # the file has labels: a score is shown


def test_train_tagger_and_predict(tmp_path):
    conll = tmp_path / "t.conll"
    conll.write_text("Ann B-PER\nruns O\n\nthe O\nBob B-PER\nsleeps O\n\n" * 20)
    out = tmp_path / "tagger"
    result = runner.invoke(app, ["train", "tagger", "--train", str(conll), "--epochs", "3",
                                 "--embedding-dim", "8", "--hidden-size", "8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["predict", str(out), str(conll)])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0].split("\t")
    assert first[0] == "Ann" and first[1] in ("O", "B-PER")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text-col", "sentence"],
         "text column 'sentence' not found; columns present: ['text', 'label']"),
        (["--label-col", "y"], "label column 'y' not found"),
        (["--freeze", "half"], "--freeze must be one of"),
        (["--encoder", "transformer"], "encoder"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(trained, args, message):
    tmp, _, _ = trained
    result = runner.invoke(app, ["train", "classifier", "--train", str(tmp / "train.csv"),
                                 "--epochs", "1", "--out", str(tmp / "x"), *args])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_unreadable_file_and_vocabulary_mismatch(trained, tmp_path):
    tmp, out, _ = trained
    result = runner.invoke(app, ["train", "classifier", "--train", str(tmp / "missing.csv"),
                                 "--out", str(tmp / "y")])
    assert result.exit_code == 1 and "missing.csv: file not found" in result.stderr
    broken = tmp_path / "bad.csv"
    broken.write_text("text,label\nfine,1\ntoo,many,fields\n")
    result = runner.invoke(app, ["train", "classifier", "--train", str(broken),
                                 "--out", str(tmp_path / "z")])
    assert result.exit_code == 1 and "bad.csv:3:" in result.stderr
    # a tokenizer from a bigger vocabulary than the saved table
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    tok = json.loads((copy / "tokenizer.json").read_text())
    config = tok["config"]
    index = (json.loads(config["word_index"]) if isinstance(config["word_index"], str)
             else config["word_index"])
    index.update({f"extra{i}": len(index) + 1 + i for i in range(50)})
    config["word_index"] = json.dumps(index) if isinstance(config["word_index"], str) else index
    (copy / "tokenizer.json").write_text(json.dumps(tok))
    result = runner.invoke(app, ["predict", str(copy), str(tmp / "dev.csv")])
    # the manifest written at save time catches the edited file first, naming it
    assert result.exit_code == 1 and "tokenizer.json" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["predict", str(tmp_path / "nomodel"), str(tmp / "dev.csv")])
    assert result.exit_code == 1 and "not a directory" in result.stderr


def test_extend_vocab_gives_ids_to_the_vectors_words(tmp_path):
    train = write_data(tmp_path / "train.csv", 60, 0)
    vectors = tmp_path / "v.txt"
    words = POS + NEG + FILLER + ["splendid", "tedious"]
    vectors.write_text("".join(f"{w} {i} 1 0.5\n" for i, w in enumerate(words)))
    out = tmp_path / "m"
    result = runner.invoke(app, [
        "train", "classifier", "--train", str(train), "--vectors", str(vectors),
        "--extend-vocab", "--encoder", "mean", "--epochs", "1", "--ema", "0.99", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    from vectab.train.saving import load_model

    index = load_model(out).tokenizer.word_index
    assert {"splendid", "tedious"} <= set(index) and index["splendid"] > index["boring"]
    assert "coverage of the training words by the vectors:\n  vocabulary: " in result.stdout
    assert "CoverageReport(" not in result.stdout  # a summary, not thousands of missing words
    assert json.loads((out / "run.json").read_text())["options"]["extend_vocab"] is True
    assert json.loads((out / "config.json").read_text())["trainer_config"]["ema"] == 0.99
