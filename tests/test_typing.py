"""A type checker sees the public API: mypy --strict on a file that uses it, and no ``Any`` leaks.

``tests/typing/public_api_usage.py`` uses the public names the way a user does. mypy checks it
with ``--strict``; then a temporary copy reveals the type of every value the file assigns, and
another file reveals every name in each package's ``__all__``: none may be ``Any`` (numpy's
unparameterised ``np.ndarray``, whose shape and dtype are ``Any``, is allowed).

The first run type-checks torch's own annotations (25 s of CPU, measured on 2 shared cores);
the mypy cache in the temp folder makes later runs take about a second.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is not installed (dev extra; pip install mypy)")

ROOT = Path(__file__).resolve().parents[1]
USAGE = ROOT / "tests" / "typing" / "public_api_usage.py"
PACKAGES = ["vectab", "vectab.text", "vectab.nn", "vectab.vectors", "vectab.models",
            "vectab.train", "vectab.viz"]
NOTE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): note: Revealed type is \"(?P<type>.*)\"$")
NDARRAY = re.compile(r"numpy\.ndarray\[tuple\[Any, \.\.\.\], numpy\.dtype\[[\w.\[\], ]*?\]\]")


def _leaks_any(revealed: str) -> bool:
    return re.search(r"\bAny\b", NDARRAY.sub("numpy.ndarray", revealed)) is not None


def _top_level_split(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i + len(separator)
    return [*parts, text[start:]]


def _return_types(revealed: str) -> list[str]:
    """The return types of a revealed ``def (...) -> R`` or ``Overload(def ..., def ...)``."""
    if revealed.startswith("Overload(") and revealed.endswith(")"):
        items = _top_level_split(revealed[len("Overload("):-1], ", ")
        return [r for item in items for r in _return_types(item)]
    parts = _top_level_split(revealed, " -> ")
    return [parts[-1]]


def reveal_assigned_values(source: str) -> tuple[str, dict[int, str]]:
    """Copy ``source`` with ``reveal_type(value)`` after each assignment; map lines to values."""
    after: dict[int, list[tuple[int, str]]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            after.setdefault(node.end_lineno or node.lineno, []).append(
                (node.col_offset, ast.unparse(node.value)))
    lines: list[str] = []
    values: dict[int, str] = {}
    for number, line in enumerate(source.splitlines(), 1):
        lines.append(line)
        for indent, value in after.get(number, []):
            lines.append(" " * indent + f"reveal_type({value})")
            values[len(lines)] = f"line {number}: {value}"
    return "\n".join(lines) + "\n", values


def reveal_public_names() -> tuple[str, dict[int, str]]:
    lines = [f"import {package}" for package in PACKAGES]
    names: dict[int, str] = {}
    for package in PACKAGES:
        for name in importlib.import_module(package).__all__:
            if not name.startswith("__"):
                lines.append(f"reveal_type({package}.{name})")
                names[len(lines)] = f"{package}.{name}"
    return "\n".join(lines) + "\n", names


def run_mypy(files: list[Path]) -> list[str]:
    version = f"{sys.version_info[0]}{sys.version_info[1]}"
    cache = Path(tempfile.gettempdir()) / f"vectab-mypy-cache-py{version}"
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
           f"--cache-dir={cache}", "--no-error-summary", "--show-error-codes",
           "--no-color-output", *map(str, files)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    if out.returncode not in (0, 1) or out.stderr.strip():
        pytest.fail(f"mypy did not run (exit {out.returncode}):\n{out.stderr}{out.stdout}")
    return out.stdout.splitlines()


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("typing")
    values_source, values = reveal_assigned_values(USAGE.read_text(encoding="utf-8"))
    names_source, names = reveal_public_names()
    (folder / "revealed_usage.py").write_text(values_source, encoding="utf-8")
    (folder / "revealed_names.py").write_text(names_source, encoding="utf-8")
    lines = run_mypy([USAGE, folder / "revealed_usage.py", folder / "revealed_names.py"])
    return lines, values, names


def _revealed(lines: list[str], file: str) -> dict[int, str]:
    found = {}
    for line in lines:
        match = NOTE.match(line)
        if match and Path(match["file"]).name == file:
            found[int(match["line"])] = match["type"]
    return found


def test_public_api_usage_passes_mypy_strict(mypy_output):
    lines, _, _ = mypy_output
    errors = [line for line in lines
              if ": error:" in line and Path(line.split(":")[0]).name == USAGE.name]
    assert not errors, "mypy --strict on tests/typing/public_api_usage.py:\n" + "\n".join(errors)


def test_no_value_in_the_usage_file_is_any(mypy_output):
    lines, values, _ = mypy_output
    revealed = _revealed(lines, "revealed_usage.py")
    assert set(revealed) == set(values), "mypy revealed fewer values than were asked"
    leaks = [f"{values[n]}  ->  {t}" for n, t in sorted(revealed.items()) if _leaks_any(t)]
    assert not leaks, "values whose type reaches mypy as Any:\n" + "\n".join(leaks)


def test_no_public_name_is_any(mypy_output):
    lines, _, names = mypy_output
    revealed = _revealed(lines, "revealed_names.py")
    assert set(revealed) == set(names), "mypy revealed fewer names than were asked"
    # a name missing from the TYPE_CHECKING imports reaches mypy through __getattr__: object
    leaks = [f"{names[n]}  ->  {t}" for n, t in sorted(revealed.items())
             if t in ("Any", "object") or any(_leaks_any(r) for r in _return_types(t))]
    assert not leaks, "public names (or return types) that reach mypy as Any:\n" + "\n".join(leaks)


@pytest.mark.parametrize("revealed, leaks", [
    ("Any", True),
    ("builtins.list[Any]", True),
    ("numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]]", False),
    ("tuple[numpy.ndarray[tuple[Any, ...], numpy.dtype[numpy.float32]], vectab.X]", False),
    ("builtins.dict[builtins.str, numpy.ndarray[tuple[Any, ...], numpy.dtype[Any]] | Any]", True),
])
def test_the_any_filter_allows_only_numpy_arrays(revealed, leaks):
    assert _leaks_any(revealed) is leaks


@pytest.mark.parametrize("revealed, returns", [
    ("def (f: def (x: int) -> Any, *, k: int =) -> builtins.str", ["builtins.str"]),
    ("Overload(def (x: int) -> builtins.int, def (x: str) -> Any)", ["builtins.int", "Any"]),
    ("type[vectab.errors.VectabError]", ["type[vectab.errors.VectabError]"]),
])
def test_return_types_are_read_after_the_top_level_arrow(revealed, returns):
    assert _return_types(revealed) == returns
