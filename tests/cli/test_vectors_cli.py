"""`vectab vectors ...` through typer's CliRunner on tiny vector files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from vectab.cli.main import app

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    vec = tmp_path / "v.txt"
    vec.write_text(
        "5 3\ncat 1 0.1 0\ndog 1 0.2 0.1\ncar 0 1 0\ntruck 0.1 1 0\nthe 0.5 0.5 0.5\n",
        encoding="utf8",
    )
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\tdog\t9\ncat\tcar\t1\ndog\ttruck\t2\nzebra\tcat\t3\n", encoding="utf8")
    questions = tmp_path / "q.txt"
    questions.write_text(": vehicles\ncat dog car truck\ncat dog zebra horse\n", encoding="utf8")
    texts = tmp_path / "texts.txt"
    texts.write_text("The cat sat\nthe dog and the car\n", encoding="utf8")
    return tmp_path


def invoke(*args):
    return runner.invoke(app, ["vectors", *map(str, args)])


def test_info(files):
    result = invoke("info", files / "v.txt")
    assert result.exit_code == 0, result.output
    assert "words: 5" in result.stdout and "dimensions: 3" in result.stdout
    assert "first words: cat dog car truck the" in result.stdout


def test_neighbors(files):
    result = invoke("neighbors", files / "v.txt", "cat", "car", "-k", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.split()
    assert lines[:2] == ["cat:", "dog"] and "car:" in lines
    assert lines[lines.index("car:") + 1] == "truck"


def test_analogy(files):
    for extra in ([], ["--cosmul"]):
        result = invoke("analogy", files / "v.txt", "cat", "dog", "car", "-k", "1", *extra)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1].split()[0] == "truck"


def test_evaluate_text_and_json(files):
    result = invoke(
        "evaluate", files / "v.txt", "--pairs", files / "pairs.tsv", "--analogies", files / "q.txt"
    )
    assert result.exit_code == 0, result.output
    assert "spearman 1.0000" in result.stdout and "oov 25.0%" in result.stdout
    assert "3CosAdd 1.0000" in result.stdout
    result = invoke("evaluate", files / "v.txt", "--pairs", files / "pairs.tsv", "--json")
    data = json.loads(result.stdout)
    assert data[str(files / "pairs.tsv")]["pairs"] == 3


def test_coverage(files):
    result = invoke("coverage", files / "v.txt", "--texts", files / "texts.txt")
    assert result.exit_code == 0, result.output
    assert "found: 4 words" in result.stdout and "most frequent missing:" in result.stdout


def test_convert_round_trip(files):
    from vectab.vectors.io import load_vectors

    out = files / "v.bin"
    result = invoke("convert", files / "v.txt", out, "--to", "word2vec-binary")
    assert result.exit_code == 0, result.output
    back = load_vectors(out, cache=False)
    original = load_vectors(files / "v.txt", cache=False)
    assert back.index_to_key == original.index_to_key
    np.testing.assert_array_equal(back.vectors, original.vectors)


@pytest.mark.parametrize(
    "args, message",
    [
        (["info", "{d}/missing.txt"], "missing.txt"),
        (["neighbors", "{d}/v.txt", "zebra"], "zebra"),
        (["neighbors", "{d}/v.txt", "cat", "-k", "0"], "-k"),
        (["analogy", "{d}/v.txt", "cat", "dog", "zebra"], "zebra"),
        (["evaluate", "{d}/v.txt"], "nothing to evaluate"),
        (["convert", "{d}/v.txt", "{d}/o.x", "--to", "excel"], "format"),
        (["coverage", "{d}/v.txt", "--texts", "{d}/none.txt"], "none.txt"),
    ],
)
def test_user_errors_are_one_line(files, args, message):
    result = invoke(*[a.format(d=files) for a in args])
    assert result.exit_code == 1
    # the error is one line; a vector file loaded before it leaves its progress line (#10)
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("load ")]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "Traceback" not in result.output
