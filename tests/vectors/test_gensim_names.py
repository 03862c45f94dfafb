"""docs/gensim.md lists every public name of gensim's KeyedVectors, and tells the truth (#13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vectab.vectors import KeyedVectors, Vectors

DOC = Path(__file__).resolve().parents[2] / "docs" / "gensim.md"
_ROW = re.compile(r"^\| `(\w+)` \| (present: `(\w+)`|not present) \|(.*)\|$")


def _rows() -> dict[str, tuple[str | None, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := _ROW.match(line):
            assert m.group(1) not in rows, f"{m.group(1)} is listed twice"
            rows[m.group(1)] = (m.group(3), m.group(4).strip())
    return rows


def _gensim_names() -> set[str]:
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    names = {n for n in dir(gensim_kv) if not n.startswith("_")}
    names |= {n for n in vars(gensim_kv(2)) if not n.startswith("_")}  # instance attributes
    return names


def test_the_table_lists_every_public_gensim_name():
    listed = set(_rows())
    gensim_names = _gensim_names()
    assert len(gensim_names) > 40  # the introspection found the class
    assert sorted(gensim_names - listed) == [], "add these gensim names to docs/gensim.md"
    assert sorted(listed - gensim_names) == [], "docs/gensim.md lists names gensim lacks"


def test_present_names_exist_and_absent_ones_say_why():
    kv = Vectors(["a", "b"], [[1.0, 0.0], [0.0, 1.0]])
    for name, (ours, why) in _rows().items():
        if ours is None:
            assert len(why) > 20, f"{name}: say why it is not present"
            assert not hasattr(kv, name), f"{name} exists on Vectors: mark it present"
        else:
            assert hasattr(kv, ours), f"{name}: Vectors has no `{ours}`"


def test_keyedvectors_is_vectors():
    assert KeyedVectors is Vectors
    assert KeyedVectors(3).vectors.shape == (0, 3)
