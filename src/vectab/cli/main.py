"""The `vectab` command: parses arguments, calls the library, prints.

Global options (``--verbose``, ``--quiet``) work in any position (moved to the front by
:meth:`~vectab.cli._common.VectabGroup.hoist_global_options`).

Errors: see :mod:`vectab.cli._common` (one line on stderr and exit code 1 for every user
error, for every command, through :class:`~vectab.cli._common.VectabGroup`).

Each command group lives in its own module with a ``register(app=, train=, vectors=)``
function that adds its commands to the groups below.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from typing import NoReturn

import typer

from vectab import __version__
from vectab.cli._common import FastHelpGroup, VectabGroup

app = typer.Typer(
    name="vectab",
    cls=VectabGroup,  # every command guarded: user errors are one line and exit code 1
    help="The embedding layer and everything around it, for PyTorch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: no rich import, `--help` well under 0.5 s
)
train_app = typer.Typer(help="Train a classifier, a tagger or word vectors.", no_args_is_help=True,
                        rich_markup_mode=None, cls=FastHelpGroup)
vectors_app = typer.Typer(
    help="Inspect, convert, search, evaluate and draw word vectors.", no_args_is_help=True,
    rich_markup_mode=None, cls=FastHelpGroup,
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
    ctx: typer.Context,
    verbose: bool = typer.Option(
        False, "--verbose/--no-verbose", "-v", help="Show tracebacks on errors (any position)."
    ),
    quiet: bool = typer.Option(
        False, "--quiet/--no-quiet", "-q", help="No progress bars or lines (any position)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if verbose:  # read by vectab.cli._common.verbose_enabled (not an env var: no leaks)
        ctx.meta["vectab.verbose"] = True
    if quiet:  # read by vectab.cli._common.progress_renderer
        ctx.meta["vectab.quiet"] = True


for _name in COMMAND_MODULES:
    importlib.import_module(f"vectab.cli.{_name}").register(
        app=app, train=train_app, vectors=vectors_app
    )


def main() -> None:
    """Entry point of the `vectab` console script.

    When the command is done, the process ends without tearing the interpreter down: worker
    threads are joined, ``atexit`` handlers run and the standard streams are flushed, then
    ``os._exit``. Python's teardown of torch, torch._dynamo and numba took 0.7-1.8 s after
    every command (a third of ``vectab quickstart``'s warm run) and does nothing a finished
    command needs: every file vectab writes is closed (and renamed into place) before the
    command returns. ``VECTAB_FULL_EXIT=1`` keeps the normal teardown.
    """
    try:
        app()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    if os.environ.get("VECTAB_FULL_EXIT"):
        sys.exit(code)
    _exit_now(code)


def _exit_now(code: object) -> NoReturn:
    """``sys.exit(code)`` without the interpreter's teardown (see :func:`main`)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`vectab ... | head`)
            pass
    os._exit(status)
