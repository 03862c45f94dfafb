"""Pictures of the real 20k-word GloVe 6B 50d subset (slow: real data from ../shared/data)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from vectab.viz import plot, project, to_html

pytestmark = pytest.mark.slow

GROUPS = {
    "countries": ["france", "germany", "italy", "spain", "japan", "china", "russia", "egypt"],
    "capitals": ["paris", "berlin", "rome", "madrid", "tokyo", "beijing", "moscow", "cairo"],
    "numbers": ["one", "two", "three", "four", "five", "six", "seven", "eight"],
    "animals": ["dog", "cat", "horse", "cow", "pig", "sheep", "lion", "tiger"],
}


@pytest.fixture
def glove(shared_data):
    from vectab.vectors.io import load_vectors

    return load_vectors(shared_data / "glove-6b-50d-top20k" / "glove.6B.50d.top20k.w2v.txt")


def test_groups_form_clusters_in_tsne(glove):
    words = [w for ws in GROUPS.values() for w in ws]
    p = project(glove, words, method="tsne", seed=0)
    group = {w: g for g, ws in GROUPS.items() for w in ws}
    d = np.linalg.norm(p.coords[:, None] - p.coords[None], axis=2)
    np.fill_diagonal(d, np.inf)
    nearest = [p.words[j] for j in d.argmin(axis=1)]
    same = np.mean(
        [
            group[w] == group[n] or {group[w], group[n]} == {"countries", "capitals"}
            for w, n in zip(p.words, nearest)
        ]
    )
    assert same >= 0.9


def test_png_and_page(glove, tmp_path):
    fig = plot(
        glove, groups=GROUPS, analogies=[("man", "king", "woman", "queen")], out=tmp_path / "g.png"
    )
    assert (tmp_path / "g.png").stat().st_size > 10_000
    assert len([t for t in fig.axes[0].texts if t.get_text()]) == 36
    page = to_html(glove, 3000, neighbors=5)
    data = json.loads(re.search(r'id="vectab-data">(.*?)</script>', page, re.S).group(1))
    king = data["words"].index("king")
    assert "queen" in [data["words"][j] for j in data["nbrs"][king]]
