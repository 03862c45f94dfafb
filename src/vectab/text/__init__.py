"""Text to integer ids: a Keras-exact Tokenizer, pad_sequences, masks, collate, hashed ids and
skip-grams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.text.chars import CASING_CLASSES as CASING_CLASSES
    from vectab.text.chars import CharVocab as CharVocab
    from vectab.text.chars import casing_ids as casing_ids
    from vectab.text.chars import casing_of as casing_of
    from vectab.text.helpers import hashing_trick as hashing_trick
    from vectab.text.helpers import make_sampling_table as make_sampling_table
    from vectab.text.helpers import one_hot as one_hot
    from vectab.text.helpers import skipgrams as skipgrams
    from vectab.text.sequence import collate as collate
    from vectab.text.sequence import lengths_to_mask as lengths_to_mask
    from vectab.text.sequence import pad_sequences as pad_sequences
    from vectab.text.sequence import sequences_to_mask as sequences_to_mask
    from vectab.text.serialization import tokenizer_from_json as tokenizer_from_json
    from vectab.text.tokenizer import Tokenizer as Tokenizer
    from vectab.text.tokenizer import text_to_word_sequence as text_to_word_sequence

_EXPORTS: dict[str, str] = {
    "Tokenizer": "vectab.text.tokenizer",
    "tokenizer_from_json": "vectab.text.serialization",
    "text_to_word_sequence": "vectab.text.tokenizer",
    "pad_sequences": "vectab.text.sequence",
    "sequences_to_mask": "vectab.text.sequence",
    "lengths_to_mask": "vectab.text.sequence",
    "collate": "vectab.text.sequence",
    "hashing_trick": "vectab.text.helpers",
    "one_hot": "vectab.text.helpers",
    "skipgrams": "vectab.text.helpers",
    "make_sampling_table": "vectab.text.helpers",
    "CharVocab": "vectab.text.chars",
    "casing_ids": "vectab.text.chars",
    "casing_of": "vectab.text.chars",
    "CASING_CLASSES": "vectab.text.chars",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
