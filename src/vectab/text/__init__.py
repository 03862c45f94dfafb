"""Text to integer ids: a Keras-exact Tokenizer, pad_sequences, masks and collate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
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
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
