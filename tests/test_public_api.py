"""The public API is what `__all__` promises: every name resolves, nothing heavy at import."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import vectab

SUBPACKAGES = ["vectab.text", "vectab.nn", "vectab.vectors", "vectab.models", "vectab.train",
               "vectab.viz"]


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


def test_import_vectab_does_not_import_torch():
    code = "import sys, vectab; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version_matches_package_metadata():
    from importlib.metadata import version

    assert vectab.__version__ == version("vectab")
