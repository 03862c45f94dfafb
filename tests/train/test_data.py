"""Readers (CSV/TSV/JSONL/Parquet, CoNLL), LabelEncoder and the batch-producing datasets."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

from vectab.errors import VectorFormatError
from vectab.train.data import (
    ClassificationDataset,
    LabelEncoder,
    TaggingDataset,
    TensorDictDataset,
)
from vectab.train.readers import read_conll, read_table

TEXTS = ['a "quoted" film', "bad, really", "ok"]
LABELS = [1, 0, 1]


def write_all_formats(tmp_path):
    paths = {}
    p = tmp_path / "d.tsv"
    p.write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in zip(TEXTS, LABELS)))
    paths["tsv"] = p
    p = tmp_path / "d.csv"
    p.write_text('sentence,label\n"a ""quoted"" film",1\n"bad, really",0\nok,1\n')
    paths["csv"] = p
    p = tmp_path / "d.jsonl"
    p.write_text("".join(json.dumps({"sentence": t, "label": y}) + "\n"
                         for t, y in zip(TEXTS, LABELS)))
    paths["jsonl"] = p
    p = tmp_path / "d.parquet"
    pq.write_table(pa.table({"sentence": TEXTS, "label": LABELS}), p)
    paths["parquet"] = p
    return paths


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl", "parquet"])
def test_read_table_every_format(tmp_path, fmt):
    path = write_all_formats(tmp_path)[fmt]
    texts, labels = read_table(path, text_col="sentence", label_col="label")
    assert texts == TEXTS
    assert labels == LABELS and all(type(y) is int for y in labels)  # ints stay ints
    assert read_table(path, text_col="sentence", label_col=None) == (TEXTS, None)


def test_string_labels_stay_strings(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("text,label\ngreat,pos\nawful,neg\n")
    assert read_table(p) == (["great", "awful"], ["pos", "neg"])


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl", "parquet"])
def test_missing_column_names_it_and_lists_the_present_ones(tmp_path, fmt):
    path = write_all_formats(tmp_path)[fmt]
    with pytest.raises(ValueError, match=r"text column 'text' not found.*\['sentence', 'label'\]"):
        read_table(path, text_col="text")
    with pytest.raises(ValueError, match=r"label column 'y' not found.*sentence"):
        read_table(path, text_col="sentence", label_col="y")


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("bad.csv", "text,label\nfine,1\ntoo,many,fields\n", r"bad.csv:3: expected 2 fields"),
        ("bad.tsv", "text\tlabel\nonly one field\n", r"bad.tsv:2: expected 2 fields"),
        ("bad.jsonl", '{"text": "a", "label": 1}\n{"text": \n', r"bad.jsonl:2: invalid JSON"),
        ("bad2.jsonl",
         '{"text": "a", "label": 1}\n[1, 2]\n', r"bad2.jsonl:2: expected a JSON object"),
        ("bad3.jsonl",
         '{"text": "a", "label": 1}\n{"text": "b"}\n', r"bad3.jsonl:2: field 'label'"),
        ("empty.csv", "", r"empty.csv:1: empty file"),
    ],
)
def test_malformed_rows_report_file_and_line(tmp_path, name, content, match):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(VectorFormatError, match=match):
        read_table(p)


def test_read_table_bad_path_and_format(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_table(tmp_path / "nope.csv")
    p = tmp_path / "data.xlsx"
    p.write_text("x")
    with pytest.raises(ValueError, match="extension '.xlsx'"):
        read_table(p)
    with pytest.raises(ValueError, match="`format` must be one of"):
        read_table(p, format="excel")
    p.write_text("text,label\nhi,1\n")
    assert read_table(p, format="csv") == (["hi"], [1])


def test_read_conll(tmp_path):
    p = tmp_path / "ner.conll"
    p.write_text("-DOCSTART- -X- O\n\nEU\tNNP\tB-ORG\nrejects\tVBZ\tO\n\n\n"
                 "Peter\tNNP\tB-PER\nBlackburn\tNNP\tI-PER\n")
    sents, tags = read_conll(p)
    assert sents == [["EU", "rejects"], ["Peter", "Blackburn"]]
    assert tags == [["B-ORG", "O"], ["B-PER", "I-PER"]]
    assert read_conll(p, tag_col=1)[1] == [["NNP", "VBZ"], ["NNP", "NNP"]]
    assert read_conll(p, tag_col=None) == (sents, None)


def test_read_conll_real_resume_ner_format(tmp_path):
    p = tmp_path / "x.char.bmes"
    p.write_text("高 B-NAME\n勇 E-NAME\n： O\n\n男 S-NAME\n", encoding="utf-8")
    assert read_conll(p) == ([["高", "勇", "："], ["男"]], [["B-NAME", "E-NAME", "O"], ["S-NAME"]])


def test_read_conll_malformed_line(tmp_path):
    p = tmp_path / "bad.conll"
    p.write_text("John B-PER\nruns\n")
    with pytest.raises(VectorFormatError, match=r"bad.conll:2: expected at least 2 columns"):
        read_conll(p)
    with pytest.raises(FileNotFoundError):
        read_conll(tmp_path / "missing.conll")


def test_label_encoder():
    enc = LabelEncoder([3, 1, 2, 1])
    assert enc.classes == [1, 2, 3] and len(enc) == 3
    assert enc.encode([1, 3]) == [0, 2] and enc.decode([2, 0]) == [3, 1]
    mixed = LabelEncoder(["b", 1, "a"])
    assert mixed.decode(mixed.encode(["a", 1])) == ["a", 1]
    with pytest.raises(ValueError, match="valid.csv: label 'z' was not in the training data"):
        LabelEncoder(["x", "y"]).encode(["z"], source="valid.csv")
    with pytest.raises(ValueError, match="empty"):
        LabelEncoder([])


def test_classification_dataset_truncates_and_keeps_empty_rows():
    data = ClassificationDataset([[1, 2, 3, 4], [], [5]], [0, 1, 0], max_len=2)
    batch = data.collate([data[0], data[1], data[2]])
    assert batch["ids"].tolist() == [[1, 2], [0, 0], [5, 0]]
    assert batch["mask"].tolist() == [[True, True], [False, False], [True, False]]
    assert batch["labels"].dtype == torch.long
    multi = ClassificationDataset([[1], [2]], [[1, 0, 1], [0, 1, 0]])
    assert multi.collate([multi[0], multi[1]])["labels"].dtype == torch.float32
    unlabelled = ClassificationDataset([[1], [2]])
    assert "labels" not in unlabelled.collate([unlabelled[0]])


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([[1]], [0, 1]), {}, "`labels` has 2 entries"),
        (([[1]], [0]), {"max_len": 0}, "max_len"),
    ],
)
def test_classification_dataset_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClassificationDataset(*args, **kwargs)


def test_tagging_dataset_and_errors():
    data = TaggingDataset([[1, 2], [3]], [[0, 1], [2]])
    batch = data.collate([data[0], data[1]])
    assert batch["ids"].tolist() == [[1, 2], [3, 0]]
    assert batch["tags"].tolist() == [[0, 1], [2, 0]]
    with pytest.raises(ValueError, match="sentence 0 has 2 tokens but 1 tags"):
        TaggingDataset([[1, 2]], [[0]])
    with pytest.raises(ValueError, match="`tags` has 2 sentences"):
        TaggingDataset([[1]], [[0], [1]])


def test_tensor_dict_dataset_errors():
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDictDataset({"a": torch.zeros(3), "b": torch.zeros(4)})
    with pytest.raises(ValueError, match="non-empty dict"):
        TensorDictDataset({})


def test_data_still_exports_the_readers_it_used_to_hold():
    from vectab.train import data, readers

    for name in readers.__all__:  # the same objects, not copies
        assert getattr(data, name) is getattr(readers, name), name
        assert name in data.__all__
