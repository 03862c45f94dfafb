"""A model directory is validated before anything is built (issue #9, section 2).

Each case takes one real saved model, edits one field of one file, makes the manifest match
again (so the check under test is reached, not the manifest's), and expects a
``ModelFormatError`` naming that file and that field.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from vectab.engine.checkpoint import load_weights
from vectab.errors import ModelFormatError
from vectab.models import ClassifierConfig, SequenceTagger, TaggerConfig, TextClassifier
from vectab.text import Tokenizer
from vectab.train import saving
from vectab.train.saving import load_model, save_model

TEXTS = ["a good film", "a bad film", "good good", "bad plot", "an odd one"]
RUN = {"options": {"epochs": 1}, "history": {"loss": [0.7, 0.5]}, "best_epoch": 1,
       "metrics": {"accuracy": 1.0}}


def _retamper(directory: Path) -> None:
    """Rewrite manifest.json (if the save wrote one) to match the tampered files."""
    from vectab import _fileio

    manifest = directory / getattr(_fileio, "MANIFEST_NAME", "manifest.json")
    if not manifest.exists():
        return
    data = json.loads(manifest.read_text())
    files = {}
    for path in sorted(directory.iterdir()):
        if path.name == manifest.name or not path.is_file() or path.is_symlink():
            continue
        blob = path.read_bytes()
        files[path.name] = {"size": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
    data["files"] = files
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """``{"classifier": dir, "tagger": dir}``: tiny models saved through the public API."""
    root = tmp_path_factory.mktemp("saved")
    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    torch.manual_seed(0)
    clf = TextClassifier(ClassifierConfig(len(tok.word_index) + 1, 6, 2,
                                          encoder="bigru", hidden_size=5))
    save_model(root / "classifier", clf, tokenizer=tok, labels=["neg", "pos"],
               preprocessing={"max_len": 8}, extra_files={"run.json": json.dumps(RUN)})
    ttok = Tokenizer(oov_token="<OOV>", lower=False, filters="")
    ttok.fit_on_texts([["John", "lives", "in", "Paris"]])
    tagger = SequenceTagger(TaggerConfig(len(ttok.word_index) + 1, 4,
                                         ["O", "B-PER", "B-LOC"], hidden_size=3))
    save_model(root / "tagger", tagger, tokenizer=ttok)
    return {"classifier": root / "classifier", "tagger": root / "tagger"}


# ----------------------------------------------------------------- editors
def edit_json(name, change):
    def apply(d: Path) -> None:
        data = json.loads((d / name).read_text())
        change(data)
        (d / name).write_text(json.dumps(data))
    return apply


def edit_config(**fields):
    return edit_json("config.json", lambda c: c["model_config"].update(fields))


def edit_top(**fields):
    return edit_json("config.json", lambda c: c.update(fields))


def edit_text(name, old, new):
    def apply(d: Path) -> None:
        text = (d / name).read_text()
        assert old in text
        (d / name).write_text(text.replace(old, new, 1))
    return apply


def edit_tok(table, change):
    """Change one of the tokenizer's tables (JSON strings inside tokenizer.json)."""
    def inner(data):
        t = json.loads(data["config"][table])
        change(t)
        data["config"][table] = json.dumps(t)
    return edit_json("tokenizer.json", inner)


def edit_tok_option(**fields):
    return edit_json("tokenizer.json", lambda t: t["config"].update(fields))


def edit_weights(change):
    def apply(d: Path) -> None:
        tensors = load_file(str(d / "model.safetensors"))
        change(tensors)
        save_file(tensors, str(d / "model.safetensors"))
    return apply


def _set(tensors, key, index, value):
    tensors[key] = tensors[key].clone()
    tensors[key].view(-1)[index] = value


def edit_header(change):
    """Change the safetensors header JSON in place, leaving the data bytes as they are."""
    def apply(d: Path) -> None:
        blob = (d / "model.safetensors").read_bytes()
        n = int.from_bytes(blob[:8], "little")
        header = json.loads(blob[8:8 + n])
        change(header)
        raw = json.dumps(header).encode()
        (d / "model.safetensors").write_bytes(len(raw).to_bytes(8, "little") + raw + blob[8 + n:])
    return apply


def header_length(value):
    def apply(d: Path) -> None:
        blob = (d / "model.safetensors").read_bytes()
        (d / "model.safetensors").write_bytes(value.to_bytes(8, "little") + blob[8:])
    return apply


def make_fifo(name):
    def apply(d: Path) -> None:
        (d / name).unlink()
        os.mkfifo(d / name)
    return apply


def make_dir(name):
    def apply(d: Path) -> None:
        (d / name).unlink()
        (d / name).mkdir()
    return apply


def _pop(key):
    return lambda c: c["model_config"].pop(key)


def _bigger_table(t):
    t["extra"] = 999  # the table has 10 rows


C, T = "classifier", "tagger"
# (model, file, editor, expected field or None for the whole file, a word the message holds)
CASES = {
    "mask_zero_string": (C, "config.json", edit_config(mask_zero="no"),
                         "model_config.mask_zero", '"no"'),
    "sparse_int": (C, "config.json", edit_config(sparse=1), "model_config.sparse", "true or false"),
    "vocab_size_float": (C, "config.json", edit_config(vocab_size=6e7),
                         "model_config.vocab_size", "6"),
    "vocab_size_huge_int": (C, "config.json", edit_config(vocab_size=60_000_000),
                            "model_config.vocab_size", "60000000"),
    "vocab_size_string": (C, "config.json", edit_config(vocab_size="10"),
                          "model_config.vocab_size", "integer"),
    "embedding_dim_negative": (C, "config.json", edit_config(embedding_dim=-3),
                               "model_config.embedding_dim", "-3"),
    "hidden_size_zero": (C, "config.json", edit_config(hidden_size=0),
                         "model_config.hidden_size", "0"),
    "hidden_size_mismatch": (C, "config.json", edit_config(hidden_size=7),
                             "model_config", "encoder.rnn"),
    "num_classes_mismatch": (C, "config.json", edit_config(num_classes=3),
                             "model_config.num_classes", "3"),
    "dropout_out_of_range": (C, "config.json", edit_config(dropout=1.5),
                             "model_config.dropout", "1.5"),
    "projection_float": (C, "config.json", edit_config(projection=[3.5]),
                         "model_config.projection", "3.5"),
    "encoder_unknown": (C, "config.json", edit_config(encoder="transformer"),
                        "model_config.encoder", "transformer"),
    "padding_idx_out_of_table": (C, "config.json", edit_config(padding_idx=50),
                                 "model_config.padding_idx", "50"),
    "unknown_config_key": (C, "config.json", edit_config(colour="blue"), "model_config", "colour"),
    "missing_config_key": (C, "config.json", edit_json("config.json", _pop("vocab_size")),
                           "model_config", "vocab_size"),
    "model_type_unknown": (C, "config.json", edit_top(model_type="Nope"), "model_type", "Nope"),
    "model_type_not_string": (C, "config.json", edit_top(model_type=["TextClassifier"]),
                              "model_type", "unknown"),
    "task_disagrees": (C, "config.json", edit_top(task="tagging"), "task", "tagging"),
    "unknown_top_key": (C, "config.json", edit_top(weights_url="http://x"),
                        "weights_url", "unknown"),
    "max_len_string": (C, "config.json",
                       edit_json("config.json", lambda c: c["preprocessing"].update(max_len="8")),
                       "preprocessing.max_len", '"8"'),
    "duplicate_key": (C, "config.json",
                      edit_text("config.json", '"vectab_version"', '"task": "x", "vectab_version"'),
                      "task", "twice"),
    "nan_constant": (C, "config.json", edit_text("config.json", '"dropout": 0.5', '"dropout": NaN'),
                     None, "NaN"),
    "not_utf8": (C, "config.json", lambda d: (d / "config.json").write_bytes(b'{"a": "\xff"}'),
                 None, "UTF-8"),
    "labels_string": (C, "labels.json", edit_json("labels.json", lambda x: x.update(labels="NP")),
                      "labels", '"NP"'),
    "labels_count": (C, "labels.json",
                     edit_json("labels.json", lambda x: x["labels"].append("meh")), "labels", "3"),
    "labels_bool": (C, "labels.json",
                    edit_json("labels.json", lambda x: x.update(labels=[True, False])),
                    "labels[0]", "true"),
    "labels_float": (C, "labels.json",
                     edit_json("labels.json", lambda x: x.update(labels=[0.5, 1])),
                     "labels[0]", "0.5"),
    "labels_nested": (C, "labels.json",
                      edit_json("labels.json", lambda x: x.update(labels=[["a"], "b"])),
                      "labels[0]", '["a"]'),
    "labels_duplicate": (C, "labels.json",
                         edit_json("labels.json", lambda x: x.update(labels=["a", "a"])),
                         "labels", "twice"),
    "labels_as_tags": (C, "labels.json",
                       edit_json("labels.json", lambda x: x.update(tags=x.pop("labels"))),
                       "tags", "labels"),
    "word_id_float": (C, "tokenizer.json", edit_tok("word_index", lambda t: t.update(good=3.5)),
                      "config.word_index", "3.5"),
    "word_id_beyond_table": (C, "tokenizer.json", edit_tok("word_index", _bigger_table),
                             "config.word_index", "vocabulary mismatch"),
    "word_id_duplicate": (C, "tokenizer.json",
                          edit_tok("word_index", lambda t: t.update(good=t["bad"])),
                          "config.word_index", "distinct"),
    "word_id_zero": (C, "tokenizer.json", edit_tok("word_index", lambda t: t.update(good=0)),
                     "config.word_index", "0"),
    "index_word_disagrees": (C, "tokenizer.json",
                             edit_tok("index_word", lambda t: t.update({"2": "zzz"})),
                             "config.index_word", "zzz"),
    "word_count_negative": (C, "tokenizer.json",
                            edit_tok("word_counts", lambda t: t.update(good=-1)),
                            "config.word_counts", "-1"),
    "word_index_not_json": (C, "tokenizer.json", edit_tok_option(word_index="{oops"),
                            "config.word_index", "JSON"),
    "tokenizer_lower_string": (C, "tokenizer.json", edit_tok_option(lower="no"),
                               "config.lower", '"no"'),
    "tokenizer_num_words_negative": (C, "tokenizer.json", edit_tok_option(num_words=-1),
                                     "config.num_words", "-1"),
    "weights_nan": (C, "model.safetensors",
                    edit_weights(lambda t: _set(t, "embedding.weight", 7, float("nan"))),
                    "embedding.weight", "NaN"),
    "weights_inf": (C, "model.safetensors",
                    edit_weights(lambda t: _set(t, "output.bias", 0, float("inf"))),
                    "output.bias", "inf"),
    "weights_other_table": (C, "config.json",
                            edit_weights(lambda t: t.update({"embedding.weight":
                                                                 torch.zeros(20, 6)})),
                            "model_config.vocab_size", "(20, 6)"),
    "weights_missing_tensor": (C, "model.safetensors", edit_weights(lambda t: t.pop("output.bias")),
                               "output.bias", "found no"),
    "weights_extra_tensor": (C, "model.safetensors",
                             edit_weights(lambda t: t.update(extra=torch.zeros(2))),
                             "extra", "extra"),
    "weights_int_dtype": (C, "model.safetensors",
                          edit_weights(lambda t: t.update({"output.bias":
                                                               torch.zeros(2, dtype=torch.int64)})),
                          "output.bias.dtype", "I64"),
    "header_claims_huge_shape": (C, "model.safetensors",
                                 edit_header(lambda h: h["embedding.weight"].update(
                                     shape=[60_000_000, 6])),
                                 "embedding.weight.data_offsets", "bytes"),
    "header_length_huge": (C, "model.safetensors", header_length(10**12), None, "header"),
    "run_best_epoch_string": (C, "run.json",
                              edit_json("run.json", lambda r: r.update(best_epoch="1")),
                              "best_epoch", '"1"'),
    "run_history_not_numbers": (C, "run.json",
                                edit_json("run.json", lambda r: r["history"].update(loss=["x"])),
                                "history.loss[0]", '"x"'),
    "tags_mismatch": (T, "labels.json",
                      edit_json("labels.json", lambda x: x.update(tags=["O", "B-LOC", "B-PER"])),
                      "tags", "B-PER"),
    "tags_not_strings": (T, "config.json", edit_config(tags=[1, 2, 3]),
                         "model_config.tags", "strings"),
    "tags_in_config_vs_weights": (T, "config.json", edit_config(tags=["O", "B-PER"]),
                                  "model_config.tags", "B-PER"),
    "use_crf_string": (T, "config.json", edit_config(use_crf="yes"),
                       "model_config.use_crf", '"yes"'),
}
# special files: the manifest cannot list them, so it is bypassed to reach the readers' own check
SPECIAL = {
    "fifo_config": (C, "config.json", make_fifo("config.json"), None, "FIFO"),
    "directory_config": (C, "config.json", make_dir("config.json"), None, "directory"),
    "fifo_tokenizer": (C, "tokenizer.json", make_fifo("tokenizer.json"), None, "FIFO"),
    "fifo_labels": (C, "labels.json", make_fifo("labels.json"), None, "FIFO"),
    "fifo_weights": (C, "model.safetensors", make_fifo("model.safetensors"), None, "FIFO"),
}


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail instead of hanging (a FIFO opened for reading blocks until a writer comes)."""
    def expire(signum, frame):
        raise TimeoutError(f"still blocked after {seconds} s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _expect(directory: Path, name: str, field: str | None, word: str):
    with deadline(20), pytest.raises(ModelFormatError) as info:
        load_model(directory)
    err = info.value
    assert Path(err.path) == directory / name, str(err)
    assert err.field == field, str(err)
    prefix = f"{directory / name}: {field}: " if field else f"{directory / name}: "
    assert str(err).startswith(prefix), str(err)
    assert word in str(err)


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampered_directory_is_refused_naming_file_and_field(saved, tmp_path, case):
    kind, name, edit, field, word = CASES[case]
    directory = tmp_path / "m"
    shutil.copytree(saved[kind], directory)
    load_model(directory)  # the untouched copy loads
    edit(directory)
    _retamper(directory)
    _expect(directory, name, field, word)


@pytest.mark.parametrize("case", sorted(SPECIAL))
def test_special_files_are_refused_without_blocking(saved, tmp_path, monkeypatch, case):
    kind, name, edit, field, word = SPECIAL[case]
    directory = tmp_path / "m"
    shutil.copytree(saved[kind], directory)
    edit(directory)
    monkeypatch.setattr(saving, "verify_manifest", lambda *a, **k: {})
    _expect(directory, name, field, word)


@pytest.mark.parametrize("reader",
                         ["read_json", "read_regular", "safetensors_header", "load_weights"])
def test_shared_readers_refuse_a_fifo_at_once(tmp_path, reader):
    import importlib

    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    if reader == "load_weights":
        def read(p):
            return load_weights(torch.nn.Linear(2, 2), p)
    else:
        read = getattr(importlib.import_module("vectab._modelfile"), reader)
    with deadline(20), pytest.raises(ModelFormatError,
                                     match="expected a regular file, found a FIFO"):
        read(fifo)


def test_huge_vocab_claim_is_refused_before_any_table_is_allocated(saved, tmp_path, monkeypatch):
    from vectab.nn import Embedding

    directory = tmp_path / "m"
    shutil.copytree(saved["classifier"], directory)
    edit_config(vocab_size=6_000_000_000)(directory)  # 144 GB of float32 if it were built
    _retamper(directory)

    def refuse(*args, **kwargs):
        raise AssertionError("an Embedding table was allocated before the config was checked")

    monkeypatch.setattr(Embedding, "__init__", refuse)
    monkeypatch.setattr(torch.nn.Embedding, "reset_parameters",
                        lambda self: (_ for _ in ()).throw(AssertionError("table initialised"))
                        if self.weight.device.type != "meta" else None)
    with pytest.raises(ModelFormatError,
                       match=r"config.json: model_config.vocab_size: .*6000000000"):
        load_model(directory)


def test_valid_directories_still_load_and_predict(saved):
    clf = load_model(saved["classifier"])
    assert clf.labels == ["neg", "pos"] and len(clf.predict(TEXTS)) == len(TEXTS)
    tagger = load_model(saved["tagger"])
    assert tagger.labels == ["O", "B-PER", "B-LOC"]
    assert [len(s) for s in tagger.predict([["John", "lives"], ["x"]])] == [2, 1]


def test_partly_frozen_table_with_trainable_rows_loads(tmp_path):
    """A partly frozen Embedding saves ``trainable_rows``; the header check accepts it (and only
    bool)."""
    import numpy as np

    from vectab.nn import Embedding

    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    rows = len(tok.word_index) + 1
    layer = Embedding(rows, 6, weights=[np.ones((rows, 6), np.float32)], mask_zero=True)
    layer.freeze_rows([1, 2])
    model = TextClassifier(ClassifierConfig(rows, 6, 2, encoder="mean"), embedding=layer)
    save_model(tmp_path / "m", model, tokenizer=tok, labels=[0, 1])
    assert "embedding.trainable_rows" in load_file(str(tmp_path / "m" / "model.safetensors"))
    assert load_model(tmp_path / "m").labels == [0, 1]
    edit_weights(lambda t: t.update({"embedding.trainable_rows":
                                         torch.ones(rows, dtype=torch.int64)}))(tmp_path / "m")
    _retamper(tmp_path / "m")
    _expect(tmp_path / "m", "model.safetensors", "embedding.trainable_rows", "BOOL")


@pytest.mark.parametrize("bad", [{"mask_zero": "no"}, {"vocab_size": 3.5}, {"sparse": 0},
                                 {"dropout": True}, {"projection": ["8"]}, {"kernel_sizes": [2.0]}])
def test_config_from_dict_rejects_wrong_types_instead_of_coercing(bad):
    data = {**ClassifierConfig(10, 4, 2).to_dict(), **bad}
    name = next(iter(bad))
    with pytest.raises(TypeError, match=f"`{name}` must be"):
        ClassifierConfig.from_dict(data)


def test_tagger_and_tabular_from_dict_reject_wrong_types():
    from vectab.models import TabularConfig

    with pytest.raises(TypeError, match="`tags` must be a list of strings"):
        TaggerConfig.from_dict({**TaggerConfig(10, 4, ["O", "B"]).to_dict(), "tags": "OB"})
    with pytest.raises(TypeError, match="`use_crf` must be true or false"):
        TaggerConfig.from_dict({**TaggerConfig(10, 4, ["O", "B"]).to_dict(), "use_crf": "yes"})
    with pytest.raises(TypeError, match="`cardinalities` must be a list of integers"):
        TabularConfig.from_dict({**TabularConfig([3]).to_dict(), "cardinalities": [3.0]})
    with pytest.raises(ValueError, match="missing keys"):
        TabularConfig.from_dict({"num_numeric": 2})


@pytest.mark.parametrize(("change", "field"), [
    ({"cardinalities": [3, 11]}, "model_config.cardinalities"),
    ({"hidden_sizes": [9]}, "model_config"),
    ({"num_classes": None}, "task"),  # a regression config under a classifier's task
    ({"cardinalities": [3, 10.0]}, "model_config.cardinalities"),
])
def test_tabular_config_must_fit_its_weights(tmp_path, change, field):
    from vectab.models import TabularConfig, TabularEmbeddings

    model = TabularEmbeddings(TabularConfig([3, 10], num_numeric=2, hidden_sizes=(8,)))
    save_model(tmp_path / "t", model, labels=["no", "yes"])
    assert load_model(tmp_path / "t").labels == ["no", "yes"]
    edit_config(**change)(tmp_path / "t")
    _retamper(tmp_path / "t")
    _expect(tmp_path / "t", "config.json", field, "")
