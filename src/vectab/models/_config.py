"""A JSON round trip for the model config dataclasses."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, TypeVar

from vectab._checks import check_bool, check_choice, check_int

C = TypeVar("C", bound="ConfigMixin")


class ConfigMixin:
    """``to_dict`` (JSON-ready: tuples become lists) and ``from_dict`` for a config dataclass."""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-serializable dict."""
        out = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any]) -> C:
        """Build the config from :meth:`to_dict`'s output; unknown keys are an error."""
        if not isinstance(data, dict):
            raise TypeError(
                f"`data` must be a dict from to_dict(), got {type(data).__name__}."
            )
        names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(
                f"{cls.__name__}.from_dict: unknown keys {unknown}; known keys are {sorted(names)}."
            )
        required = [
            f.name
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        missing = [name for name in required if name not in data]
        if missing:
            raise ValueError(f"{cls.__name__}.from_dict: missing keys {missing}; pass every field "
                             f"without a default ({required}).")
        problem = type_problem(cls, data)
        if problem is not None:
            name, expected, value = problem
            raise TypeError(
                f"{cls.__name__}.from_dict: `{name}` must be {expected}, got {value!r} "
                f"({type(value).__name__}). Values are taken as they are, never converted."
            )
        return cls(**data)


def _matches(value: Any, tp: Any) -> bool:
    """Whether ``value`` is of the annotated type ``tp`` exactly (no bool for int, no coercion)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value))
    if tp is str:
        return isinstance(value, str)
    if origin in (list, tuple):
        item = typing.get_args(tp)[0] if typing.get_args(tp) else Any
        return isinstance(value, (list, tuple)) and all(_matches(v, item) for v in value)
    return True


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in typing.get_args(tp))
    if origin in (list, tuple):
        args = typing.get_args(tp)
        item = _describe(args[0]) if args else "values"
        return f"a list of {item.removeprefix('an ').removeprefix('a ')}s"
    return {type(None): "null", bool: "true or false", int: "an integer", float: "a number",
            str: "a string"}.get(tp, getattr(tp, "__name__", str(tp)))


def type_problem(cls: type, data: dict[str, Any]) -> tuple[str, str, Any] | None:
    """The first field of ``data`` whose value is not of its declared type in config class ``cls``.

    Returns ``(name, expected, value)``, e.g. ``("mask_zero", "true or false", "no")``, or None.
    """
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name in data and not _matches(data[field.name], hints[field.name]):
            return field.name, _describe(hints[field.name]), data[field.name]
    return None


def check_padding_idx(value: Any, vocab_size: int) -> None:
    """Raise unless ``value`` is None or an id in ``[-vocab_size, vocab_size)``."""
    check_int(value, "padding_idx", minimum=-vocab_size, maximum=vocab_size - 1,
              allow_none=True, fix=" It is a row of the table; negative counts from the end.")


#: ``chars=`` of the task model configs: a character CNN (Ma & Hovy 2016) or BiLSTM (Lample et
#: al. 2016) per word, see :class:`vectab.nn.CharEncoder`.
CHAR_KINDS = ("cnn", "lstm")


def check_char_fields(config: Any) -> None:
    """Check the character and casing fields a task model config shares (``chars``,
    ``num_chars``, ``char_dim``, ``char_out_dim``, ``casing``, ``casing_dim``)."""
    check_choice(config.chars, "chars", (None, *CHAR_KINDS))
    check_bool(config.casing, "casing")
    check_int(config.num_chars, "num_chars", minimum=0)
    for name in ("char_dim", "char_out_dim", "casing_dim"):
        check_int(getattr(config, name), name)
    if config.chars is not None and config.num_chars < 3:
        raise ValueError(
            f"`num_chars` must be >= 3 with chars={config.chars!r} (padding id 0, OOV id 1 and "
            f"at least one character), got {config.num_chars}. Pass num_chars=len(char_vocab) "
            "of the vectab.text.CharVocab the character ids come from."
        )
    if config.chars == "lstm" and config.char_out_dim % 2:
        raise ValueError(
            f"`char_out_dim` must be even with chars='lstm' (forward + backward states of "
            f"char_out_dim // 2 each), got {config.char_out_dim}. Pass {config.char_out_dim + 1}."
        )
