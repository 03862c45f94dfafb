"""The `vectab` command: parses arguments, calls the library, prints.

Each command group lives in its own module with a ``register(app=, train=, vectors=)``
function that adds its commands to the groups below.
"""

from __future__ import annotations

import importlib
import os

import typer

from vectab import __version__

app = typer.Typer(
    name="vectab",
    help="The embedding layer and everything around it, for PyTorch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train a classifier, a tagger or word vectors.", no_args_is_help=True)
vectors_app = typer.Typer(
    help="Inspect, convert, search, evaluate and draw word vectors.", no_args_is_help=True
)
app.add_typer(train_app, name="train")
app.add_typer(vectors_app, name="vectors")

COMMAND_MODULES = ("quickstart", "train_cmds", "word2vec_cmd", "vectors_cmds", "viz_cmds")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vectab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if verbose:
        os.environ["VECTAB_VERBOSE"] = "1"


for _name in COMMAND_MODULES:
    importlib.import_module(f"vectab.cli.{_name}").register(
        app=app, train=train_app, vectors=vectors_app
    )


def main() -> None:
    """Entry point of the `vectab` console script."""
    app()
