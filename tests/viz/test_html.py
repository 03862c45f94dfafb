"""vectab.viz.to_html: one self-contained page; safe escaping; embedded neighbours."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from vectab.viz import to_html
from vectab.viz.html import nearest_neighbors

NASTY = ["</script>", '"quoted"', "<!--", "a&amp;b", "line\u2028sep", "naïve", "<b>bold</b>", "x'y"]


def data_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="vectab-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def pair(n: int = 30, dim: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n)]
    return words, rng.normal(size=(n, dim)).astype(np.float32)


def test_nearest_neighbors_match_brute_force():
    words, m = pair(50)
    ids, sims = nearest_neighbors(m, 5, chunk=7)
    unit = m / np.linalg.norm(m, axis=1, keepdims=True)
    full = unit @ unit.T
    np.fill_diagonal(full, -np.inf)
    ref = np.argsort(-full, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(ids, ref)
    np.testing.assert_allclose(sims, np.take_along_axis(full, ref, axis=1), atol=1e-5)
    ids, _ = nearest_neighbors(m[:3], 10)
    assert ids.shape == (3, 2)  # at most n - 1 neighbours


def test_page_is_self_contained_and_escapes_words():
    words, m = pair(len(NASTY))
    page = to_html((NASTY, m), neighbors=3, title='<My "plot">')
    assert page.count("</script>") == 2  # the page's own two scripts only
    assert "<!--" not in page
    assert "\u2028" not in page
    assert "<title>&lt;My &quot;plot&quot;&gt;</title>" in page
    # no network: nothing is fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "fetch(" not in page
    data = data_of(page)
    assert data["words"] == NASTY
    assert len(data["x"]) == len(data["y"]) == len(NASTY)
    assert all(0 <= v <= 1 for v in data["x"] + data["y"])
    assert len(data["nbrs"][0]) == 3 and data["nbrs"][0][0] != 0


def test_groups_colours_and_neighbours(tmp_path):
    words, m = pair(20)
    groups = {"first": words[:5], "second": words[5:8]}
    out = tmp_path / "page.html"
    page = to_html((words, m), words, groups=groups, neighbors=4, out=out)
    assert out.read_text(encoding="utf-8") == page
    data = data_of(page)
    assert data["groups"] == ["first", "second", "other"]
    assert data["group"][:8] == [0] * 5 + [1] * 3 and set(data["group"][8:]) == {2}
    assert data["colors"][2] == "#9a9a9a"
    ids, _ = nearest_neighbors(m.astype(np.float64), 4)
    assert data["nbrs"] == ids.tolist()
    # groups only: the page shows the group words
    assert data_of(to_html((words, m), groups=groups))["words"] == words[:8]


def test_default_words_and_zero_neighbours():
    words, m = pair(1200, dim=4)
    data = data_of(to_html((words, m), neighbors=0))
    assert len(data["words"]) == 1000
    assert data["nbrs"][0] == []


def test_bad_arguments(tmp_path):
    words, m = pair(10)
    cases = [
        ({"neighbors": -1}, ValueError, "`neighbors` must be an int >= 0"),
        ({"neighbors": 2.5}, TypeError, "`neighbors`"),
        ({"neighbors": True}, TypeError, "`neighbors`"),
        ({"method": "svd"}, ValueError, "`method`"),
        ({"words": ["w1"]}, ValueError, "at least 2 words"),
    ]
    for kwargs, exc, message in cases:
        with pytest.raises(exc, match=message):
            to_html((words, m), out=tmp_path / "p.html", **kwargs)
    assert list(tmp_path.iterdir()) == []
