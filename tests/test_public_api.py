"""The public API is what `__all__` promises: every name resolves, nothing heavy at import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import vectab

SUBPACKAGES = ["vectab.text", "vectab.nn", "vectab.layers", "vectab.vectors", "vectab.engine",
               "vectab.models", "vectab.models.word2vec",
               "vectab.models.fasttext", "vectab.train", "vectab.viz"]


@pytest.mark.parametrize("name", vectab.__all__)
def test_every_top_level_name_resolves(name):
    assert getattr(vectab, name) is not None


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_every_subpackage_name_resolves(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        vectab.Nope  # noqa: B018


@pytest.mark.parametrize("package", ["vectab", *SUBPACKAGES])
def test_import_does_not_import_torch(package):
    code = f"import sys, {package}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


SRC = Path(vectab.__file__).resolve().parent
LAZY_PACKAGES = sorted(p for p in SRC.rglob("__init__.py") if "_EXPORTS" in p.read_text("utf-8"))


def lazy_tables(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """``_EXPORTS`` of a package's ``__init__.py`` and its ``if TYPE_CHECKING:`` imports, both
    as ``{name: module}`` (a submodule ``from pkg import sub as sub`` is ``pkg.sub``)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = ".".join(path.parent.relative_to(SRC.parent).parts)
    exports: dict[str, str] = {}
    seen: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "_EXPORTS":
            exports = ast.literal_eval(node.value)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            assert not node.orelse, f"{path}: the TYPE_CHECKING block has an else branch"
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.level == 0, (
                    f"{path}:{statement.lineno}: only absolute `from module import name as name` "
                    "lines belong in the TYPE_CHECKING block")
                for alias in statement.names:
                    assert alias.asname == alias.name, (
                        f"{path}:{statement.lineno}: write `{alias.name} as {alias.name}` "
                        "(an explicit re-export; without it mypy --strict hides the name)")
                    module = statement.module or ""
                    seen[alias.name] = f"{module}.{alias.name}" if module == package else module
    return exports, seen


def test_every_lazy_package_is_found():
    found = {".".join(p.parent.relative_to(SRC.parent).parts) for p in LAZY_PACKAGES}
    assert found == {"vectab", *SUBPACKAGES}


@pytest.mark.parametrize("path", LAZY_PACKAGES, ids=lambda p: str(p.relative_to(SRC.parent)))
def test_type_checking_imports_match_the_lazy_table(path):
    exports, seen = lazy_tables(path)
    assert exports, f"{path}: no _EXPORTS table"
    assert seen == exports, (
        f"{path}: the `if TYPE_CHECKING:` imports must name exactly the _EXPORTS entries, from "
        f"the same modules; missing: {sorted(exports.keys() - seen.keys())}, extra: "
        f"{sorted(seen.keys() - exports.keys())}, other module: "
        f"{sorted(n for n in exports.keys() & seen.keys() if exports[n] != seen[n])}")


def test_version_matches_package_metadata():
    from importlib.metadata import version

    assert vectab.__version__ == version("vectab")
