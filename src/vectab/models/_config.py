"""A JSON round trip for the model config dataclasses."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

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
                f"`data` must be a dict from to_dict(); received {type(data).__name__}."
            )
        names = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(
                f"{cls.__name__}.from_dict: unknown keys {unknown}; known keys are {sorted(names)}."
            )
        return cls(**data)


def check_positive_int(name: str, value: Any, *, minimum: int = 1) -> None:
    """Raise ValueError unless ``value`` is an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}; received {value!r}.")


def check_rate(name: str, value: Any) -> None:
    """Raise ValueError unless ``value`` is a probability in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"`{name}` must be a float in [0, 1); received {value!r}.")
