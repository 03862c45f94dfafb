"""`vectab train word2vec` and `vectab train fasttext` through typer's CliRunner."""

from __future__ import annotations

import gzip
import inspect
import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from vectab.cli.main import app
from vectab.models import FastText, Word2Vec
from vectab.vectors.io import load_vectors

runner = CliRunner()


def write_corpus(path, n=300, seed=0):
    rng = np.random.default_rng(seed)
    lines = [" ".join(f"w{i}" for i in rng.integers(0, 30, size=10)) for _ in range(n)]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_train_word2vec_writes_vectors_config_and_model(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.txt.gz")
    out = tmp_path / "vectors.bin"
    result = runner.invoke(app, [
        "train", "word2vec", str(corpus), "--out", str(out), "--cbow", "--vector-size", "12",
        "--min-count", "2", "--epochs", "2", "--workers", "1",
        "--save-model", str(tmp_path / "m.w2v"),
    ])
    assert result.exit_code == 0, result.output
    vectors = load_vectors(out)
    assert vectors.vectors.shape == (30, 12)
    assert out.read_bytes()[:6] == b"30 12\n"  # word2vec binary header
    config = json.loads((tmp_path / "vectors.bin.json").read_text())
    assert config["settings"]["sg"] == 0 and len(config["epoch_losses"]) == 2
    model = Word2Vec.load(tmp_path / "m.w2v")
    np.testing.assert_array_equal(model.wv.vectors, vectors.vectors)


def test_train_word2vec_text_format(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.txt.gz")
    out = tmp_path / "vectors.txt"
    result = runner.invoke(app,
                           ["train", "word2vec", str(corpus), "-o", str(out), "--vector-size", "8",
                                 "--min-count", "1", "--epochs", "1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0] == "30 8"


def test_train_word2vec_user_errors(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.txt.gz")
    cases = [
        ([str(tmp_path / "missing.txt"), "-o", str(tmp_path / "v.txt")], "does not exist"),
        ([str(corpus), "-o", str(tmp_path / "v.txt"), "--window", "0"], "window"),
        # refused at parse time
        ([str(corpus), "-o", str(tmp_path / "v.txt"), "--vector-size", "-3"], "--vector-size"),
        ([str(corpus), "-o", str(tmp_path / "v.txt"), "--min-count", "1000"],
         "vocabulary is empty"),
        ([str(corpus), "-o", str(tmp_path / "v.txt"), "--format", "xml", "--epochs", "1",
          "--min-count", "1"], "format"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["train", "word2vec", *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_train_word2vec_hierarchical_softmax_and_min_count_zero(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.txt.gz")
    out = tmp_path / "vectors.txt"
    result = runner.invoke(app, [
        "train", "word2vec", str(corpus), "-o", str(out), "--hs", "--negative", "0",
        "--min-count", "0", "--vector-size", "8", "--epochs", "1", "--workers", "1",
        "--save-model", str(tmp_path / "m.w2v"),
    ])
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "vectors.txt.json").read_text())
    assert config["settings"]["hs"] == 1 and config["settings"]["negative"] == 0
    model = Word2Vec.load(tmp_path / "m.w2v")
    assert model.hs == 1 and model.negative == 0 and model.min_count == 0
    assert np.abs(model.syn1).sum() > 0  # the tree's inner nodes learned
    nothing = runner.invoke(app, ["train", "word2vec", str(corpus), "-o", str(out),
                                  "--negative", "0"])
    assert nothing.exit_code == 1 and "negative" in nothing.stderr


def test_train_fasttext_bin_carries_ngrams_for_unknown_words(tmp_path):
    """`vectab train fasttext` (#13): the .bin is fastText's (gensim loads it), and `vectab
    vectors neighbors` answers for a word the corpus never had, built from its n-grams."""
    gensim_fasttext = pytest.importorskip("gensim.models.fasttext")
    corpus = write_corpus(tmp_path / "corpus.txt.gz")
    out = tmp_path / "vectors.bin"
    result = runner.invoke(app, [
        "train", "fasttext", str(corpus), "--out", str(out), "--sg", "--vector-size", "8",
        "--min-count", "1", "--epochs", "1", "--workers", "1", "--bucket", "200",
        "--min-n", "2", "--max-n", "3", "--save-model", str(tmp_path / "m.ft"),
    ])
    assert result.exit_code == 0, result.output
    assert "wrote 30 vectors x 8 dims" in result.stdout
    model = FastText.load(tmp_path / "m.ft")
    assert (model.sg, model.bucket, model.min_n, model.max_n) == (1, 200, 2, 3)
    theirs = gensim_fasttext.load_facebook_vectors(str(out))
    np.testing.assert_allclose(theirs["w7"], model.wv["w7"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(theirs["w777"], model.wv["w777"], rtol=1e-5, atol=1e-6)
    config = json.loads((tmp_path / "vectors.bin.json").read_text())
    assert config["format"] == "fasttext-bin" and config["settings"]["bucket"] == 200
    assert "w777" not in model.wv.key_to_index
    nearest = runner.invoke(app, ["vectors", "neighbors", str(out), "w777", "-k", "3"])
    assert nearest.exit_code == 0, nearest.output
    assert nearest.stdout.startswith("w777:") and len(nearest.stdout.splitlines()) == 4


def test_train_fasttext_vec_is_word2vec_text_and_defaults_are_the_librarys(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.txt.gz")
    out = tmp_path / "vectors.vec"
    result = runner.invoke(app, ["train", "fasttext", str(corpus), "-o", str(out),
                                 "--vector-size", "6", "--min-count", "1", "--epochs", "1",
                                 "--workers", "1", "--bucket", "100"])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0] == "30 6"
    library = {k: p.default for k, p in inspect.signature(FastText).parameters.items()}
    command = typer.main.get_command(app).commands["train"].commands["fasttext"]
    shared = [p for p in command.params if p.name in library]
    assert len(shared) >= 13
    for param in shared:
        assert param.default == library[param.name], param.name
    for args, message in [(["--negative", "0"], "--negative"), (["--min-n", "0"], "--min-n"),
                          ([], "does not exist")]:
        where = str(tmp_path / "missing.txt") if message == "does not exist" else str(corpus)
        bad = runner.invoke(app, ["train", "fasttext", where, "-o", str(out), *args])
        assert bad.exit_code == 1 and message in bad.output, bad.output
