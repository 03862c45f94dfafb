"""One validation rule (#10): a wrong type is a TypeError, a wrong value a ValueError, both
naming the argument in backticks.

The sweep is systematic: it walks ``__all__`` of every public package, takes each class's
constructor and public methods and each function, and for every parameter whose default or
annotation is an int, float or bool calls it with a wrong type ('10' for a number, 'no' / 0 /
None for a flag) and with a wrong value (a negative size, NaN, a rate of 1.5). The required
arguments come from ``CALLS``, a table of minimal valid calls; a public callable with numeric or
bool parameters that has no entry there fails ``test_every_public_callable_has_a_minimal_call``,
so new API is swept the day it lands.
"""

from __future__ import annotations

import importlib
import inspect
import math
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from vectab.engine import Trainer
from vectab.nn import CRF, Embedding, SequenceEncoder
from vectab.text import Tokenizer
from vectab.vectors import Vectors, build_embedding_matrix, load_vectors, save_vectors

PACKAGES = ["vectab", "vectab.text", "vectab.nn", "vectab.vectors", "vectab.engine",
            "vectab.models", "vectab.train", "vectab.viz"]

WORDS = ["the", "cat", "dog", "sat", "on", "mat"]


def _vectors() -> Vectors:
    return Vectors(WORDS, np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))


def _tokenizer() -> Tokenizer:
    tok = Tokenizer()
    tok.fit_on_texts(["the cat sat on the mat", "the dog"])
    return tok


def _word2vec() -> Any:
    model = _models().Word2Vec(vector_size=4, min_count=1, workers=1)
    model.build_vocab([["the", "cat"], ["the", "dog"]])
    return model


def _vector_file(tmp) -> str:
    path = tmp / "v.txt"
    path.write_text("2 2\nthe 0.1 0.2\ncat 0.3 0.4\n", encoding="utf-8")
    return str(path)


def _text_file(tmp) -> str:
    path = tmp / "corpus.txt"
    path.write_text("the cat sat\nthe dog\n", encoding="utf-8")
    return str(path)


def _analogy_file(tmp) -> str:
    path = tmp / "questions.txt"
    path.write_text(": family\nthe cat dog sat\n", encoding="utf-8")
    return str(path)


class _TaskModel(torch.nn.Module):
    """The smallest model Trainer accepts: loss(batch) and decode(batch)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 2)

    def loss(self, batch: dict) -> torch.Tensor:
        return self.linear(batch["x"]).sum()

    def decode(self, batch: dict) -> torch.Tensor:
        return self.linear(batch["x"]).argmax(-1)


def _task_data():
    from vectab.engine import TensorDictDataset

    return TensorDictDataset({"x": torch.ones(4, 2), "labels": torch.zeros(4, dtype=torch.long)})


def _keras_model(*, compiled: bool = True) -> Any:
    from vectab.layers import Dense

    model = _models().Sequential([Dense(1)])
    model.build((None, 2)) if hasattr(model, "build") else None
    if compiled:
        model.compile(optimizer="adam", loss="mse")
    return model


def _xy() -> tuple[np.ndarray, np.ndarray]:
    return np.ones((4, 2), dtype=np.float32), np.zeros((4, 1), dtype=np.float32)


def _pairs() -> list:
    return [("the", "cat", 1.0), ("dog", "mat", 2.0), ("sat", "on", 3.0)]


def _coverage():
    return build_embedding_matrix({"the": 1, "zzz": 2}, _vectors())[1]


# Minimal valid call per public callable, keyed by qualified name: (tmp_path, **options) -> Any.
CALLS: dict[str, Callable[..., Any]] = {
    # vectab.text
    "Tokenizer": lambda tmp, **kw: Tokenizer(**kw),
    "Tokenizer.add_words": lambda tmp, **kw: _tokenizer().add_words(["new"], **kw),
    "Tokenizer.to_json": lambda tmp, **kw: _tokenizer().to_json(**kw),
    "pad_sequences": lambda tmp, **kw: __import__("vectab").pad_sequences([[1, 2]], **kw),
    "collate": lambda tmp, **kw: __import__("vectab").collate([[1, 2], [3]], **kw),
    "lengths_to_mask": lambda tmp, **kw: __import__("vectab").lengths_to_mask([1, 2], **kw),
    "sequences_to_mask": lambda tmp, **kw: _text().sequences_to_mask(np.array([[1, 0]]), **kw),
    "text_to_word_sequence": lambda tmp, **kw: _text().text_to_word_sequence("The cat", **kw),
    "one_hot": lambda tmp, **kw: _text().one_hot("the cat", **({"n": 10} | kw)),
    "hashing_trick": lambda tmp, **kw: _text().hashing_trick("the cat", **({"n": 10} | kw)),
    "make_sampling_table": lambda tmp, **kw: _text().make_sampling_table(**({"size": 10} | kw)),
    "skipgrams": lambda tmp, **kw: _text().skipgrams(
        [1, 2, 3], **({"vocabulary_size": 4, "seed": 0} | kw)),
    "CharVocab": lambda tmp, **kw: _text().CharVocab(["a", "b"], **kw),
    "CharVocab.build": lambda tmp, **kw: _text().CharVocab.build([["the", "cat"]], **kw),
    "CharVocab.encode_words": lambda tmp, **kw: _text().CharVocab(["a"]).encode_words(
        ["ab"], **kw),
    "CharVocab.encode_batch": lambda tmp, **kw: _text().CharVocab(["a"]).encode_batch(
        [["ab"]], **kw),
    # vectab.nn
    "Embedding": lambda tmp, **kw: Embedding(**({"input_dim": 10, "output_dim": 4} | kw)),
    "Embedding.from_pretrained": lambda tmp, **kw: Embedding.from_pretrained(
        torch.zeros(5, 3), **kw),
    "Embedding.from_vectors": lambda tmp, **kw: Embedding.from_vectors(
        _vectors(), _tokenizer(), **kw),
    "CRF": lambda tmp, **kw: CRF(**({"num_tags": 3} | kw)),
    "SequenceEncoder": lambda tmp, **kw: SequenceEncoder(**({"input_size": 4} | kw)),
    "CharEncoder": lambda tmp, **kw: _nn("chars").CharEncoder(**({"num_chars": 5} | kw)),
    "CasingEmbedding": lambda tmp, **kw: _nn("chars").CasingEmbedding(**kw),
    "WordFeatures": lambda tmp, **kw: _nn("chars").WordFeatures(Embedding(10, 4), **kw),
    "MaxNorm": lambda tmp, **kw: _nn("constraints").MaxNorm(**kw),
    "MinMaxNorm": lambda tmp, **kw: _nn("constraints").MinMaxNorm(**kw),
    "UnitNorm": lambda tmp, **kw: _nn("constraints").UnitNorm(**kw),
    "Constant": lambda tmp, **kw: _nn("initializers").Constant(**kw),
    "GlorotNormal": lambda tmp, **kw: _nn("initializers").GlorotNormal(**kw),
    "GlorotUniform": lambda tmp, **kw: _nn("initializers").GlorotUniform(**kw),
    "Orthogonal": lambda tmp, **kw: _nn("initializers").Orthogonal(**kw),
    "RandomNormal": lambda tmp, **kw: _nn("initializers").RandomNormal(**kw),
    "RandomUniform": lambda tmp, **kw: _nn("initializers").RandomUniform(**kw),
    "TruncatedNormal": lambda tmp, **kw: _nn("initializers").TruncatedNormal(**kw),
    "L1": lambda tmp, **kw: _nn("regularizers").L1(**kw),
    "L2": lambda tmp, **kw: _nn("regularizers").L2(**kw),
    "L1L2": lambda tmp, **kw: _nn("regularizers").L1L2(**kw),
    # vectab.vectors
    "Vectors.get_vector": lambda tmp, **kw: _vectors().get_vector("cat", **kw),
    "Vectors.embedding_matrix": lambda tmp, **kw: _vectors().embedding_matrix({"cat": 1}, **kw),
    "Vectors.fill_norms": lambda tmp, **kw: _vectors().fill_norms(**kw),
    "Vectors.most_similar": lambda tmp, **kw: _vectors().most_similar("cat", **kw),
    "Vectors.similar_by_word": lambda tmp, **kw: _vectors().similar_by_word("cat", **kw),
    "Vectors": lambda tmp, **kw: Vectors(**({"vector_size": 4} | kw)),
    "Vectors.similar_by_key": lambda tmp, **kw: _vectors().similar_by_key("cat", **kw),
    "Vectors.similar_by_vector": lambda tmp, **kw: _vectors().similar_by_vector(
        np.ones(4, dtype=np.float32), **kw),
    "Vectors.most_similar_cosmul": lambda tmp, **kw: _vectors().most_similar_cosmul(
        "cat", **kw),
    "Vectors.topk_cosine": lambda tmp, **kw: _vectors().topk_cosine(
        np.ones((1, 4), dtype=np.float32), **({"k": 2} | kw)),
    "Vectors.most_similar_batch": lambda tmp, **kw: _vectors().most_similar_batch(
        ["cat"], **kw),
    "Vectors.evaluate_word_pairs": lambda tmp, **kw: _vectors().evaluate_word_pairs(
        _pairs(), **kw),
    "Vectors.evaluate_word_analogies": lambda tmp, **kw: _vectors().evaluate_word_analogies(
        _analogy_file(tmp), **kw),
    "evaluate_word_pairs": lambda tmp, **kw: __import__("vectab").evaluate_word_pairs(
        _vectors(), _pairs(), **kw),
    "evaluate_word_analogies": lambda tmp, **kw: __import__("vectab").evaluate_word_analogies(
        _vectors(), _analogy_file(tmp), **kw),
    "build_embedding_matrix": lambda tmp, **kw: build_embedding_matrix(
        {"cat": 1}, _vectors(), **kw),
    "topk_cosine": lambda tmp, **kw: __import__("vectab.vectors").vectors.topk_cosine(
        np.ones((1, 4), dtype=np.float32), _vectors().vectors, **({"k": 2} | kw)),
    "load_vectors": lambda tmp, **kw: load_vectors(_vector_file(tmp), **({"cache": False} | kw)),
    "save_vectors": lambda tmp, **kw: save_vectors(_vectors(), tmp / "out.txt", **kw),
    "CoverageReport.most_frequent_missing": lambda tmp, **kw: _coverage().most_frequent_missing(
        **kw),
    "CoverageReport.summary": lambda tmp, **kw: _coverage().summary(**kw),
    # vectab.engine
    "Trainer": lambda tmp, **kw: Trainer(_TaskModel(), **({"device": "cpu"} | kw)),
    "EarlyStopping": lambda tmp, **kw: _callbacks().EarlyStopping(**kw),
    "ModelCheckpoint": lambda tmp, **kw: _callbacks().ModelCheckpoint(tmp / "ckpt", **kw),
    "ReduceLROnPlateau": lambda tmp, **kw: _callbacks().ReduceLROnPlateau(**kw),
    "CSVLogger": lambda tmp, **kw: _callbacks().CSVLogger(tmp / "log.csv", **kw),
    "Trainer.fit": lambda tmp, **kw: Trainer(_TaskModel(), device="cpu", epochs=1).fit(
        _task_data(), **kw),
    # vectab.models
    "Model.compile": lambda tmp, **kw: _keras_model(compiled=False).compile(
        optimizer="adam", loss="mse", **kw),
    "Model.fit": lambda tmp, **kw: _keras_model().fit(
        *_xy(), **({"epochs": 1, "verbose": 0} | kw)),
    "Model.evaluate": lambda tmp, **kw: _keras_model().evaluate(*_xy(), verbose=0, **kw),
    "Model.predict": lambda tmp, **kw: _keras_model().predict(_xy()[0], verbose=0, **kw),
    "Model.get_layer": lambda tmp, **kw: _keras_model().get_layer(**({"index": 0} | kw)),
    "ClassifierConfig": lambda tmp, **kw: _models().ClassifierConfig(
        **({"vocab_size": 10, "embedding_dim": 4, "num_classes": 2} | kw)),
    "TaggerConfig": lambda tmp, **kw: _models().TaggerConfig(
        **({"vocab_size": 10, "embedding_dim": 4, "tags": ["O", "B-X", "I-X"]} | kw)),
    "TabularConfig": lambda tmp, **kw: _models().TabularConfig(**({"cardinalities": [3]} | kw)),
    "LineSentences": lambda tmp, **kw: list(_models().LineSentences(_text_file(tmp), **kw)),
    "Word2Vec": lambda tmp, **kw: _models().Word2Vec(**({"workers": 1} | kw)),
    "Word2Vec.build_vocab": lambda tmp, **kw: _models().Word2Vec(
        min_count=1, workers=1).build_vocab([["the", "cat"]], **kw),
    "Word2Vec.train": lambda tmp, **kw: _word2vec().train(
        [["the", "cat"], ["the", "dog"]], **({"total_examples": 2, "epochs": 1} | kw)),
    "Word2Vec.build_vocab_from_freq": lambda tmp, **kw: _models().Word2Vec(
        min_count=1, workers=1).build_vocab_from_freq({"the": 2, "cat": 1}, **kw),
    "FastText": lambda tmp, **kw: _models().FastText(**({"workers": 1, "bucket": 100} | kw)),
    # vectab.viz
    "project": lambda tmp, **kw: _viz().project(_vectors(), **kw),
    "plot": lambda tmp, **kw: _close(_viz().plot(_vectors(), **kw)),
    "to_html": lambda tmp, **kw: _viz().to_html(_vectors(), **kw),
}


def _text() -> types.ModuleType:
    return importlib.import_module("vectab.text")


def _callbacks() -> types.ModuleType:
    return importlib.import_module("vectab.engine.callbacks")


def _nn(name: str) -> types.ModuleType:
    return importlib.import_module(f"vectab.nn.{name}")


def _models() -> types.ModuleType:
    return importlib.import_module("vectab.models")


def _viz() -> types.ModuleType:
    return importlib.import_module("vectab.viz")


def _close(figure: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(figure)


# Callables left out of the sweep, each with its reason.
NOT_OPTIONS = {
    "VectorFormatError": "an exception: its `line` is set by the readers, not passed by users",
    "LoadReport": "a result record filled by load_vectors",
    "CoverageReport": "a result record filled by build_embedding_matrix",
    "History": "a result record filled by Trainer.fit",
    "Callback.on_epoch_begin": "a hook users implement; Trainer passes the arguments",
    "Callback.on_epoch_end": "a hook users implement; Trainer passes the arguments",
    "Callback.on_batch_end": "a hook users implement; Trainer passes the arguments",
}

# Parameters where the generic wrong type / wrong value is not wrong, each with its reason,
# mapped to the (wrong type, wrong value) used instead; None = that half is not swept.
SPECIAL: dict[tuple[str, str], tuple[Any, Any]] = {
    # The padding value is any scalar of the output dtype (Keras pads object arrays with str).
    ("pad_sequences", "value"): (None, None),
    ("sequences_to_mask", "padding_value"): (None, None),
    # collate pads int64 ids: any int is a padding id, a negative one included.
    ("collate", "value"): ("10", None),
    # A negative padding_idx counts from the end, as in torch.nn.Embedding.
    ("Embedding", "padding_idx"): ("10", 10),
    ("Embedding.from_pretrained", "padding_idx"): ("10", 5),
    ("ClassifierConfig", "padding_idx"): ("10", 10),
    ("TaggerConfig", "padding_idx"): ("10", 10),
    # An axis is any int (negative counts from the end).
    ("MaxNorm", "axis"): ("10", None),
    ("MinMaxNorm", "axis"): ("10", None),
    ("UnitNorm", "axis"): ("10", None),
    # Bounds of a distribution may be negative.
    ("RandomNormal", "mean"): ("10", math.nan),
    ("TruncatedNormal", "mean"): ("10", math.nan),
    ("RandomUniform", "minval"): ("10", math.nan),
    ("RandomUniform", "maxval"): ("10", math.nan),
    ("Constant", "value"): ("10", math.nan),
    ("Orthogonal", "gain"): ("10", math.nan),
    # Flags that also take a string by design: the wrong type is a number, 'no' a wrong value.
    ("Embedding.from_vectors", "freeze"): (0, "no"),
    ("Trainer", "mixed_precision"): (0, "no"),
    # `trainable` / `freeze` take a bool array (rows) too: a str is still no flag.
    ("Embedding", "trainable"): ("no", None),
    ("Embedding.from_pretrained", "freeze"): ("no", None),
    # Progress takes a callable too: a str is the wrong type, there is no wrong value.
    ("Trainer", "progress"): ("no", None),
    ("load_vectors", "progress"): ("no", None),
    # Python's random.seed takes any int (Keras' skipgrams seeds it): no wrong value.
    ("skipgrams", "seed"): ("10", None),
    # A negative layer index counts from the end, as in Keras: the wrong value is past the end.
    ("Model.get_layer", "index"): ("10", 99),
    # gensim allows a negative exponent (it favours rare words): only NaN/inf are wrong.
    ("Word2Vec", "ns_exponent"): ("10", math.nan),
    # Keras' callbacks: min_delta and baseline may be negative (a loss or a log-likelihood).
    ("EarlyStopping", "min_delta"): ("10", math.nan),
    ("EarlyStopping", "baseline"): ("10", math.nan),
    ("ReduceLROnPlateau", "min_delta"): ("10", math.nan),
    # gensim's 0/1 switches: the wrong value is 2.
    ("Word2Vec", "sg"): ("10", 2),
    ("Word2Vec", "hs"): ("10", 2),
    ("Word2Vec", "cbow_mean"): ("10", 2),
    ("Word2Vec", "sorted_vocab"): ("10", 2),
    ("FastText", "ns_exponent"): ("10", math.nan),
    ("FastText", "sg"): ("10", 2),
    ("FastText", "cbow_mean"): ("10", 2),
    ("FastText", "sorted_vocab"): ("10", 2),
    # FastText allows hs=0 and word_ngrams=1 only (as gensim): the wrong value is the next one.
    ("FastText", "hs"): ("10", 1),
    ("FastText", "word_ngrams"): ("10", 2),
}


def _kind(param: inspect.Parameter) -> str | None:
    """'bool', 'int' or 'float' for a numeric/flag parameter, None for the rest."""
    annotation = param.annotation
    names = set()
    if isinstance(annotation, str):
        names = {part.strip() for part in annotation.split("|")}
    elif annotation in (bool, int, float):
        names = {annotation.__name__}
    default = param.default
    for kind in ("bool", "int", "float"):
        if kind in names:
            return kind
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return None


def _public_callables() -> dict[str, Callable]:
    found: dict[str, Callable] = {}
    seen: set[int] = set()

    def add(name: str, obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, types.ModuleType):
            for sub in getattr(obj, "__all__", []):
                add(sub, getattr(obj, sub))
        elif inspect.isclass(obj):
            found[name] = obj.__init__
            for attr, value in vars(obj).items():
                function = getattr(value, "__func__", value)
                if not attr.startswith("_") and inspect.isfunction(function):
                    found[f"{name}.{attr}"] = function
        elif inspect.isfunction(obj):
            found[name] = obj

    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            if not name.startswith("__"):
                add(name, getattr(module, name))
    return found


def _options(function: Callable) -> list[tuple[str, str, bool]]:
    """(name, kind, None allowed) of each numeric/flag parameter."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    out = []
    for param in signature.parameters.values():
        kind = _kind(param)
        if param.name in ("self", "cls") or kind is None:
            continue
        annotation = param.annotation if isinstance(param.annotation, str) else ""
        allows_none = param.default is None or "None" in annotation
        out.append((param.name, kind, allows_none))
    return out


SWEPT = {name: _options(fn) for name, fn in _public_callables().items()}
SWEPT = {name: opts for name, opts in SWEPT.items() if opts and name not in NOT_OPTIONS}


def _wrong_types(where: str, name: str, kind: str, allows_none: bool) -> list[Any]:
    if (where, name) in SPECIAL:
        value = SPECIAL[where, name][0]
        return [] if value is None else [value]
    if kind == "bool":
        return ["no", 0] + ([] if allows_none else [None])
    if kind == "int":
        return ["10", 2.5]
    return ["10"]


def _wrong_values(where: str, name: str, kind: str) -> list[Any]:
    if (where, name) in SPECIAL:
        value = SPECIAL[where, name][1]
        return [] if value is None else [value]
    if kind == "int":
        return [-1]
    if kind == "float":
        return [math.nan, 1.5] if "dropout" in name else [math.nan, -1.0]
    return []


TYPE_CASES = [
    pytest.param(where, name, value, id=f"{where}-{name}-{value!r}")
    for where, opts in sorted(SWEPT.items())
    for name, kind, none in opts
    for value in _wrong_types(where, name, kind, none)
]
VALUE_CASES = [
    pytest.param(where, name, value, id=f"{where}-{name}-{value!r}")
    for where, opts in sorted(SWEPT.items())
    for name, kind, _ in opts
    for value in _wrong_values(where, name, kind)
]


def test_every_public_callable_has_a_minimal_call():
    missing = sorted(set(SWEPT) - set(CALLS))
    assert not missing, f"add a minimal valid call to CALLS for: {missing}"
    stale = sorted(set(CALLS) - set(SWEPT))
    assert not stale, f"CALLS names callables the sweep no longer finds: {stale}"


@pytest.mark.parametrize("where", sorted(CALLS))
def test_the_minimal_call_is_valid(where, tmp_path):
    CALLS[where](tmp_path)


@pytest.mark.parametrize(("where", "name", "value"), TYPE_CASES)
def test_a_wrong_type_is_a_type_error_naming_the_argument(where, name, value, tmp_path):
    with pytest.raises(TypeError, match=f"`{name}`"):
        CALLS[where](tmp_path, **{name: value})


@pytest.mark.parametrize(("where", "name", "value"), VALUE_CASES)
def test_a_wrong_value_is_a_value_error_naming_the_argument(where, name, value, tmp_path):
    with pytest.raises(ValueError, match=f"`{name}`"):
        CALLS[where](tmp_path, **{name: value})


def test_the_sweep_covers_the_api():
    # A floor, so that a broken discovery (an empty sweep passes every test) fails.
    assert len(SWEPT) >= 50
    assert len(TYPE_CASES) >= 200


def test_a_flag_string_is_not_truthy():
    # The issue's bug: Tokenizer(lower='no') used to lowercase.
    with pytest.raises(TypeError, match="`lower` must be True or False, got str: 'no'"):
        Tokenizer(lower="no")
