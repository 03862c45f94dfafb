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
    # the words as a list: a count (words=None) would skip the punctuation-only "<!--"
    page = to_html((NASTY, m), NASTY, neighbors=3, title='<My "plot">')
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


def test_importance_stop_words_and_clusters():
    rng = np.random.default_rng(0)
    words = ["the", ",", "of", "paris"] + [f"w{i}" for i in range(196)]
    m = rng.normal(size=(200, 8))[rng.integers(4, size=200)] * 3 + rng.normal(size=(200, 8))
    data = data_of(to_html((words, m), 120))
    assert data["words"] == ["paris"] + [f"w{i}" for i in range(119)]  # stop words skipped
    assert data["imp"] == list(range(120))  # the vectors' order: the most frequent first
    assert data["order"] == list(range(120))
    # k-means when no groups are given: k = sqrt(120 / 10) ~ 3, named by their frequent words
    assert data["clustered"] is True and len(data["groups"]) == 3
    assert data["groups"][0].startswith("paris, ") and data["group"][0] == 0
    assert sorted(set(data["group"])) == [0, 1, 2] and len(data["colors"]) == 3
    assert data_of(to_html((words, m), 120))["group"] == data["group"]  # deterministic
    # a word list keeps its stop words as points, never labelled automatically
    chosen = ["w5", "of", "paris", "the", "w1"]
    data = data_of(to_html((words, m), chosen))
    assert data["words"] == chosen
    assert data["imp"] == [4, 1, 2, 0, 3]  # frequency rank: the rows of the vectors
    assert [chosen[i] for i in data["order"]] == ["paris", "w1", "w5"]
    assert data["groups"] == [] and data["clustered"] is False  # few words: one colour
    data = data_of(to_html((words, m), chosen, stopwords=False, clusters=2))
    assert [chosen[i] for i in data["order"]] == ["the", "of", "paris", "w1", "w5"]
    assert len(data["groups"]) == 2
    data = data_of(to_html((words, m), 120, clusters=0, groups={"capital": ["paris"]}))
    assert data["groups"] == ["capital", "other"] and data["clustered"] is False
    assert data_of(to_html((words, m), 120, clusters=0))["groups"] == []
    for bad, exc in ((-1, ValueError), ("3", TypeError), (1.5, TypeError)):
        with pytest.raises(exc, match="`clusters`"):
            to_html((words, m), clusters=bad)
    with pytest.raises(TypeError, match="`stopwords`"):
        to_html((words, m), stopwords="the")
