"""Seeing an embedding space: PCA/t-SNE/UMAP projections, plots, an interactive page, projector
export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.viz.html import to_html as to_html
    from vectab.viz.plots import plot as plot
    from vectab.viz.projection import Projection as Projection
    from vectab.viz.projection import project as project
    from vectab.viz.projector import export_projector as export_projector

_EXPORTS: dict[str, str] = {
    "project": "vectab.viz.projection",
    "Projection": "vectab.viz.projection",
    "plot": "vectab.viz.plots",
    "to_html": "vectab.viz.html",
    "export_projector": "vectab.viz.projector",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
