"""Tokenizer JSON: read what :meth:`Tokenizer.to_json` or Keras' ``to_json`` wrote."""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict

from vectab.text._checks import short
from vectab.text.tokenizer import Tokenizer

__all__ = ["tokenizer_from_json"]


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuild a :class:`Tokenizer` from :meth:`Tokenizer.to_json` or Keras' ``to_json``.

    Keras equivalent: ``keras.preprocessing.text.tokenizer_from_json``. ``word_counts`` comes
    back as an ``OrderedDict`` and ``word_docs`` / ``index_docs`` as ``defaultdict(int)``, so
    the tokenizer can be fitted further (Keras' plain dicts raise ``KeyError`` then).

    Example:
        >>> tok = Tokenizer(oov_token="?")
        >>> tok.fit_on_texts(["a b b"])
        >>> tokenizer_from_json(tok.to_json()).texts_to_sequences(["b c"])
        [[2, 1]]
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"`json_string` must be a JSON str, got {short(json_string)}.")
    try:
        config = dict(json.loads(json_string)["config"])
        counts = json.loads(config.pop("word_counts"))
        docs = json.loads(config.pop("word_docs"))
        index_docs = json.loads(config.pop("index_docs"))
        index_word = json.loads(config.pop("index_word"))
        word_index = json.loads(config.pop("word_index"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"`json_string` is not a Tokenizer JSON (expected {{'class_name': 'Tokenizer', "
            f"'config': {{...}}}} as written by to_json): {exc!r}"
        ) from None
    known = {"num_words", "filters", "lower", "split", "char_level", "oov_token", "document_count"}
    unknown = set(config) - known
    if unknown:
        raise ValueError(f"`json_string` has unknown Tokenizer options {sorted(unknown)}.")
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(counts)
    tokenizer.word_docs = defaultdict(int, docs)
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in index_docs.items()})
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    tokenizer.word_index = word_index
    return tokenizer
