"""Seeing an embedding space: PCA/t-SNE/UMAP projections, plots, an interactive page, projector export."""

from __future__ import annotations

from vectab._lazy import attach

_EXPORTS: dict[str, str] = {
    "project": "vectab.viz.projection",
    "Projection": "vectab.viz.projection",
    "plot": "vectab.viz.plots",
    "to_html": "vectab.viz.html",
    "export_projector": "vectab.viz.projector",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
