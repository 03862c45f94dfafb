"""Lazy public names: a package lists ``{name: module}`` and imports a module on first use."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def attach(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """Return ``(__getattr__, __dir__, __all__)`` for ``package`` from its export table.

    ``exports`` maps each public name to the module defining it; a name that maps to
    ``f"{package}.{name}"`` is that submodule itself. Type checkers see the names through the
    package's ``if TYPE_CHECKING:`` imports; ``__getattr__`` returns ``object`` (not ``Any``) so
    that a name missing from those imports is an error there rather than a silent ``Any``.
    """

    def __getattr__(name: str) -> object:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(target)
        value = module if target == f"{package}.{name}" else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__, sorted(exports)
