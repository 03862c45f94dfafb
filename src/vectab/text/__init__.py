"""Text to integer ids: a Keras-exact Tokenizer, pad_sequences, masks and collate."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Tokenizer": "vectab.text.tokenizer",
    "tokenizer_from_json": "vectab.text.serialization",
    "text_to_word_sequence": "vectab.text.tokenizer",
    "pad_sequences": "vectab.text.sequence",
    "sequences_to_mask": "vectab.text.sequence",
    "lengths_to_mask": "vectab.text.sequence",
    "collate": "vectab.text.sequence",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
