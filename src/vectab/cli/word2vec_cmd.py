"""`vectab` commands: word2vec_cmd."""

from __future__ import annotations

import typer


def register(*, app: typer.Typer, train: typer.Typer, vectors: typer.Typer) -> None:
    """Add this module's commands to the `vectab` command groups."""
