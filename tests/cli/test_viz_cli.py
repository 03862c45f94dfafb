"""`vectab vectors plot` and `vectab vectors projector` through typer's CliRunner."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from vectab.cli.main import app

pytest.importorskip("matplotlib")

runner = CliRunner()
WORDS = [
    "the",
    "king",
    "queen",
    "man",
    "woman",
    "paris",
    "france",
    "rome",
    "italy",
    "one",
    "two",
    "three",
]


@pytest.fixture
def vec_file(tmp_path):
    rng = np.random.default_rng(0)
    m = rng.normal(size=(len(WORDS), 6)).astype(np.float32)
    lines = [f"{len(WORDS)} 6"] + [
        w + " " + " ".join(f"{x:.6f}" for x in row) for w, row in zip(WORDS, m)
    ]
    path = tmp_path / "tiny.w2v.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_plot_png_with_words_and_analogy(vec_file, tmp_path):
    out = tmp_path / "plot.png"
    code, stdout, _ = run(
        "vectors",
        "plot",
        str(vec_file),
        "--words",
        "king,queen,paris",
        "--analogy",
        "man,king,woman,queen",
        "-o",
        str(out),
    )
    assert code == 0, stdout
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"wrote {out}" in stdout


def test_plot_html_from_words_file_with_groups(vec_file, tmp_path):
    words_file = tmp_path / "words.txt"
    words_file.write_text(
        "king\troyalty\nqueen\troyalty\none\tnumber\ntwo\tnumber\nparis\n", encoding="utf-8"
    )
    out = tmp_path / "page.html"
    code, stdout, _ = run(
        "vectors",
        "plot",
        str(vec_file),
        "--words-file",
        str(words_file),
        "-o",
        str(out),
        "--neighbors",
        "2",
    )
    assert code == 0, stdout
    page = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="vectab-data">(.*?)</script>', page, re.S).group(1))
    assert data["words"] == ["king", "queen", "one", "two", "paris"]
    assert data["groups"] == ["royalty", "number", "other"]
    assert len(data["nbrs"][0]) == 2


def test_plot_top_and_tsne_svg(vec_file, tmp_path):
    out = tmp_path / "plot.svg"
    code, stdout, _ = run(
        "vectors",
        "plot",
        str(vec_file),
        "--top",
        "8",
        "--method",
        "tsne",
        "-o",
        str(out),
        "--title",
        "T",
    )
    assert code == 0, stdout
    svg = out.read_text()
    # the 8 first words but the stop word 'the': king .. italy, not 'one' (the 10th line)
    assert svg.startswith("<?xml") and "<!-- queen -->" in svg and "<!-- italy -->" in svg
    assert "<!-- the -->" not in svg and "<!-- one -->" not in svg


def test_plot_stopwords_and_clusters_options(vec_file, tmp_path):
    out = tmp_path / "plot.svg"
    code, stdout, _ = run(
        "vectors", "plot", str(vec_file), "--top", "8", "--no-stopwords", "-o", str(out)
    )
    assert code == 0, stdout
    svg = out.read_text()
    assert "<!-- the -->" in svg and "<!-- rome -->" in svg and "<!-- italy -->" not in svg
    page = tmp_path / "page.html"
    code, stdout, _ = run(
        "vectors", "plot", str(vec_file), "--top", "11", "--clusters", "3", "-o", str(page)
    )
    assert code == 0, stdout
    data = json.loads(re.search(r'id="vectab-data">(.*?)</script>', page.read_text(), re.S)[1])
    assert data["words"] == WORDS[1:] and data["clustered"] is True and len(data["groups"]) == 3
    code, _, stderr = run("vectors", "plot", str(vec_file), "--clusters", "-1", "-o", str(page))
    assert code != 0 and "--clusters" in stderr


def test_projector(vec_file, tmp_path):
    code, stdout, _ = run(
        "vectors", "projector", str(vec_file), str(tmp_path / "proj"), "--top", "5"
    )
    assert code == 0, stdout
    assert (tmp_path / "proj" / "metadata.tsv").read_text().splitlines() == WORDS[:5]
    assert len((tmp_path / "proj" / "tensors.tsv").read_text().splitlines()) == 5
    assert "projector_config.pbtxt" in stdout


def test_user_errors_are_one_line(vec_file, tmp_path):
    cases = [
        (["--words", "king,queen", "-o", str(tmp_path / "p.jpg")], "-o must end in .png"),
        (
            ["--words", "king,queen", "--top", "3", "-o", str(tmp_path / "p.png")],
            "only one of --words",
        ),
        (["--words", " , ", "-o", str(tmp_path / "p.png")], "comma-separated"),
        (["--top", "1", "-o", str(tmp_path / "p.png")], "--top must be at least 2"),
        (
            ["--words", "king,queen", "--analogy", "man,king", "-o", str(tmp_path / "p.png")],
            "four comma-separated",
        ),
        (
            [
                "--words",
                "king,queen",
                "--analogy",
                "man,king,woman,queen",
                "-o",
                str(tmp_path / "p.html"),
            ],
            "images only",
        ),
        (["--words", "king,zebra", "-o", str(tmp_path / "p.png")], "zebra"),
        (["--words", "king,queen", "--method", "lda", "-o", str(tmp_path / "p.png")], "--method"),
    ]
    for args, message in cases:
        code, _, stderr = run("vectors", "plot", str(vec_file), *args)
        assert code == 1, args
        # one error line; a vector file loaded before it leaves its progress line (#10)
        lines = [line for line in stderr.splitlines() if not line.startswith("load ")]
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], stderr
    code, _, stderr = run(
        "vectors",
        "plot",
        str(tmp_path / "missing.txt"),
        "--top",
        "5",
        "-o",
        str(tmp_path / "p.png"),
    )
    assert code == 1 and stderr.startswith("error: ")
    code, _, stderr = run(
        "vectors", "projector", str(vec_file), str(tmp_path / "proj"), "--top", "0"
    )
    assert code == 1 and "--top must be at least 1" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.w2v.txt"]
