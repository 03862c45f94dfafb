"""One validation rule: a wrong type is a TypeError, a wrong value a ValueError, both naming
the argument. A first sweep over the constructors a Keras or gensim user calls with sizes."""

from __future__ import annotations

import pytest

from vectab.models import Word2Vec
from vectab.models.classifier import ClassifierConfig
from vectab.models.tabular import TabularConfig
from vectab.models.tagger import TaggerConfig
from vectab.nn import Embedding
from vectab.text import Tokenizer, pad_sequences

CALLS = [
    ("Embedding input_dim", lambda v: Embedding(v, 4), "input_dim"),
    ("Embedding output_dim", lambda v: Embedding(10, v), "output_dim"),
    ("ClassifierConfig vocab_size", lambda v: ClassifierConfig(v, 4, 2), "vocab_size"),
    ("ClassifierConfig num_classes", lambda v: ClassifierConfig(10, 4, v), "num_classes"),
    ("ClassifierConfig hidden_size", lambda v: ClassifierConfig(10, 4, 2, hidden_size=v),
     "hidden_size"),
    ("TaggerConfig vocab_size", lambda v: TaggerConfig(v, 4, ["O", "B-X"]), "vocab_size"),
    ("TabularConfig cardinalities", lambda v: TabularConfig([v], num_classes=2),
     r"cardinalities\[0\]"),
    ("Tokenizer num_words", lambda v: Tokenizer(num_words=v), "num_words"),
    ("pad_sequences maxlen", lambda v: pad_sequences([[1, 2]], maxlen=v), "maxlen"),
    ("Word2Vec vector_size", lambda v: Word2Vec(vector_size=v), "vector_size"),
]


@pytest.mark.parametrize(("what", "call", "name"), CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("value", ["10", 10.0, True])
def test_a_size_of_the_wrong_type_is_a_type_error_naming_the_argument(what, call, name, value):
    with pytest.raises(TypeError, match=f"`{name}`"):
        call(value)


@pytest.mark.parametrize(("what", "call", "name"), CALLS, ids=[c[0] for c in CALLS])
def test_a_size_out_of_range_is_a_value_error_naming_the_argument(what, call, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        call(-1)


FLAGS = [
    ("Tokenizer lower", lambda v: Tokenizer(lower=v), "lower"),
    ("Tokenizer char_level", lambda v: Tokenizer(char_level=v), "char_level"),
    ("Embedding mask_zero", lambda v: Embedding(10, 4, mask_zero=v), "mask_zero"),
]


@pytest.mark.parametrize(("what", "call", "name"), FLAGS, ids=[c[0] for c in FLAGS])
@pytest.mark.parametrize("value", ["no", 0, None])
def test_a_flag_is_a_bool(what, call, name, value):
    with pytest.raises(TypeError, match=f"`{name}` must be True or False"):
        call(value)
