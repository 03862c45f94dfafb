"""Seeing an embedding space: PCA/t-SNE/UMAP projections, plots, an interactive page, projector export."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "project": "vectab.viz.projection",
    "Projection": "vectab.viz.projection",
    "plot": "vectab.viz.plots",
    "to_html": "vectab.viz.html",
    "export_projector": "vectab.viz.projector",
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
