"""`vectab train tagger|classifier --chars ... --casing`, then `vectab predict` (issue #14)."""

from __future__ import annotations

import json
import random
import string

from typer.testing import CliRunner

from vectab.cli.main import app
from vectab.train.saving import load_model

runner = CliRunner()


def write_conll(path, n, seed):
    """Names are new capitalised strings in every sentence; filler words are lower case."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        for _ in range(rng.randint(2, 5)):
            if rng.random() < 0.35:
                lines.append("".join(rng.choices(string.ascii_lowercase, k=5)).title() + " B-PER")
            else:
                lines.append(rng.choice(["the", "film", "was", "a", "story"]) + " O")
        lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_train_tagger_with_chars_and_casing_then_predict(tmp_path):
    train = write_conll(tmp_path / "train.conll", 60, 0)
    out = tmp_path / "tagger"
    result = runner.invoke(app, [
        "train", "tagger", "--train", str(train), "--chars", "cnn", "--casing",
        "--char-dim", "8", "--char-out-dim", "12", "--casing-dim", "4", "--epochs", "5",
        "--embedding-dim", "8", "--hidden-size", "12", "--lr", "0.02", "--batch-size", "16",
        "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    config = json.loads((out / "config.json").read_text())["model_config"]
    assert (config["chars"], config["casing"], config["char_dim"], config["char_out_dim"],
            config["casing_dim"]) == ("cnn", True, 8, 12, 4)
    assert (out / "chars.json").is_file()
    options = json.loads((out / "run.json").read_text())["options"]
    assert options["chars"] == "cnn" and options["casing"] is True
    test = tmp_path / "test.conll"
    test.write_text("the O\nZwxyq B-PER\nfilm O\n\nQuorv B-PER\nwas O\n")
    result = runner.invoke(app, ["predict", str(out), str(test)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    expected = load_model(out).predict([["the", "Zwxyq", "film"], ["Quorv", "was"]])
    assert lines == ["the\t" + expected[0][0], "Zwxyq\t" + expected[0][1],
                     "film\t" + expected[0][2], "", "Quorv\t" + expected[1][0],
                     "was\t" + expected[1][1]]
    assert expected == [["O", "B-PER", "O"], ["B-PER", "O"]]  # names it never saw
    assert "entity precision 1.0000" in result.stderr


def test_train_classifier_with_chars_then_predict_and_no_chars_flag(tmp_path):
    train = tmp_path / "train.csv"
    rng = random.Random(0)
    rows = ["text,label"]
    for _ in range(60):
        y = rng.randint(0, 1)
        rows.append(f"{rng.choice(['A', 'the'])} {'GREAT' if y else 'dull'} film,{y}")
    train.write_text("\n".join(rows) + "\n")
    out = tmp_path / "clf"
    result = runner.invoke(app, [
        "train", "classifier", "--train", str(train), "--chars", "lstm", "--char-out-dim", "8",
        "--embedding-dim", "8", "--hidden-size", "8", "--epochs", "1", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    texts = tmp_path / "texts.txt"
    texts.write_text("A GREAT film\nthe dull Film\n")
    result = runner.invoke(app, ["predict", str(out), str(texts)])
    assert result.exit_code == 0, result.output
    predicted = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert predicted == [str(p) for p in load_model(out).predict(["A GREAT film",
                                                                 "the dull Film"])]
    # --chars none is the words-only model, with no chars.json
    result = runner.invoke(app, [
        "train", "classifier", "--train", str(train), "--chars", "none", "--no-casing",
        "--embedding-dim", "8", "--hidden-size", "8", "--epochs", "1", "--out",
        str(tmp_path / "words"),
    ])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "words" / "chars.json").exists()
    assert json.loads((tmp_path / "words" / "config.json").read_text())["model_config"][
        "chars"] is None


def test_bad_chars_value_is_one_line_and_exit_1(tmp_path):
    train = write_conll(tmp_path / "train.conll", 5, 0)
    result = runner.invoke(app, ["train", "tagger", "--train", str(train), "--chars", "rnn",
                                 "--out", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "chars" in result.stderr and "'cnn', 'lstm'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
