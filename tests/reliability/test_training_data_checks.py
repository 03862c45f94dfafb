"""Training data that cannot train what was asked is refused before training, by the library.

Each case is refused with a ValueError naming the file (and line or column) and the fix, and
before any epoch runs: ``Trainer.fit`` is replaced by a function that fails the test.
"""

from __future__ import annotations

import pytest

from vectab.errors import VectorFormatError
from vectab.train import pipeline
from vectab.train.data import read_conll, read_table


@pytest.fixture(autouse=True)
def no_training(monkeypatch):
    """Any case that reaches training is a failure of the rule (refused *before* training)."""
    from vectab.engine.trainer import Trainer

    def fit(*args, **kwargs):
        raise AssertionError("training started: the bad input was not refused first")

    monkeypatch.setattr(Trainer, "fit", fit)


def write(path, text: str | bytes):
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


GOOD = "text,label\ngood film,pos\nbad film,neg\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("one.csv", "text,label\ngood film,pos\nnice plot,pos\n",
         "every row has the label 'pos' in column 'label'"),
        ("one_int.tsv", "text\tlabel\ngood\t1\nnice\t1\n", "at least 2 classes"),
        ("empty_label.csv",
         "text,label\ngood film,pos\nbad film,\n", ":3: empty label in column 'label'"),
        ("blank_label.tsv", "text\tlabel\ngood\tpos\nbad\t  \n", ":3: empty label"),
        ("null_label.jsonl",
         '{"text": "good", "label": "pos"}\n{"text": "bad", "label": null}\n', ":2: empty label"),
        ("empty_str.jsonl",
         '{"text": "good", "label": "pos"}\n{"text": "bad", "label": ""}\n', ":2: empty label"),
        ("header_only.csv", "text,label\n", "no rows"),
        ("no_label_col.csv", "text,y\ngood,1\nbad,0\n", "label column 'label' not found"),
        ("latin1.csv",
         "text,label\ncaf\xe9,pos\nbad,neg\n".encode("latin-1"), ":2: not UTF-8 text"),
        ("huge_field.csv",
         'text,label\n"' + "x" * 200_000 + '",pos\nbad,neg\n', "not a readable CSV file"),
        ("binary.csv", bytes(range(256)) * 4, "not UTF-8 text"),
        ("garbage.parquet", b"PAR1\x00\x01garbage", "not a readable Parquet file"),
    ],
)
def test_classifier_refuses_data_it_cannot_learn(tmp_path, name, content, message):
    path = write(tmp_path / name, content)
    with pytest.raises(ValueError) as info:
        pipeline.train_classifier(path, encoder="mean", embedding_dim=4, epochs=1)
    assert message in str(info.value)
    assert str(path) in str(info.value)  # the file is named


def test_empty_label_in_parquet_names_the_row(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["good", "bad"], "label": ["pos", None]}), path)
    with pytest.raises(VectorFormatError, match=r"t\.parquet: row 2: empty label"):
        read_table(path)


def test_text_column_equal_to_label_column(tmp_path):
    path = write(tmp_path / "t.csv", GOOD)
    with pytest.raises(ValueError, match="`text_col` and `label_col` are both 'text'"):
        pipeline.train_classifier(path, text_col="text", label_col="text", epochs=1)


def test_empty_validation_file(tmp_path):
    train = write(tmp_path / "t.csv", GOOD)
    valid = write(tmp_path / "v.csv", "text,label\n")
    with pytest.raises(ValueError, match=r"v\.csv: no rows"):
        pipeline.train_classifier(train, valid=valid, encoder="mean", embedding_dim=4, epochs=1)


@pytest.mark.parametrize(
    ("option", "value"),
    [("epochs", 0), ("epochs", -1), ("batch_size", 0), ("embedding_dim", 0), ("hidden_size", -2),
     ("max_len", 0), ("num_words", 0), ("lr", 0.0), ("lr", -1e-3), ("lr", float("nan")),
     ("dropout", 1.5), ("epochs", 2.5)],
)
def test_impossible_sizes_refused_before_reading(tmp_path, monkeypatch, option, value):
    def read(*args, **kwargs):
        raise AssertionError("the file was read before the options were checked")

    monkeypatch.setattr("vectab.train.readers.read_table", read)
    wrong_type = option == "epochs" and isinstance(value, float)  # a float is not a count
    with pytest.raises(TypeError if wrong_type else ValueError, match=f"`{option}`") as info:
        pipeline.train_classifier(tmp_path / "t.csv", **{option: value})
    assert repr(value) in str(info.value)  # the value received is shown


def test_out_that_is_a_file_is_refused_before_reading(tmp_path, monkeypatch):
    train = write(tmp_path / "t.csv", GOOD)
    taken = write(tmp_path / "model", "not a folder")
    monkeypatch.setattr("vectab.train.readers.read_table",
                        lambda *a, **k: pytest.fail("read first"))
    with pytest.raises(ValueError, match="is an existing file, but a folder is written there"):
        pipeline.train_classifier(train, out=taken)
    with pytest.raises(ValueError, match="is a file, not a folder"):
        pipeline.train_classifier(train, out=taken / "sub" / "model")
    with pytest.raises(ValueError, match="is an existing file"):
        pipeline.train_tagger(train, out=taken)


def test_out_in_a_folder_that_cannot_be_written(tmp_path, monkeypatch):
    import os

    train = write(tmp_path / "t.csv", GOOD)
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access",
                        lambda p, mode: False if str(p) == str(locked) else real(p, mode))
    with pytest.raises(ValueError, match="cannot write in .*locked .permission denied"):
        pipeline.train_classifier(train, out=locked / "model")


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ("Ann O\nruns O\n\nBob O\n", {}, "every token has the tag 'O'; a tagger needs at least 2"),
        ("", {}, "no sentences found"),
        ("Ann\tB-PER\nruns\t\n", {"tag_col": -1}, None),  # whitespace split: 'runs' has 1 column
        ("Ann B-PER\nruns O\n", {"token_col": 1, "tag_col": -1}, "are the same column"),
    ],
)
def test_tagger_refuses_data_it_cannot_learn(tmp_path, content, kwargs, message):
    path = write(tmp_path / "t.conll", content)
    with pytest.raises(ValueError) as info:
        pipeline.train_tagger(path, embedding_dim=4, hidden_size=4, epochs=1, **kwargs)
    assert str(path) in str(info.value)
    if message:
        assert message in str(info.value)


def test_conll_empty_tag_with_a_tab_separator(tmp_path):
    path = write(tmp_path / "t.conll", "Ann\tB-PER\nruns\t\n")
    with pytest.raises(VectorFormatError, match=r"t\.conll:2: empty tag"):
        read_conll(path, sep="\t")


def test_conll_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path / "t.conll", "Ann B-PER\n\ncaf\xe9 O\n".encode("latin-1"))
    with pytest.raises(VectorFormatError, match=r"t\.conll:3: not UTF-8 text"):
        read_conll(path)


def test_jsonl_not_utf8_names_the_line(tmp_path):
    path = write(tmp_path / "t.jsonl", b'{"text": "a", "label": 1}\n{"text": "\xff", "label": 0}\n')
    with pytest.raises(VectorFormatError, match=r"t\.jsonl:2: not UTF-8 text"):
        read_table(path)


def test_bom_does_not_hide_the_first_column(tmp_path):
    path = write(tmp_path / "t.csv", "\ufefftext,label\ngood,1\nbad,0\n")
    assert read_table(path) == (["good", "bad"], [1, 0])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a\nb\n", ["a", "b"]),
        (b"a\nb", ["a", "b"]),  # no final newline: same texts
        (b"a\r\n\r\nb\r\n", ["a", "", "b"]),  # CRLF, an empty line kept in place
        (b"\n\n\n", ["", "", ""]),  # only blank lines: three empty texts
        (b"", []),
        (b"a\x0bb\n", ["a\x0bb"]),  # only \n ends a line (str.splitlines would split here)
    ],
)
def test_read_lines_keeps_line_i_as_text_i(tmp_path, raw, expected):
    from vectab.train.data import read_lines

    assert read_lines(write(tmp_path / "t.txt", raw)) == expected


def test_one_column_csv_blank_line_is_an_empty_text(tmp_path):
    path = write(tmp_path / "t.csv", "text\ngood\n\nbad\n")
    assert read_table(path, label_col=None) == (["good", "", "bad"], None)
    two = write(tmp_path / "two.csv", "text,label\ngood,1\n\nbad,0\n")  # not a row: no fields
    assert read_table(two) == (["good", "bad"], [1, 0])


def test_valid_data_still_trains(tmp_path, monkeypatch):
    """The checks refuse only what cannot train: a good file reaches training."""
    path = write(tmp_path / "t.csv", GOOD)
    with pytest.raises(AssertionError, match="training started"):
        pipeline.train_classifier(path, encoder="mean", embedding_dim=4, epochs=1)
    conll = write(tmp_path / "t.conll", "Ann B-PER\nruns O\n")
    with pytest.raises(AssertionError, match="training started"):
        pipeline.train_tagger(conll, embedding_dim=4, hidden_size=4, epochs=1)
