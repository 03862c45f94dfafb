"""What every command shares: one wrapper that turns every user error into one line.

The rule: an error the user can cause (a bad file, directory, option value or data) prints
ONE line on stderr, ``error: <what>: <rule / what was found>; <fix>``, and exits with 1.
``vectab --verbose ...`` (or ``VECTAB_VERBOSE=1``) shows the traceback as well.

How it holds for every command without per-command code:

- :class:`VectabGroup` is the class of the root ``vectab`` group. When click builds the
  command tree it wraps the callback of every command, in every sub-group, with
  :func:`user_errors` (:func:`guard_tree`); a new command is covered with nothing to add.
- :meth:`VectabGroup.main` runs click in non-standalone mode, so click's own usage errors
  (unknown option, bad option value, missing argument, unknown command) also become one line
  with exit code 1, instead of click's usage block and exit code 2.

Which exceptions are user errors (:func:`is_user_error`): ``VectabError`` (with
``VectorFormatError`` and ``ModelFormatError``), ``ValueError`` (with ``UnicodeError`` and
``json.JSONDecodeError``), ``TypeError``, ``KeyError``, every ``OSError`` (missing file,
directory where a file is expected, permissions, a full disk, ``gzip.BadGzipFile``, bz2's
"invalid data stream": bz2 raises OSError and EOFError), ``EOFError`` (a truncated compressed
stream: never click's "Aborted."), ``zlib.error``, ``zipfile.BadZipFile``, ``lzma.LZMAError``,
``OverflowError`` and ``MemoryError`` (a header that claims absurd sizes), safetensors'
``SafetensorError`` and torch's ``OutOfMemoryError``. When the message does not name the file, the
line is prefixed with the file the error came from (the innermost vectab frame holding a ``path``
under one of the command's path arguments), else with the command's input path.

Anything else (``RuntimeError``, ``AttributeError``, ``AssertionError``, ... from vectab's own
code) is a bug, not a user error: it prints one line ``internal error (please report): ...``
with the hint to rerun with ``--verbose`` for the traceback, and exits with
:data:`EXIT_INTERNAL` (70, sysexits' EX_SOFTWARE) so a script can tell a bug from bad input.

Every line is made to fit on one line: newlines and runs of spaces collapse to one space and
a very long message keeps its start and its end (where the fix usually is).
"""

from __future__ import annotations

import errno
import functools
import lzma
import os
import sys
import traceback
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

try:  # typer >= 0.2x carries its own copy of click as typer._click
    from typer._click import exceptions as _cx
    from typer._click.globals import get_current_context as _current_context
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click import exceptions as _cx
    from click import get_current_context as _current_context

from vectab._fileio import check_output
from vectab.errors import VectabError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER = 1
EXIT_INTERNAL = 70
MAX_LINE = 600

# Exceptions that mean "the user gave something wrong", not "vectab has a bug".
USER_ERRORS: tuple[type[BaseException], ...] = (
    VectabError,
    ValueError,  # UnicodeDecodeError, json.JSONDecodeError
    TypeError,
    KeyError,
    OSError,  # FileNotFoundError, IsADirectoryError, PermissionError, gzip.BadGzipFile, ...
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    lzma.LZMAError,
    OverflowError,
    MemoryError,
)

# params that name something the command writes (not where an input error comes from)
_OUTPUT_PARAMS = {"out", "out_dir", "target", "model_out"}
# local variable names that hold the file being read in vectab's own frames
_PATH_LOCALS = ("path", "file", "filename", "source", "fname", "directory", "model_dir")


def _extra_user_errors() -> tuple[type[BaseException], ...]:
    """User-error types of optional or heavy modules, only when they are already imported."""
    extra: list[type[BaseException]] = []
    st = sys.modules.get("safetensors")
    if st is not None and isinstance(getattr(st, "SafetensorError", None), type):
        extra.append(st.SafetensorError)
    torch = sys.modules.get("torch")
    oom = getattr(torch, "OutOfMemoryError", None) if torch is not None else None
    if isinstance(oom, type):
        extra.append(oom)
    return tuple(extra)


def is_user_error(exc: BaseException) -> bool:
    """True when ``exc`` is something the user can fix (see the module docstring)."""
    return isinstance(exc, USER_ERRORS + _extra_user_errors())


def verbose_enabled() -> bool:
    """True when --verbose was given to `vectab` (or VECTAB_VERBOSE=1)."""
    ctx = _current_context(silent=True)
    if ctx is not None and ctx.meta.get("vectab.verbose"):
        return True
    return os.environ.get("VECTAB_VERBOSE", "") not in ("", "0")


def quiet_enabled() -> bool:
    """True when --quiet was given to `vectab` (no progress bars or progress lines)."""
    ctx = _current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get("vectab.quiet"))


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """Collapse ``text`` to one line; keep its start and its end when longer than ``limit``."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    tail = limit // 4
    return f"{flat[: limit - tail - 5]} ... {flat[-tail:]}"


def _path_args(params: dict[str, Any]) -> tuple[list[Path], list[Path]]:
    """(inputs, all) path arguments of a command call."""
    inputs: list[Path] = []
    everything: list[Path] = []
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if isinstance(v, Path):
                everything.append(v)
                if name not in _OUTPUT_PARAMS:
                    inputs.append(v)
    return inputs, everything


def _under(candidate: str, roots: Iterable[Path]) -> bool:
    for root in roots:
        r = str(root)
        if candidate == r or candidate.startswith(r.rstrip(os.sep) + os.sep):
            return True
    return False


def _file_of(exc: BaseException, params: dict[str, Any]) -> str | None:
    """The file an error came from: the exception's, a vectab frame's ``path``, or the input."""
    filename = getattr(exc, "filename", None) or getattr(exc, "path", None)
    if isinstance(filename, (str, os.PathLike)) and str(filename):
        return str(filename)
    inputs, everything = _path_args(params)
    tb = exc.__traceback__
    found = None
    while tb is not None:  # innermost last: keep the last match
        frame = tb.tb_frame
        if str(frame.f_globals.get("__name__", "")).startswith("vectab."):
            for name in _PATH_LOCALS:
                value = frame.f_locals.get(name)
                if isinstance(value, (str, os.PathLike)) and _under(str(value), everything):
                    found = str(value)
                    break
        tb = tb.tb_next
    if found is not None:
        return found
    if len(inputs) == 1:
        return str(inputs[0])
    if inputs:
        return " or ".join(str(p) for p in inputs)
    return None


_OS_HINTS = {
    errno.ENOENT: "check the path",
    errno.EISDIR: "it is a directory; pass a file",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EACCES: "check its permissions or choose another location",
    errno.EPERM: "check its permissions or choose another location",
    errno.EEXIST: "remove it or choose another name",
    errno.ENOSPC: "the disk is full; free some space or write elsewhere",
    errno.EROFS: "the file system is read-only; write elsewhere",
}


_PLAIN_FILE_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
                      FileExistsError)


def _describe(exc: BaseException) -> tuple[str, bool]:
    """(message, needs_file): what went wrong and whether the file must be named."""
    import json

    text = str(exc).strip()
    if isinstance(exc, VectabError):
        return text, False
    if isinstance(exc, json.JSONDecodeError):
        return (f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                "repair the file or write it again"), True
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start:exc.start + 1].hex() if exc.object else "?"
        return (f"not {exc.encoding} text (byte 0x{bad}: {exc.reason}); convert the file to "
                "UTF-8, e.g. `iconv -f latin1 -t utf-8`"), True
    if isinstance(exc, EOFError):
        return (f"the file ends too early ({text or 'unexpected end of data'}): a truncated "
                "download or an interrupted write; get or compress the file again"), True
    if isinstance(exc, (zlib.error, zipfile.BadZipFile, lzma.LZMAError)):
        return (f"damaged compressed data ({text}); get or compress the file again"), True
    if isinstance(exc, (OverflowError, MemoryError)):
        what = f" ({text})" if text else ""
        return (f"the file claims sizes that cannot be read or allocated{what}: a damaged header, "
                "a file not in the format given (check --format), or an input too large for "
                "this machine's memory"), True
    if isinstance(exc, OSError):
        if exc.errno is not None and exc.strerror:
            hint = _OS_HINTS.get(exc.errno, "")
            msg = exc.strerror[:1].lower() + exc.strerror[1:]
            if getattr(exc, "filename2", None):
                msg += f" (to {exc.filename2})"
            return (f"{msg}; {hint}" if hint else msg), True  # named from exc.filename
        if isinstance(exc, _PLAIN_FILE_ERRORS):  # raised with a message, e.g. "x: file not found"
            return text or type(exc).__name__, True
        return (f"{text}; the file is damaged or not what its name says" if text else
                "cannot read the file"), True
    if isinstance(exc, KeyError) and not isinstance(exc, VectabError):
        key = exc.args[0] if exc.args else "?"
        if isinstance(key, str) and " " in key:
            return key, False  # a message raised as a KeyError
        return f"missing entry {key!r}; the file is incomplete or not what was expected", True
    name = type(exc).__name__
    if name == "SafetensorError":
        return f"damaged weights file ({text}); save the model again", True
    if name == "OutOfMemoryError":
        return (f"out of device memory ({one_line(text, 160)}); lower --batch-size or use "
                "--device cpu"), False
    return text or name, False


def format_user_error(exc: BaseException, params: dict[str, Any] | None = None) -> str:
    """The one line (without ``error: ``) shown for a user error raised by a command."""
    message, needs_file = _describe(exc)
    if needs_file:
        where = _file_of(exc, params or {})
        if where and where not in message:
            message = f"{where}: {message}"
    return one_line(message)


# raised on purpose by commands and by typer/click themselves: not errors to translate
_PASS_THROUGH: tuple[type[BaseException], ...] = tuple(
    {typer.Exit, typer.Abort, _cx.ClickException}
)


def _fail(line: str, code: int) -> NoReturn:
    typer.echo(line, err=True)
    raise typer.Exit(code=code)


def _handle(exc: BaseException, params: dict[str, Any]) -> NoReturn:
    if verbose_enabled():
        traceback.print_exception(exc, file=sys.stderr)
    if is_user_error(exc):
        _fail(f"error: {cli_names(format_user_error(exc, params))}", EXIT_USER)
    where = ""
    tb = traceback.extract_tb(exc.__traceback__)
    if tb:
        last = tb[-1]
        where = f" at {Path(last.filename).name}:{last.lineno}"
    hint = "" if verbose_enabled() else "; rerun with `vectab --verbose ...` to see the traceback"
    _fail(
        f"internal error (please report): {type(exc).__name__}{where}: "
        f"{one_line(str(exc), 300)}{hint}",
        EXIT_INTERNAL,
    )


EXIT_PIPE = 141  # what a shell reports for a tool ended by SIGPIPE (128 + 13)


def _output_closed() -> NoReturn:
    """End quietly when the program reading our output has gone (Python's documented recipe:
    point stdout at devnull so the final flush cannot fail again)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test runner's capture)
        pass
    raise typer.Exit(EXIT_PIPE)


def user_errors(fn: F) -> F:
    """Run ``fn`` so that any exception becomes one line on stderr and an exit code.

    User errors exit with 1, bugs with :data:`EXIT_INTERNAL`; ``--verbose`` adds the traceback.
    Applied to every command by :class:`VectabGroup`; applying it twice changes nothing.
    """
    if getattr(fn, "__vectab_guarded__", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except BrokenPipeError:  # the reader left (`vectab vectors neighbors ... | head`)
            _output_closed()
        except Exception as exc:  # noqa: BLE001 - the one place every error is shown
            _handle(exc, kwargs)

    wrapper.__vectab_guarded__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _no_type(ctx: Any) -> None:
    return None


def normalise_flags(command: Any) -> None:
    """Every boolean option of ``command`` is ``--flag/--no-flag`` and shows no ``<bool>`` type.

    A flag declared alone (``--fast``) gets its ``--no-fast`` form, one declared with another
    negative (``--sg/--cbow``) gets ``--no-sg`` too; ``--help`` and eager actions
    (``--version``) stay as they are.
    """
    for param in getattr(command, "params", None) or []:
        if not getattr(param, "is_bool_flag", False) or param.is_eager:
            continue
        longs = [o for o in param.opts if o.startswith("--")]
        if longs and not any(o.startswith("--no-") for o in param.secondary_opts):
            param.secondary_opts = [*param.secondary_opts, "--no-" + longs[0][2:]]
        param.display_type_rich = _no_type  # the type column: nothing for a flag


def guard_tree(command: Any) -> None:
    """Wrap the callback of ``command`` and of every command below it with :func:`user_errors`;
    make its boolean options ``--flag/--no-flag`` (:func:`normalise_flags`)."""
    if getattr(command, "callback", None) is not None:
        command.callback = user_errors(command.callback)
    normalise_flags(command)
    for sub in (getattr(command, "commands", None) or {}).values():
        guard_tree(sub)


def option_names(ctx: Any = None) -> dict[str, str]:
    """Python parameter name -> CLI option (``text_col`` -> ``--text-col``) of the command run."""
    ctx = ctx if ctx is not None else _current_context(silent=True)
    names: dict[str, str] = {}
    while ctx is not None:
        for param in getattr(ctx.command, "params", None) or []:
            opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
            if getattr(param, "param_type_name", "") == "option" and opts and param.name:
                names.setdefault(param.name, opts[0])
        ctx = ctx.parent
    names.update(ctx_extra_names())
    return names


def ctx_extra_names() -> dict[str, str]:
    """Names a command maps itself (``ctx.meta["vectab.option_names"]``): library -> CLI."""
    ctx = _current_context(silent=True)
    return dict(ctx.meta.get("vectab.option_names", {})) if ctx is not None else {}


def cli_names(message: str, names: dict[str, str] | None = None) -> str:
    """``message`` with the library's Python names as the command's options.

    `` `text_col` `` and ``text_col=`` become ``--text-col``, as does a bare name with an
    underscore (``as text_col``); ``format='csv'|'tsv'`` becomes ``--format csv|tsv``. A clause
    ``or pass name=...`` for a name the command has no option for is dropped (there is
    nothing to pass on the command line).

    Example:
        >>> cli_names("column 'x' not found. Pass the right name as text_col",
        ...           {"text_col": "--text-col"})
        "column 'x' not found. Pass the right name as --text-col"
        >>> cli_names("bad extension; or pass format='csv'|'tsv'", {"format": "--format"})
        'bad extension; or pass --format csv|tsv'
        >>> cli_names("bad extension '.txt'; use .csv or pass format='csv'|'tsv'", {})
        "bad extension '.txt'; use .csv"
        >>> cli_names("`path`: no vector file at 'v.txt'", {})
        "no vector file at 'v.txt'"
    """
    import re

    names = option_names() if names is None else names

    def choices(match: re.Match) -> str:
        return names[match.group(1)] + " " + match.group(2).replace("'", "")

    for name, flag in sorted(names.items(), key=lambda kv: -len(kv[0])):
        message = re.sub(rf"`{name}`", flag, message)
        message = re.sub(rf"\b({name})=((?:'[^']*'\|?)+)", choices, message)
        message = re.sub(rf"(?<![\w-]){name}=", flag + "=", message)
        if "_" in name:
            message = re.sub(rf"(?<![\w`.-]){name}(?![\w(`])", flag, message)
    message = re.sub(r",? or pass [a-z_]+=\S+", "", message)  # no such option here
    message = re.sub(r"^`[a-z_]+`: ", "", message)  # "`path`: no file at ..." names the file
    message = re.sub(r"(--[\w-]+) / \1\b", r"\1", message)
    return re.sub(r"(--[\w-]+) \(\1\)", r"\1", message)


def _typed_value(exc: Any, args: list[str]) -> str | None:
    """The value typed after the option that a BadParameter is about, if it can be found."""
    param = getattr(exc, "param", None)
    opts = [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
    if not opts or not any(o.startswith("-") for o in opts):
        return None
    found = None
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                found = args[i + 1]
            elif arg.startswith(opt + "="):
                found = arg[len(opt) + 1:]
    return found  # the last one given wins, as in click


_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0", "y", "n", "t", "f"}


def _flag_given_a_value(exc: Any, args: list[str]) -> str | None:
    """The line for ``--flag true`` (a flag takes no value), else None."""
    ctx = getattr(exc, "ctx", None)
    if ctx is None or "unexpected extra argument" not in exc.format_message():
        return None
    flags = {}
    for param in getattr(ctx.command, "params", None) or []:
        if getattr(param, "is_bool_flag", False):
            for opt in [*param.opts, *param.secondary_opts]:
                flags[opt] = param
    for prev, arg in zip(args, args[1:]):
        if prev in flags and arg.lower() in _BOOL_WORDS:
            param = flags[prev]
            on = [o for o in param.opts if o.startswith("--")][0]
            off = next((o for o in param.secondary_opts if o.startswith("--no-")), None)
            fix = f"write {on}" + (f" (or {off})" if off else "") + " alone"
            return (f"error: {prev} is a flag and takes no value, got {arg!r}; {fix} "
                    f"(see `{ctx.command_path} --help`)")
    return None


def _usage_line(exc: Any, args: list[str] | None = None) -> str:
    flag_line = _flag_given_a_value(exc, args or [])
    if flag_line is not None:
        return flag_line
    msg = one_line(exc.format_message())
    value = _typed_value(exc, args or [])
    if value is not None and repr(value) not in msg:
        msg = f"{msg.rstrip('.')}; got {value!r}"
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        return f"error: {msg} (see `{ctx.command_path} --help`)"
    return f"error: {msg}"


class _BoolParam:
    """Coerce an unset (``None``) or boolean value as is; anything else as typer would.

    typer builds a pydantic adapter for a parameter the first time a value of it is coerced,
    and a group's ``--help`` option is coerced on every call (its value is ``None`` when not
    given): that one adapter costs the ~0.1 s pydantic import on every ``vectab ... --help``.
    """

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        from typer._coercion import build_runtime_param

        return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)


class FastHelpGroup(TyperGroup):
    """A typer group whose own ``--help`` option is read without importing pydantic."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        descriptor = getattr(option, "type_descriptor", None)
        if getattr(option, "_runtime_param", False) is None and getattr(
            descriptor, "annotation", None
        ) is bool:  # typer >= 0.26 coerces values through pydantic; older ones have no such hook
            option._runtime_param = _BoolParam()
        return option


class VectabGroup(FastHelpGroup):
    """The root ``vectab`` group: every command guarded, click's usage errors as one line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_tree(self)

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = self.hoist_global_options(list(sys.argv[1:] if args is None else args))
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _cx.NoArgsIsHelpError as exc:  # `vectab train` alone: its help
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except _cx.ClickException as exc:  # usage: unknown option, bad value, missing argument
            if not standalone_mode:
                raise
            typer.echo(_usage_line(exc, args), err=True)
            sys.exit(EXIT_USER)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("Aborted.", err=True)
            sys.exit(EXIT_USER)
        except Exception as exc:  # noqa: BLE001 - raised outside any command (root callback)
            if not standalone_mode:
                raise
            try:
                _handle(exc, {})
            except typer.Exit as done:
                sys.exit(done.exit_code)
        if not standalone_mode:
            return rv
        # non-standalone click returns the exit code of a typer.Exit, else the callback's value
        sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)

    def hoist_global_options(self, args: list[str]) -> list[str]:
        """Move the root's flags (``--verbose``, ``--quiet``, ...) to the front, from any position.

        ``vectab train tagger data.conll --verbose`` is ``vectab --verbose train tagger
        data.conll``. Only flags (no value) move, and nothing after ``--``.
        """
        flags = set()
        for param in self.params:
            if getattr(param, "is_flag", False) and not param.is_eager:
                flags.update(param.opts)
                flags.update(param.secondary_opts)
        end = args.index("--") if "--" in args else len(args)
        front = [a for a in args[:end] if a in flags]
        rest = [a for a in args[:end] if a not in flags]
        return front + rest + args[end:]

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EOFError as exc:  # typer/click would turn it into "Aborted."
            _handle(exc, {})


def stderr_console() -> Any:
    """A rich console on stderr, for progress bars and tables that are not the command's output."""
    from rich.console import Console

    return Console(stderr=True)


def progress_renderer() -> Any:
    """The one progress renderer (:class:`vectab._render.Renderer` on stderr) for a command.

    A rich bar on a terminal; on a pipe or in a log one plain line per epoch or stage with every
    metric. None on the non-zero ranks of a torchrun job, which stay quiet.
    """
    if not is_main_process() or quiet_enabled():
        return None
    from vectab._render import Renderer

    return Renderer()


def is_main_process() -> bool:
    """False on the non-zero ranks of a torchrun job (they stay quiet)."""
    return os.environ.get("RANK", "0") == "0"


__all__ = [
    "USER_ERRORS",
    "EXIT_USER",
    "EXIT_INTERNAL",
    "VectabGroup",
    "check_output",
    "cli_names",
    "format_user_error",
    "guard_tree",
    "is_main_process",
    "is_user_error",
    "normalise_flags",
    "option_names",
    "one_line",
    "progress_renderer",
    "quiet_enabled",
    "stderr_console",
    "user_errors",
    "verbose_enabled",
]
