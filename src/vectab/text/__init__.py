"""Text to integer ids: a Keras-exact Tokenizer, pad_sequences, masks and collate."""

from __future__ import annotations

from vectab._lazy import attach

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
