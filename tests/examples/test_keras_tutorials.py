"""examples/keras_tutorials/ (#11): the Keras tutorials' programs run on vectab after changing
only their import lines.

Every program of the folder runs in its own process and must exit 0 (each asserts its own
result); each has its Keras original in tests/examples/keras_originals/ under the same name,
and the two differ in import lines only. The originals run under Keras 3 (torch backend) in a
slow test, so the claim "this is the Keras program" is checked too."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "keras_tutorials"
ORIGINALS = Path(__file__).resolve().parent / "keras_originals"
PROGRAMS = sorted(p.name for p in EXAMPLES.glob("*.py"))
# no Keras 3 original runs: it is a Keras 2 program with keras-contrib's CRF (keras-contrib is
# not installed and does not run on Keras 3, which has no CRF layer)
NOT_ON_KERAS_3 = {"bilstm_crf_ner.py": "keras-contrib's CRF (Keras 2 only) is not installed"}


def _run(path: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=900, cwd=path.parent, env={**os.environ, **env})


def _split(source: str) -> tuple[list[str], list[str]]:
    """(import statements, every other line) of a program; an import over several lines is
    one statement, and blank lines between imports belong to the import block (isort puts one
    between the third-party and the first-party group)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    in_import: set[int] = set()
    imports = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            in_import.update(range(node.lineno - 1, node.end_lineno))
            imports.append(ast.unparse(node))
    first, last = min(in_import), max(in_import)
    in_import.update(i for i in range(first, last) if not lines[i].strip())
    return imports, [line for i, line in enumerate(lines) if i not in in_import]


def _roots(imports: list[str]) -> set[str]:
    roots = set()
    for statement in imports:
        node = ast.parse(statement).body[0]
        names = [node.module] if isinstance(node, ast.ImportFrom) else [
            a.name for a in node.names]
        roots.update(n.split(".")[0] for n in names)
    return roots


def test_the_folder_holds_the_issues_programs():
    assert len(PROGRAMS) >= 7, PROGRAMS
    originals = sorted(p.name for p in ORIGINALS.glob("*.py"))
    assert originals == PROGRAMS  # one original each


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_runs_and_passes_its_own_checks(name):
    result = _run(EXAMPLES / name)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ok" in result.stdout.splitlines()[-1]  # it got to its last line


@pytest.mark.parametrize("name", PROGRAMS)
def test_only_the_import_lines_differ_from_the_keras_original(name):
    ours_imports, ours = _split((EXAMPLES / name).read_text())
    theirs_imports, theirs = _split((ORIGINALS / name).read_text())
    assert ours == theirs  # every line but the imports, character for character
    assert ours_imports != theirs_imports
    assert not _roots(ours_imports) & {"keras", "keras_preprocessing", "gensim", "tensorflow"}
    assert "vectab" in _roots(ours_imports)
    assert "vectab" not in _roots(theirs_imports)


def test_the_split_sees_a_changed_line_outside_the_imports():
    source = (EXAMPLES / PROGRAMS[0]).read_text()
    _, lines = _split(source)
    _, changed = _split(source.replace("model = ", "net = ", 1))
    assert lines != changed


@pytest.mark.slow
@pytest.mark.parametrize("name", PROGRAMS)
def test_keras_original_runs_under_keras_3(name):
    pytest.importorskip("keras")
    if name in NOT_ON_KERAS_3:
        pytest.skip(NOT_ON_KERAS_3[name])
    result = _run(ORIGINALS / name, KERAS_BACKEND="torch")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ok" in result.stdout.splitlines()[-1]
